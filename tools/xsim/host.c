/* SPDX-License-Identifier: MIT */
/*
 * The host's two daemons (host.h).  Each is started detached (its own
 * session, stdin from /dev/null, stdout and stderr into RUNDIR/<name>.log)
 * so that `xsim start` returns while they run, and recorded in
 * RUNDIR/<name>.pid with the pid we forked; xenstored runs under a
 * supervisor (supervise.h) that starts it again when it dies, and
 * writes each new pid there.  Readiness is the daemon's
 * socket appearing, waited for with a bound.
 */
#include <errno.h>
#include <glob.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"
#include "stubdom.h"
#include "supervise.h"
#include "util.h"

#define START_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS 10000

static char rundir[PATH_MAX];

int
host_file(char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(rel)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return util_path(buf, len, "%s/%s", rundir, rel);
}

const char *
host_dir(void)
{
	return rundir;
}

static int
make_dir(const char *sub)
{
	char path[PATH_MAX];

	if (host_file(path, sizeof(path), "%s", sub) < 0)
		return -1;
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		util_err("cannot create %s", path);
		return -1;
	}
	return 0;
}

int
host_init(const char *dir, bool create)
{
	char path[PATH_MAX];

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		util_err("cannot create the run directory %s", dir);
		return -1;
	}
	if (realpath(dir, rundir) == NULL) {
		util_err("no run directory %s (is the host started?)", dir);
		return -1;
	}
	if (create && (make_dir("hyp") < 0 || make_dir("xenstored") < 0 ||
		       make_dir("domains") < 0))
		return -1;
	if (host_file(path, sizeof(path), "hyp") < 0 ||
	    setenv("XENHYP_RUNDIR", path, 1) < 0 ||
	    host_file(path, sizeof(path), "xenstored") < 0 ||
	    setenv("XENSTORED_RUNDIR", path, 1) < 0 ||
	    host_file(path, sizeof(path), "xenstored/socket") < 0 ||
	    setenv("XENSTORED_PATH", path, 1) < 0 ||
	    host_file(path, sizeof(path), "net") < 0 ||
	    setenv("XSIM_NET_DIR", path, 1) < 0) {
		util_err("run directory %s", dir);
		return -1;
	}
	return 0;
}

pid_t
host_daemon_pid(const char *name)
{
	char path[PATH_MAX];
	long pid;

	if (host_file(path, sizeof(path), "%s.pid", name) < 0 ||
	    util_read_long(path, &pid) < 0)
		return -1;
	return (pid_t)pid;
}

bool
host_running(void)
{
	return util_pid_alive(host_daemon_pid("xenhyp")) &&
	       util_pid_alive(host_daemon_pid("xenstored"));
}

int
host_detach(const char *name)
{
	char log[PATH_MAX];
	int fd;

	if (host_file(log, sizeof(log), "%s.log", name) < 0)
		return -1;
	setsid();
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		return -1;
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	return 0;
}

int
host_record_pid(const char *name, pid_t pid)
{
	char pidfile[PATH_MAX];
	FILE *f;

	if (host_file(pidfile, sizeof(pidfile), "%s.pid", name) < 0) {
		util_err("%s", name);
		kill(pid, SIGKILL);
		return -1;
	}
	f = fopen(pidfile, "w");
	if (f == NULL || fprintf(f, "%ld\n", (long)pid) < 0 || fclose(f) != 0) {
		util_err("cannot write %s", pidfile);
		kill(pid, SIGKILL);
		return -1;
	}
	return 0;
}

