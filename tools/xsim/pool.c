/* SPDX-License-Identifier: MIT */
/*
 * The pool agent of a simulated host (pool.h).  The agent shows the
 * pool in the local tree, outside what it shares: /tool/pool/host (this
 * host's name) and /tool/pool/hosts/<name> for every host whose lease
 * is alive, and /tool/pool/owner/<uuid> (the host that runs each of the
 * pool's guests); this file reads them.  Beside the agent runs xsim's
 * migration receiver (migrate.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "host.h"
#include "pool.h"
#include "util.h"

#define JOIN_TIMEOUT_MS 10000

static char *
read_node(struct xs_handle *xsh, const char *path)
{
	unsigned len;

	return xs_read(xsh, XBT_NULL, path, &len);
}

/* The migration receiver: `xsim -r RUNDIR migrate-receive` (migrate.h). */
static int
start_receiver(void)
{
	char xsim[PATH_MAX], dir[PATH_MAX];
	char o_r[] = "-r", cmd[] = "migrate-receive";
	char *argv[] = {xsim, o_r, dir, cmd, NULL};

	if (util_path(xsim, sizeof(xsim), "%s/xsim", util_bindir()) < 0 ||
	    util_path(dir, sizeof(dir), "%s", host_dir()) < 0)
		return -1;
	return host_spawn("migrate-receiver", argv) < 0 ? -1 : 0;
}

/* RUNDIR/pool-etcd: the endpoints, for pool_settle. */
static int
save_endpoints(const char *endpoints)
{
	char path[PATH_MAX];
	FILE *f;

	if (host_file(path, sizeof(path), "pool-etcd") < 0 ||
	    (f = fopen(path, "w")) == NULL) {
		util_err("cannot write %s/pool-etcd", host_dir());
		return -1;
	}
	fprintf(f, "%s\n", endpoints);
	return fclose(f) == 0 ? 0 : -1;
}

int
pool_start(const char *endpoints, const char *name)
{
	char agent[PATH_MAX], sock[PATH_MAX], path[300];
	char o_host[] = "--host", o_etcd[] = "--etcd", o_sock[] = "--socket";
	char *argv[8];
	struct timespec tick = {0, 50 * 1000 * 1000};
	struct xs_handle *xsh;
	char *v = NULL;
	pid_t pid;
	int ms;

	if (strchr(name, '/') || *name == '\0') {
		util_errx("a host name has no '/'");
		return -1;
	}
	if (util_path(agent, sizeof(agent), "%s/xs-pool-agent", util_bindir()) <
		    0 ||
	    host_file(sock, sizeof(sock), "xenstored/socket") < 0)
		return -1;
	argv[0] = agent;
	argv[1] = o_host;
	argv[2] = (char *)(uintptr_t)name;
	argv[3] = o_etcd;
	argv[4] = (char *)(uintptr_t)endpoints;
	argv[5] = o_sock;
	argv[6] = sock;
	argv[7] = NULL;
	if (save_endpoints(endpoints) < 0)
		return -1;
	pid = host_spawn("pool-agent", argv);
	if (pid < 0 || start_receiver() < 0)
		return -1;
	snprintf(path, sizeof(path), "/tool/pool/hosts/%s", name);
	xsh = xs_open(0);
	for (ms = 0; xsh && ms < JOIN_TIMEOUT_MS; ms += 50) {
		if ((v = read_node(xsh, path)) != NULL)
			break;
		if (!util_pid_alive(pid)) {
			util_errx(
				"the pool agent exited: see %s/pool-agent.log",
				host_dir());
			xs_close(xsh);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
	xs_close(xsh);
	if (v == NULL)
		util_errx("warning: host %s has not joined the pool at %s "
			  "yet (see %s/pool-agent.log); it keeps trying",
			  name, endpoints, host_dir());
	free(v);
	return 0;
}

/* The settling agent, its stdout on fd and its stderr in its log. */
static pid_t
spawn_settle(char **argv, int fd)
{
	char log[PATH_MAX];
	pid_t pid;
	int lfd;

	if (host_file(log, sizeof(log), "pool-agent.log") < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		lfd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (lfd < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
		    dup2(lfd, STDERR_FILENO) < 0)
			_exit(127);
		execv(argv[0], argv);
		fprintf(stderr, "xsim: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

int
pool_settle(const char *me, const char *uuid, const char *req,
	    const char *target, char *owner, size_t olen, char *result,
	    size_t rlen)
{
	char agent[PATH_MAX], path[PATH_MAX], eps[4096], out[2048], *nl;
	char o_host[] = "--host", o_etcd[] = "--etcd", o_settle[] = "--settle";
	char *argv[] = {agent,
			o_host,
			(char *)(uintptr_t)me,
			o_etcd,
			eps,
			o_settle,
			(char *)(uintptr_t)uuid,
			(char *)(uintptr_t)req,
			(char *)(uintptr_t)target,
			NULL};
	size_t n = 0;
	ssize_t k;
	int p[2], status;
	pid_t pid;
	FILE *f;

	if (util_path(agent, sizeof(agent), "%s/xs-pool-agent", util_bindir()) <
		    0 ||
	    host_file(path, sizeof(path), "pool-etcd") < 0)
		return -1;
	if ((f = fopen(path, "r")) == NULL ||
	    fgets(eps, sizeof(eps), f) == NULL) {
		util_err("cannot read %s", path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	eps[strcspn(eps, "\n")] = '\0';
	if (pipe(p) < 0)
		return -1;
	pid = spawn_settle(argv, p[1]);
	close(p[1]);
	while (pid > 0 && n < sizeof(out) - 1 &&
	       (k = read(p[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)k;
	close(p[0]);
	out[n] = '\0';
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || (nl = strchr(out, '\n')) == NULL)
		return -1;
	*nl++ = '\0';
	nl[strcspn(nl, "\n")] = '\0';
	snprintf(owner, olen, "%s", out);
	snprintf(result, rlen, "%s", nl);
	return 0;
}

int
pool_stop(void)
{
	int r = host_stop_daemon("migrate-receiver");

	return host_stop_daemon("pool-agent") < 0 ? -1 : r;
}

/* The pool's guests: /tool/pool/owner/<uuid> (the agent's) and /vm. */
static void
list_guests(struct xs_handle *xsh)
{
	char **uuids, path[300], *host, *name;
	unsigned n, i;

	uuids = xs_directory(xsh, XBT_NULL, "/tool/pool/owner", &n);
	if (uuids == NULL || n == 0) {
		free(uuids);
		return;
	}
	printf("%-20s %-36s %s\n", "Guest", "UUID", "Host");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/tool/pool/owner/%s", uuids[i]);
		host = read_node(xsh, path);
		snprintf(path, sizeof(path), "/vm/%s/name", uuids[i]);
		name = read_node(xsh, path);
		printf("%-20s %-36s %s\n", name ? name : "-", uuids[i],
		       host ? host : "-");
		free(host);
		free(name);
	}
	free(uuids);
}

void
pool_list(struct xs_handle *xsh)
{
	char *me = read_node(xsh, "/tool/pool/host");
	char **hosts;
	unsigned n, i;

	if (me == NULL)
		return;
	hosts = xs_directory(xsh, XBT_NULL, "/tool/pool/hosts", &n);
	printf("Pool: this host is %s%s; hosts alive:", me,
	       util_pid_alive(host_daemon_pid("pool-agent"))
		       ? ""
		       : " (its agent is not running)");
	for (i = 0; hosts && i < n; i++)
		printf(" %s", hosts[i]);
	printf("\n");
	free(hosts);
	free(me);
	list_guests(xsh);
}
