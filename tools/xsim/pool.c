/* SPDX-License-Identifier: MIT */
/*
 * The pool agent of a simulated host (pool.h).  The agent shows the
 * pool in the local tree, outside what it shares: /tool/pool/host (this
 * host's name) and /tool/pool/hosts/<name> for every host whose lease
 * is alive, and /tool/pool/owner/<uuid> (the host that runs each of the
 * pool's guests); this file reads them.  Beside the agent runs xsim's
 * migration receiver (migrate.h).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
