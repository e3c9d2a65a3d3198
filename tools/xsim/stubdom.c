/* SPDX-License-Identifier: MIT */
/*
 * The xenstore domain (stubdom.h), in init-xenstore-domain's order:
 *
 *   1. create the domain with XEN_DOMCTL_CDF_xs_domain, paused;
 *   2. dom0's xenbus backend setup: xsim-xenbus grants dom0's ring page
 *      to it (reserved grant 1) and allocates dom0's port for it;
 *   3. boot the kernel, `xenstored -N --event PORT --internal-db`
 *      and $XENSTORE_DOMAIN_ARGS, with the domain's hypercall channel as
 *      its only door (no dom0 socket, no xenstored socket in its
 *      environment, its working directory an empty one, its share),
 *      confined to that (confine.h);
 *   4. VIRQ_DOM_EXC goes to it, then unpause;
 *   5. once it serves dom0, write /tool/xenstored/domid and its
 *      /local/domain/<id> nodes through dom0's xenbus.
 *
 * The domain's memory is the daemon's limit: it boots with
 * XENSTORE_DOMAIN_SIZE MiB (default 8, as Debian) as the process's data
 * limit (RLIMIT_DATA: heap, the node arena, every private writable
 * mapping), and the hypervisor, told the size, the most it may balloon
 * to (XENSTORE_MAX_DOMAIN_SIZE) and the process, raises that limit when
 * the daemon asks, up to the most; beyond, the daemon answers ENOMEM and
 * keeps serving.  The process cannot raise its limit itself
 * (confine.h).
 *
 * Its console is its standard error, RUNDIR/xenstored.log; the access
 * log, when asked for with -T FILE, goes through a second console
 * (standard output) into FILE, written by the host: the daemon inside
 * is given `-T -`.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenctrl.h>

#include "confine.h"
#include "host.h"
#include "stubdom.h"
#include "util.h"
#include "xenstore.h"
#include "xensim.h"

#define READY_TIMEOUT_MS 20000

/*
 * AddressSanitizer's shadow is private writable memory, terabytes of it:
 * a build under it (xsim is built like the daemon) boots the domain
 * without the limit.
 */
#if defined(__SANITIZE_ADDRESS__)
#define LIMIT_MEMORY 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LIMIT_MEMORY 0
#endif
#endif
#ifndef LIMIT_MEMORY
#define LIMIT_MEMORY 1
#endif
#define ARGV_MAX 64

bool
stubdom_wanted(void)
{
	const char *t = getenv("XENSTORETYPE");

	return t != NULL && strcmp(t, "domain") == 0;
}

unsigned
stubdom_domid(void)
{
	char path[PATH_MAX];
	long v;

	if (host_file(path, sizeof(path), "xenstored/domid") < 0 ||
	    util_read_long(path, &v) < 0 || v <= 0)
		return 0;
	return (unsigned)v;
}

/* MiB from the environment variable name, or def; -1 if malformed. */
static long
env_mb(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v <= 0 || v > 1 << 20) {
		util_errx("%s=%s: not a size in MiB", name, s);
		return -1;
	}
	return v;
}

/* Split $XENSTORE_DOMAIN_ARGS on blanks into argv from *n. */
static int
add_domain_args(char **argv, int *n, char *buf)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(buf, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (*n >= ARGV_MAX - 2) {
			util_errx("XENSTORE_DOMAIN_ARGS: too many arguments");
			return -1;
		}
		argv[(*n)++] = tok;
	}
	return 0;
}

/*
 * The directory of the simulated hypervisor's libraries, which the kernel
 * links against as the toolstack does and which need not be under /usr
 * (a build's RUNPATH): its loader reads them again after a live update.
 * "" when linked statically.
 */
static void
hypervisor_libdir(char *buf, size_t size)
{
	Dl_info info;
	char *slash;

	buf[0] = '\0';
	if (dladdr((void *)xc_interface_open, &info) == 0 ||
	    info.dli_fname == NULL || info.dli_fname[0] != '/')
		return;
	snprintf(buf, size, "%s", info.dli_fname);
	slash = strrchr(buf, '/');
	*slash = '\0';
}

