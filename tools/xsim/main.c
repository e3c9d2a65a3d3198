/* SPDX-License-Identifier: MIT */
/*
 * xsim: the toolstack of the simulated host.  Parses the command line
 * and calls one of host.c (the daemons) or dom.c (the guests); owns
 * nothing else.
 *
 *   xsim [-r RUNDIR] start [-- XENSTORED-OPTION...]
 *   xsim [-r RUNDIR] stop
 *   xsim [-r RUNDIR] create NAME [-F] [-k KERNEL] [-c ACTION] [-p ACTION]
 *                            [-- KERNEL-ARG...]
 *   xsim [-r RUNDIR] list
 *   xsim [-r RUNDIR] destroy NAME|ID
 *   xsim [-r RUNDIR] shutdown [-w] NAME|ID
 *   xsim [-r RUNDIR] domid NAME | pid NAME|ID
 *   xsim [-r RUNDIR] block-attach DOMAIN TARGET VDEV [r|w]
 *   xsim [-r RUNDIR] block-detach DOMAIN VDEV | block-list DOMAIN
 *   xsim [-r RUNDIR] network-attach DOMAIN [mac=MAC] [bridge=BRIDGE]
 *                                   [script=PATH]
 *   xsim [-r RUNDIR] network-detach DOMAIN DEVID | network-list DOMAIN
 *
 * RUNDIR defaults to $XSIM_RUNDIR, else /var/run/xsim; -r may also come
 * after the command.  ACTION is destroy (default) or preserve: what to do
 * when the guest crashes (-c) or powers off (-p).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device.h"
#include "dom.h"
#include "host.h"
#include "layout.h"
#include "util.h"

static const char *rundir;

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: xsim [-r RUNDIR] start [-- XENSTORED-OPTION...]\n"
		"       xsim [-r RUNDIR] stop\n"
		"       xsim [-r RUNDIR] create NAME [-F] [-k KERNEL] "
		"[-c destroy|preserve]\n"
		"                               [-p destroy|preserve] "
		"[-- KERNEL-ARG...]\n"
		"       xsim [-r RUNDIR] list\n"
		"       xsim [-r RUNDIR] destroy NAME|ID\n"
		"       xsim [-r RUNDIR] shutdown [-w] NAME|ID\n"
		"       xsim [-r RUNDIR] domid NAME | pid NAME|ID\n"
		"       xsim [-r RUNDIR] block-attach DOMAIN TARGET VDEV "
		"[r|w]\n"
		"       xsim [-r RUNDIR] block-detach DOMAIN VDEV | "
		"block-list DOMAIN\n"
		"       xsim [-r RUNDIR] network-attach DOMAIN [mac=MAC] "
		"[bridge=BRIDGE] [script=PATH]\n"
		"       xsim [-r RUNDIR] network-detach DOMAIN DEVID | "
		"network-list DOMAIN\n");
	exit(2);
}

static enum dom_action
action(const char *s)
{
	if (strcmp(s, "destroy") == 0)
		return DOM_DESTROY;
	if (strcmp(s, "preserve") == 0)
		return DOM_PRESERVE;
	util_errx("unknown action %s (destroy or preserve)", s);
	usage();
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

static int
cmd_create(int argc, char **argv)
{
	struct dom_opts o = {.on_poweroff = DOM_DESTROY,
			     .on_crash = DOM_DESTROY};
	int c;

	if (argc < 2 || argv[1][0] == '-')
		usage();
	o.name = argv[1];
	argc--;
	argv++;
	while ((c = command_opt(argc, argv, "Fk:c:p:")) != -1) {
		if (c == 'F')
			o.foreground = true;
		else if (c == 'k')
			o.kernel = optarg;
		else if (c == 'c')
			o.on_crash = action(optarg);
		else if (c == 'p')
			o.on_poweroff = action(optarg);
	}
	o.args = argv + optind;
	if (host_init(rundir, false) < 0)
		return 1;
	return dom_create(&o);
}

static bool
known(const char *cmd)
{
	static const char *const cmds[] = {
		"start",	  "stop",	  "create",
		"list",		  "destroy",	  "shutdown",
		"domid",	  "pid",	  "block-attach",
		"block-detach",	  "block-list",	  "network-attach",
		"network-detach", "network-list",
	};
	unsigned i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return true;
	return false;
}

/* The host, then dom0's nodes, as xen-init-dom0 does at boot. */
static int
cmd_start(char **xenstored_args)
{
	struct xs_handle *xsh;
	int ok;

	if (host_init(rundir, true) < 0 || host_start(xenstored_args) < 0)
		return 1;
	xsh = xs_open(0);
	ok = xsh != NULL && layout_dom0(xsh) == 0;
	if (!ok) {
		util_err("cannot write dom0's nodes");
		host_stop();
	}
	xs_close(xsh);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *cmd;
	bool wait = false;
	int c, r;

	rundir = getenv("XSIM_RUNDIR");
	if (rundir == NULL)
		rundir = "/var/run/xsim";
	while ((c = getopt(argc, argv, "+r:h")) != -1) {
		if (c != 'r')
			usage();
		rundir = optarg;
	}
	if (optind >= argc)
		usage();
	argc -= optind;
	argv += optind;
	cmd = argv[0];
	if (!known(cmd))
		usage();
	optind = 0; /* glibc: start a fresh scan */
	if (strcmp(cmd, "create") == 0)
		return cmd_create(argc, argv);
	while ((c = command_opt(argc, argv, "w")) != -1)
		wait = true;
	argc -= optind;
	argv += optind;

	if (strcmp(cmd, "start") == 0)
		return cmd_start(argv);
	if (host_init(rundir, false) < 0)
		return 1;
	if (strcmp(cmd, "stop") == 0 && argc == 0) {
		r = dom_destroy_all();
		if (host_stop() < 0)
			r = -1;
	} else if (strcmp(cmd, "list") == 0 && argc == 0) {
		r = dom_list();
	} else if (strcmp(cmd, "destroy") == 0 && argc == 1) {
		r = dom_destroy(argv[0]);
	} else if (strcmp(cmd, "shutdown") == 0 && argc == 1) {
		r = dom_shutdown(argv[0], wait);
	} else if ((strcmp(cmd, "domid") == 0 || strcmp(cmd, "pid") == 0) &&
		   argc == 1) {
		r = dom_show(argv[0], cmd);
	} else if (strcmp(cmd, "block-attach") == 0 &&
		   (argc == 3 || argc == 4)) {
		r = device_block_attach(argv[0], argv[1], argv[2],
					argc == 4 ? argv[3] : NULL);
	} else if (strcmp(cmd, "block-detach") == 0 && argc == 2) {
		r = device_detach(DEVICE_VBD, argv[0], argv[1]);
	} else if (strcmp(cmd, "block-list") == 0 && argc == 1) {
		r = device_list(DEVICE_VBD, argv[0]);
	} else if (strcmp(cmd, "network-attach") == 0 && argc >= 1) {
		r = device_network_attach(argv[0], argv + 1, argc - 1);
	} else if (strcmp(cmd, "network-detach") == 0 && argc == 2) {
		r = device_detach(DEVICE_VIF, argv[0], argv[1]);
	} else if (strcmp(cmd, "network-list") == 0 && argc == 1) {
		r = device_list(DEVICE_VIF, argv[0]);
	} else {
		usage();
	}
	return r < 0 ? 1 : 0;
}
