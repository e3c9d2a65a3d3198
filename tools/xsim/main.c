/* SPDX-License-Identifier: MIT */
/*
 * xsim: the toolstack of the simulated host.  Parses the command line
 * and calls one of host.c and dom0.c (the daemons), create.c (xl's
 * create from a configuration file), dom.c (the guests) or device.c
 * (their devices); owns nothing else.
 *
 *   xsim [-v] [-r RUNDIR] start [-n] [--pool ENDPOINTS --host NAME]
 *                           [-- XENSTORED-OPTION...]
 *   xsim [-r RUNDIR] stop
 *   xsim [-r RUNDIR] create [-F] [-f] CONFIG [KEY=VALUE...]
 *   xsim [-r RUNDIR] create NAME [-F] [-k KERNEL] [-c ACTION] [-p ACTION]
 *                            [-- KERNEL-ARG...]
 *   xsim [-r RUNDIR] list
 *   xsim [-r RUNDIR] destroy NAME|ID
 *   xsim [-r RUNDIR] shutdown [-w] NAME|ID
 *   xsim [-r RUNDIR] pause NAME|ID | unpause NAME|ID
 *   xsim [-r RUNDIR] domid NAME | pid NAME|ID
 *   xsim [-r RUNDIR] block-attach DOMAIN DISKSPEC...
 *   xsim [-r RUNDIR] block-detach DOMAIN VDEV | block-list DOMAIN
 *   xsim [-r RUNDIR] network-attach DOMAIN [VIFSPEC...]
 *   xsim [-r RUNDIR] network-detach DOMAIN DEVID | network-list DOMAIN
 *   xsim [-r RUNDIR] wait [-t SECONDS] DOMAIN
 *   xsim [-r RUNDIR] migrate DOMAIN HOST
 *
 * RUNDIR defaults to $XSIM_RUNDIR, else /var/run/xsim; -r may also come
 * after the command.  ACTION is destroy (default) or preserve: what to do
 * when the guest crashes (-c) or powers off (-p).  start -n starts no
 * backend drivers and no hotplug daemon in dom0 (for tests that play
 * them).  --pool makes the host NAME of the pool whose etcd cluster
 * answers at ENDPOINTS (docs/pool.md): its agent runs beside xenstored,
 * and list shows the pool's hosts and guests; migrate moves a guest to
 * another host of the pool (migrate.h; migrate-receive is the receiver
 * that start --pool runs beside the agent).  -v, and $XSIM_STATS=FILE, report
 * the transaction retries.
 * docs/devices.md describes configurations, specs and waits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "create.h"
#include "device.h"
#include "dom.h"
#include "dom0.h"
#include "host.h"
#include "layout.h"
#include "migrate.h"
#include "pool.h"
#include "txn.h"
#include "util.h"
#include "wait.h"

#define WAIT_DEFAULT_MS 10000

static const char *rundir;

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: xsim [-v] [-r RUNDIR] start [-n] [--pool ENDPOINTS "
		"--host NAME]\n"
		"                                   [-- XENSTORED-OPTION...]\n"
		"       xsim [-r RUNDIR] stop\n"
		"       xsim [-r RUNDIR] create [-F] [-f] CONFIG "
		"[KEY=VALUE...]\n"
		"       xsim [-r RUNDIR] create NAME [-F] [-k KERNEL] "
		"[-c destroy|preserve]\n"
		"                               [-p destroy|preserve] "
		"[-- KERNEL-ARG...]\n"
		"       xsim [-r RUNDIR] list\n"
		"       xsim [-r RUNDIR] destroy NAME|ID\n"
		"       xsim [-r RUNDIR] shutdown [-w] NAME|ID\n"
		"       xsim [-r RUNDIR] pause NAME|ID | unpause NAME|ID\n"
		"       xsim [-r RUNDIR] domid NAME | pid NAME|ID\n"
		"       xsim [-r RUNDIR] block-attach DOMAIN DISKSPEC...\n"
		"       xsim [-r RUNDIR] block-detach DOMAIN VDEV | "
		"block-list DOMAIN\n"
		"       xsim [-r RUNDIR] network-attach DOMAIN "
		"[VIFSPEC...]\n"
		"       xsim [-r RUNDIR] network-detach DOMAIN DEVID | "
		"network-list DOMAIN\n"
		"       xsim [-r RUNDIR] wait [-t SECONDS] DOMAIN\n"
		"       xsim [-r RUNDIR] migrate DOMAIN HOST\n");
	exit(2);
}

/*
 * getopt over a command's arguments (argv[0] is the command); "-r" is
 * understood everywhere.  Returns the option, or -1 at the end.
 */
static int
command_opt(int argc, char **argv, const char *opts)
{
	char all[32];
	int c;

	snprintf(all, sizeof(all), "+r:%s", opts);
	while ((c = getopt(argc, argv, all)) == 'r')
		rundir = optarg;
	if (c == '?')
		usage();
	return c;
}

static bool
known(const char *cmd)
{
	static const char *const cmds[] = {
		"start",
		"stop",
		"create",
		"list",
		"destroy",
		"shutdown",
		"pause",
		"unpause",
		"domid",
		"pid",
		"block-attach",
		"block-detach",
		"block-list",
		"network-attach",
		"network-detach",
		"network-list",
		"wait",
		"migrate",
		"migrate-receive",
	};
	unsigned i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return true;
	return false;
}

/*
 * The host, then dom0's nodes, as xen-init-dom0 does at boot, then
 * dom0's backend drivers and hotplug daemon (unless bare).
 */