/*
 * Nothing but the hypervisor's interfaces (confine.h): its share (home)
 * for files, its own kernel image to exec, what the loader reads; no
 * socket of its own.  Then it cannot raise its memory either.
 */
static int
confine_kernel(const char *kernel, const char *home)
{
	char libdir[PATH_MAX];
	const char *run[] = {kernel, NULL};
	const char *read[] = {libdir, NULL};

	hypervisor_libdir(libdir, sizeof(libdir));
	if (libdir[0] == '\0')
		read[0] = NULL;
	if (confine_files(home, run, read) < 0)
		return -1;
	return confine_domain();
}

/*
 * In the child: become the domain's kernel.  Only the channel (and the
 * console descriptors) cross the exec.
 */
static void __attribute__((noreturn))
exec_kernel(char **argv, int chan, int console, int trace, long memory_mb,
	    long maxmem_mb, const char *home)
{
	struct rlimit rl;
	char num[16];
	int fd;

	setsid();
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	dup2(trace >= 0 ? trace : console, STDOUT_FILENO);
	dup2(console, STDERR_FILENO);
	/* The hypervisor sets the same once told the pid (stubdom_start). */
	rl.rlim_cur = (rlim_t)memory_mb << 20;
	rl.rlim_max = (rlim_t)maxmem_mb << 20;
	if (LIMIT_MEMORY && setrlimit(RLIMIT_DATA, &rl) < 0) {
		fprintf(stderr,
			"xsim: cannot limit the xenstore domain's "
			"memory: %s\n",
			strerror(errno));
		_exit(127);
	}
	if (chdir(home) < 0)
		_exit(127);
	if (confine_kernel(argv[0], home) < 0) {
		fprintf(stderr,
			"xsim: cannot confine the xenstore domain: %s\n",
			strerror(errno));
		_exit(127);
	}
	snprintf(num, sizeof(num), "%d", chan);
	setenv(XENHYP_CHANNEL_ENV, num, 1);
	/* Nothing of dom0's in its environment. */
	unsetenv("XENSTORED_PATH");
	unsetenv("XENSTORED_RUNDIR");
	unsetenv(XENHYP_RUNDIR_ENV);
	unsetenv("XSIM_RUNDIR");
	unsetenv("NOTIFY_SOCKET");
	execv(argv[0], argv);
	fprintf(stderr, "xsim: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int
write_pid(const char *name, pid_t pid)
{
	char path[PATH_MAX];
	FILE *f;

	if (host_file(path, sizeof(path), "%s", name) < 0 ||
	    (f = fopen(path, "w")) == NULL)
		return -1;
	if (fprintf(f, "%ld\n", (long)pid) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* Step 5: what init-xenstore-domain writes, through dom0's xenbus. */
static int
write_nodes(unsigned domid, long memory_mb, long maxmem_mb)
{
	static const char *const names[] = {"domid", "name", "memory/target",
					    "memory/static-max"};
	char vals[4][32], path[64];
	struct xs_handle *xsh = xs_open(0);
	unsigned i;
	bool ok;

	if (xsh == NULL) {
		util_err("cannot reach dom0's xenbus");
		return -1;
	}
	snprintf(vals[0], sizeof(vals[0]), "%u", domid);
	snprintf(vals[1], sizeof(vals[1]), "Xenstore");
	snprintf(vals[2], sizeof(vals[2]), "%ld", memory_mb * 1024);
	snprintf(vals[3], sizeof(vals[3]), "%ld", maxmem_mb * 1024);
	ok = xs_write(xsh, XBT_NULL, "/tool/xenstored/domid", vals[0],
		      (unsigned)strlen(vals[0]));
	for (i = 0; ok && i < 4; i++) {
		snprintf(path, sizeof(path), "/local/domain/%u/%s", domid,
			 names[i]);
		ok = xs_write(xsh, XBT_NULL, path, vals[i],
			      (unsigned)strlen(vals[i]));
	}
	if (!ok)
		util_err("cannot write the xenstore domain's nodes");
	xs_close(xsh);
	return ok ? 0 : -1;
}

/* Step 2: dom0's xenbus device; its port for the domain, or -1. */
static int
start_xenbus(unsigned domid, pid_t *pid)
{
	char bin[PATH_MAX], sock[PATH_MAX], portf[PATH_MAX], ready[PATH_MAX];
	char dom[16], opt_d[] = "-d", opt_s[] = "-s", opt_p[] = "-p",
		      opt_r[] = "-r", opt_b[] = "-b";
	char *argv[12], *poll = getenv("XENBUS_BUSY_POLL");
	long port;

	if (util_path(bin, sizeof(bin), "%s/xsim-xenbus", util_bindir()) < 0 ||
	    host_file(sock, sizeof(sock), "xenstored/socket") < 0 ||
	    host_file(portf, sizeof(portf), "xenstored/port") < 0 ||
	    host_file(ready, sizeof(ready), "xenstored/ready") < 0) {
		util_err("paths");
		return -1;
	}
	unlink(sock);
	unlink(portf);
	unlink(ready);
	snprintf(dom, sizeof(dom), "%u", domid);
	argv[0] = bin;
	argv[1] = opt_d;
	argv[2] = dom;
	argv[3] = opt_s;
	argv[4] = sock;
	argv[5] = opt_p;
	argv[6] = portf;
	argv[7] = opt_r;
	argv[8] = ready;
	argv[9] = NULL;
	/* Its polling bound in us (xsim-xenbus checks it). */
	if (poll != NULL && *poll != '\0') {
		argv[9] = opt_b;
		argv[10] = poll;
		argv[11] = NULL;
	}
	*pid = host_spawn("xenbus", argv);
	if (*pid < 0)
		return -1;
	if (util_wait_path(portf, *pid, READY_TIMEOUT_MS) < 0 ||
	    util_read_long(portf, &port) < 0) {
		util_err("dom0's xenbus did not start (see %s/xenbus.log)",
			 host_dir());
		return -1;
	}
	return (int)port;
}

/* -T FILE among the daemon's options: FILE goes to the host's side. */
static const char *
take_trace(char **argv, int n)
{
	static char dash[] = "-";
	int i;

	for (i = 0; i < n - 1; i++)
		if (strcmp(argv[i], "-T") == 0 ||
		    strcmp(argv[i], "--trace-file") == 0) {
			const char *file = argv[i + 1];

			argv[i + 1] = dash;
			return file;
		}
	return NULL;
}

int
stubdom_start(char *const *extra_args)
{
	struct xen_domctl_createdomain cfg = {.max_vcpus = 1};
	char xsd[PATH_MAX], log[PATH_MAX], home[PATH_MAX], ready[PATH_MAX];
	char portnum[16], idfile[PATH_MAX], domargs[1024];
	char opt_n[] = "-N", opt_e[] = "--event", opt_i[] = "--internal-db";
	char *argv[ARGV_MAX];
	const char *trace_name, *env;
	long memory_mb, maxmem_mb;
	int n = 0, port, chan = -1, console = -1, trace = -1;
	uint32_t domid = 0;
	pid_t xenbus = -1, pid;
	xc_interface *xch;
	FILE *f;

	memory_mb = env_mb("XENSTORE_DOMAIN_SIZE", 8);
	maxmem_mb = env_mb("XENSTORE_MAX_DOMAIN_SIZE", 0);
	if (memory_mb < 0 || maxmem_mb < 0)
		return -1;
	if (maxmem_mb < memory_mb)
		maxmem_mb = memory_mb;
	if ((xch = xc_interface_open(NULL, NULL, 0)) == NULL) {
		util_err("cannot reach the hypervisor");
		return -1;
	}
	cfg.flags = XEN_DOMCTL_CDF_xs_domain;
	if (xc_domain_create(xch, &domid, &cfg) < 0) {
		util_err("cannot create the xenstore domain");
		goto fail;
	}
	if ((port = start_xenbus(domid, &xenbus)) < 0)
		goto fail;

	/* Step 3: the kernel's command line. */
	if (util_path(xsd, sizeof(xsd), "%s/xenstored", util_bindir()) < 0 ||
	    host_file(log, sizeof(log), "xenstored.log") < 0 ||
	    host_file(home, sizeof(home), "xenstored/domain") < 0 ||
	    host_file(ready, sizeof(ready), "xenstored/ready") < 0 ||
	    host_file(idfile, sizeof(idfile), "xenstored/domid") < 0) {
		util_err("paths");
		goto fail;
	}
	snprintf(portnum, sizeof(portnum), "%d", port);
	argv[n++] = xsd;
	argv[n++] = opt_n;
	argv[n++] = opt_e;
	argv[n++] = portnum;
	argv[n++] = opt_i;
	env = getenv("XENSTORE_DOMAIN_ARGS");
	snprintf(domargs, sizeof(domargs), "%s", env ? env : "");
	if (add_domain_args(argv, &n, domargs) < 0)
		goto fail;
	while (extra_args != NULL && *extra_args != NULL && n < ARGV_MAX - 1)
		argv[n++] = *extra_args++;
	argv[n] = NULL;
	trace_name = take_trace(argv, n);

	if (mkdir(home, 0700) < 0 && errno != EEXIST) {
		util_err("cannot create %s", home);
		goto fail;
	}
	console = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (console < 0) {
		util_err("cannot open %s", log);
		goto fail;
	}
	if (trace_name != NULL) {
		char tpath[PATH_MAX];

		if (trace_name[0] == '/')
			snprintf(tpath, sizeof(tpath), "%s", trace_name);
		else if (host_file(tpath, sizeof(tpath), "xenstored/%s",
				   trace_name) < 0)
			goto fail;
		trace = open(tpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			     0600);
		if (trace < 0) {
			util_err("cannot open %s", tpath);
			goto fail;
		}
	}
	if (confine_abi() == 0)
		util_errx("warning: no Landlock in this kernel: the xenstore "
			  "domain is not confined on the file system");
	chan = xsim_domain_channel(xch, domid);
	if (chan < 0) {
		util_err("cannot get the channel of domain %u", domid);
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		util_err("fork");
		goto fail;
	}
	if (pid == 0)
		exec_kernel(argv, chan, console, trace, memory_mb, maxmem_mb,
			    home);
	close(chan);
	chan = -1;
	if (write_pid("xenstored.pid", pid) < 0) {
		util_err("cannot record the xenstore domain's pid");
		kill(pid, SIGKILL);
		goto fail;
	}
	/* Its memory, held by the hypervisor (none held under ASan). */
	if (xsim_domain_memory(xch, domid, LIMIT_MEMORY ? pid : 0,
			       (uint64_t)memory_mb << 10,
			       (uint64_t)maxmem_mb << 10) < 0) {
		util_err("cannot set the xenstore domain's memory");
		kill(pid, SIGKILL);
		goto fail;
	}
	/* Step 4. */
	if (xc_domain_set_virq_handler(xch, domid, VIRQ_DOM_EXC) < 0 ||
	    xc_domain_unpause(xch, domid) < 0) {
		util_err("cannot start the xenstore domain");
		goto fail;
	}
	if (util_wait_path(ready, pid, READY_TIMEOUT_MS) < 0) {
		util_err("the xenstore domain did not connect dom0 (see %s)",
			 log);
		goto fail;
	}
	if ((f = fopen(idfile, "w")) == NULL || fprintf(f, "%u\n", domid) < 0 ||
	    fclose(f) != 0) {
		util_err("cannot write %s", idfile);
		goto fail;
	}
	if (write_nodes(domid, memory_mb, maxmem_mb) < 0)
		goto fail;
	close(console);
	if (trace >= 0)
		close(trace);
	xc_interface_close(xch);
	return 0;
fail:
	if (chan >= 0)
		close(chan);
	if (console >= 0)
		close(console);
	if (trace >= 0)
		close(trace);
	host_stop_daemon("xenstored");
	host_stop_daemon("xenbus");
	if (domid != 0)
		xc_domain_destroy(xch, domid);
	xc_interface_close(xch);
	return -1;
}