pid_t
host_spawn(const char *name, char *const *argv)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		util_err("cannot fork for %s", name);
		return -1;
	}
	if (pid == 0) {
		if (host_detach(name) < 0)
			_exit(127);
		execv(argv[0], argv);
		fprintf(stderr, "xsim: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return host_record_pid(name, pid) < 0 ? -1 : pid;
}

/* Wait for a daemon's socket; on failure show its log. */
static int
wait_ready(const char *name, pid_t pid, const char *socket)
{
	char log[PATH_MAX], line[512];
	FILE *f;

	if (util_wait_path(socket, pid, START_TIMEOUT_MS) == 0)
		return 0;
	util_err("%s did not start (no %s)", name, socket);
	if (host_file(log, sizeof(log), "%s.log", name) == 0 &&
	    (f = fopen(log, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			fprintf(stderr, "  %s: %s", name, line);
		fclose(f);
	}
	return -1;
}

int
host_stop_daemon(const char *name)
{
	char pidfile[PATH_MAX];
	pid_t pid = host_daemon_pid(name);
	int r = 0;

	if (util_pid_alive(pid)) {
		kill(pid, SIGTERM);
		if (util_wait_gone(pid, STOP_TIMEOUT_MS) < 0) {
			util_errx("%s (pid %ld) ignored SIGTERM; killing it",
				  name, (long)pid);
			kill(pid, SIGKILL);
			r = util_wait_gone(pid, STOP_TIMEOUT_MS);
			if (r < 0)
				util_err("%s (pid %ld) does not die", name,
					 (long)pid);
		}
	}
	if (host_file(pidfile, sizeof(pidfile), "%s.pid", name) == 0)
		unlink(pidfile);
	return r;
}

/*
 * A fresh host starts with an empty store, as after a reboot: the
 * database and every file beside it (its journal, which would bring the
 * old store back, the change stream, copies kept as damaged).  A pool
 * agent finds the stream new and converges with etcd (docs/pool.md).
 */
static void
remove_store(void)
{
	char pattern[PATH_MAX];
	glob_t g;
	size_t i;

	if (host_file(pattern, sizeof(pattern), "xenstored/tdb*") != 0 ||
	    glob(pattern, 0, NULL, &g) != 0)
		return;
	for (i = 0; i < g.gl_pathc; i++)
		unlink(g.gl_pathv[i]);
	globfree(&g);
}

int
host_start(char *const *extra_args)
{
	char hyp[PATH_MAX], xsd[PATH_MAX], hypdir[PATH_MAX], sock[PATH_MAX];
	char opt_r[] = "-r", opt_n[] = "-N";
	char *argv[64];
	pid_t pid;
	int n = 0;

	if (util_pid_alive(host_daemon_pid("xenhyp")) ||
	    util_pid_alive(host_daemon_pid("xenstored"))) {
		util_errx("a host already runs in %s (xsim stop first)",
			  rundir);
		return -1;
	}
	if (util_path(hyp, sizeof(hyp), "%s/xenhyp", util_bindir()) < 0 ||
	    util_path(xsd, sizeof(xsd), "%s/xenstored", util_bindir()) < 0 ||
	    host_file(hypdir, sizeof(hypdir), "hyp") < 0 ||
	    host_file(sock, sizeof(sock), "hyp/hypervisor") < 0) {
		util_err("paths");
		return -1;
	}
	unlink(sock);
	argv[0] = hyp;
	argv[1] = opt_r;
	argv[2] = hypdir;
	argv[3] = NULL;
	pid = host_spawn("xenhyp", argv);
	if (pid < 0 || wait_ready("xenhyp", pid, sock) < 0)
		goto fail;

	remove_store();
	if (stubdom_wanted()) {
		if (stubdom_start(extra_args) < 0)
			goto fail;
		return 0;
	}
	if (host_file(sock, sizeof(sock), "xenstored/socket") < 0)
		goto fail;
	unlink(sock);
	argv[n++] = xsd;
	argv[n++] = opt_n;
	while (extra_args != NULL && *extra_args != NULL && n < 63)
		argv[n++] = *extra_args++;
	argv[n] = NULL;
	pid = supervise_spawn("xenstored", argv);
	if (pid < 0 || wait_ready("xenstored", pid, sock) < 0)
		goto fail;
	return 0;
fail:
	host_stop();
	return -1;
}

int
host_stop(void)
{
	int r = 0;

	/*
	 * dom0's xenbus device, when xenstore runs in a domain: first, so
	 * that it does not report the domain's end as a death.
	 */
	if (host_stop_daemon("xenbus") < 0)
		r = -1;
	/* The supervisor before the daemon, or it would start it again. */
	if (host_stop_daemon("xenstored-supervisor") < 0)
		r = -1;
	if (host_stop_daemon("xenstored") < 0)
		r = -1;
	if (host_stop_daemon("xenhyp") < 0)
		r = -1;
	return r;
}

const char *
host_script_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("XSIM_SCRIPT_DIR");
	char built[PATH_MAX];

	if (dir[0] != '\0')
		return dir;
	if (env != NULL && *env != '\0')
		snprintf(dir, sizeof(dir), "%s", env);
	else if (util_path(built, sizeof(built), "%s/../etc/xen/scripts",
			   util_bindir()) < 0 ||
		 realpath(built, dir) == NULL)
		snprintf(dir, sizeof(dir), "/etc/xen/scripts");
	return dir;
}

int
host_hotplug_env(void)
{
	char path[PATH_MAX * 2 + 64], lock[PATH_MAX];
	const char *old = getenv("PATH");

	if (util_path(path, sizeof(path), "%s/../libexec/xsim:%s:%s",
		      util_bindir(), util_bindir(),
		      old != NULL ? old : "/usr/bin:/bin") < 0 ||
	    host_file(lock, sizeof(lock), "hotplug-lock") < 0 ||
	    setenv("PATH", path, 1) < 0 ||
	    setenv("XEN_HOTPLUG_LOCKDIR", lock, 1) < 0) {
		util_err("the hotplug scripts' environment");
		return -1;
	}
	return 0;
}