static int
cmd_start(char **xenstored_args, bool bare, const char *pool, const char *name)
{
	struct xs_handle *xsh;
	int ok;

	if (host_init(rundir, true) < 0 || host_start(xenstored_args) < 0)
		return 1;
	xsh = xs_open(0);
	ok = xsh != NULL && layout_dom0(xsh) == 0;
	xs_close(xsh);
	if (!ok)
		util_err("cannot write dom0's nodes");
	else if (dom0_start(bare) < 0)
		ok = 0;
	if (ok && pool && pool_start(pool, name) < 0) {
		dom0_stop();
		ok = 0;
	}
	if (!ok)
		host_stop();
	return ok ? 0 : 1;
}

/* The domains, then the pool, if the host is in one. */
static int
cmd_list(void)
{
	struct xs_handle *xsh;
	int r = dom_list();

	if ((xsh = xs_open(XS_OPEN_READONLY)) != NULL) {
		pool_list(xsh);
		xs_close(xsh);
	}
	return r;
}

/*
 * Take start's long options --pool ENDPOINTS and --host NAME out of
 * argv (before any "--"); both or neither.  The new argc.
 */
static int
pool_opts(int argc, char **argv, const char **pool, const char **name)
{
	int i, j = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (i + 1 < argc && strcmp(argv[i], "--pool") == 0)
			*pool = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--host") == 0)
			*name = argv[++i];
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	if ((*pool == NULL) != (*name == NULL))
		usage();
	return j;
}

static int
cmd_stop(void)
{
	int r = dom_destroy_all();

	if (pool_stop() < 0)
		r = -1;
	if (dom0_stop() < 0)
		r = -1;
	if (host_stop() < 0)
		r = -1;
	return r;
}

/* The commands that take a domain and device arguments. */
static int
device_cmd(const char *cmd, int argc, char **argv)
{
	if (strcmp(cmd, "block-attach") == 0 && argc >= 2)
		return device_attach_args(DEVICE_VBD, argv[0], argv + 1,
					  argc - 1);
	if (strcmp(cmd, "block-detach") == 0 && argc == 2)
		return device_detach(DEVICE_VBD, argv[0], argv[1]);
	if (strcmp(cmd, "block-list") == 0 && argc == 1)
		return device_list(DEVICE_VBD, argv[0]);
	if (strcmp(cmd, "network-attach") == 0 && argc >= 1)
		return device_attach_args(DEVICE_VIF, argv[0], argv + 1,
					  argc - 1);
	if (strcmp(cmd, "network-detach") == 0 && argc == 2)
		return device_detach(DEVICE_VIF, argv[0], argv[1]);
	if (strcmp(cmd, "network-list") == 0 && argc == 1)
		return device_list(DEVICE_VIF, argv[0]);
	usage();
}

static int
wait_ms(const char *secs)
{
	char *end;
	double s;

	if (secs == NULL)
		return wait_timeout(WAIT_DEFAULT_MS);
	s = strtod(secs, &end);
	if (*secs == '\0' || *end != '\0' || s < 0 || s > 3600)
		usage();
	return (int)(s * 1000);
}

int
main(int argc, char **argv)
{
	const char *cmd, *secs = NULL, *pool = NULL, *name = NULL;
	bool wait = false, bare = false, verbose = false;
	int c, r;

	rundir = getenv("XSIM_RUNDIR");
	if (rundir == NULL)
		rundir = "/var/run/xsim";
	while ((c = getopt(argc, argv, "+r:vh")) != -1) {
		if (c == 'v')
			verbose = true;
		else if (c == 'r')
			rundir = optarg;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	txn_report_at_exit(verbose);
	argc -= optind;
	argv += optind;
	cmd = argv[0];
	if (!known(cmd))
		usage();
	optind = 0; /* glibc: start a fresh scan */
	if (strcmp(cmd, "start") == 0)
		argc = pool_opts(argc, argv, &pool, &name);
	if (strcmp(cmd, "create") == 0)
		return create_main(argc, argv, &rundir);
	while ((c = command_opt(argc, argv, "wnt:")) != -1) {
		if ((c == 'w' && strcmp(cmd, "shutdown") != 0) ||
		    (c == 'n' && strcmp(cmd, "start") != 0) ||
		    (c == 't' && strcmp(cmd, "wait") != 0))
			usage();
		wait |= c == 'w';
		bare |= c == 'n';
		if (c == 't')
			secs = optarg;
	}
	argc -= optind;
	argv += optind;

	if (strcmp(cmd, "start") == 0)
		return cmd_start(argv, bare, pool, name);
	if (host_init(rundir, false) < 0)
		return 1;
	if (strcmp(cmd, "stop") == 0 && argc == 0)
		r = cmd_stop();
	else if (strcmp(cmd, "list") == 0 && argc == 0)
		r = cmd_list();
	else if (strcmp(cmd, "destroy") == 0 && argc == 1)
		r = dom_destroy(argv[0]);
	else if (strcmp(cmd, "shutdown") == 0 && argc == 1)
		r = dom_shutdown(argv[0], wait);
	else if ((strcmp(cmd, "pause") == 0 || strcmp(cmd, "unpause") == 0) &&
		 argc == 1)
		r = dom_pause(argv[0], cmd[0] == 'p');
	else if ((strcmp(cmd, "domid") == 0 || strcmp(cmd, "pid") == 0) &&
		 argc == 1)
		r = dom_show(argv[0], cmd);
	else if (strcmp(cmd, "wait") == 0 && argc == 1)
		r = device_wait_connected(argv[0], wait_ms(secs));
	else if (strcmp(cmd, "migrate") == 0 && argc == 2)
		r = migrate_out(argv[0], argv[1]);
	else if (strcmp(cmd, "migrate-receive") == 0 && argc == 0)
		r = migrate_receive();
	else
		r = device_cmd(cmd, argc, argv);
	return r < 0 ? 1 : 0;
}
