/* SPDX-License-Identifier: MIT */
/*
 * xsim-guest: the simulated guest kernel, run by the toolstack (xsim
 * create) as a domain with nothing but its inherited hypercall channel.
 * It boots (boot.c: start info, xenstore page, event channel, libxenstore
 * over the ring), runs a script of xenstore operations (script.c) given
 * as arguments, one operation per argument, or else on standard input,
 * one per line, and shuts its domain down: poweroff if the script ended
 * with status 0, crash otherwise.
 *
 *   xsim-guest [-s] [-b] [-q N] [-H STATE] [-t SECONDS] [OPERATION...]
 *
 * -t is the hang guard of each operation (default 60, 0 for none).  -s
 * runs the script as a dom0 tool instead, over xenstored's socket
 * (xs_open()), so that a test writes dom0's part in the same language.
 * Exit status: the script's (exit N), 1 if booting failed, 2 for a bad
 * operation, 3 if an operation hit the hang guard.
 *
 * PV drivers (docs/drivers.md), in the background while the script runs:
 * a guest (not -s) always runs the frontends of its device/vbd and
 * device/vif.  -b adds the backends of the domain we run as (dom0 with
 * -s): /local/domain/<self>/backend/vbd and .../vif; -q N is the
 * multi-queue-max-queues they advertise (default 4).  -H STATE is a test
 * hook: the frontends never switch to STATE or beyond (-H 3: rings and
 * channels published, never Initialised), so a test can stop a guest
 * mid-handshake.  dom0's backend kernel is `xsim-guest -s -b serve`.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xenstore.h"

#include "back.h"
#include "boot.h"
#include "front.h"
#include "script.h"
#include "xenbus.h"

static void
usage(void)
{
	fprintf(stderr, "usage: xsim-guest [-s] [-b] [-q N] [-H STATE] "
			"[-t SECONDS] [OPERATION...]\n");
	exit(2);
}

/* Start the router and the drivers; 0, or -1 after saying why. */
static int
start_drivers(struct xs_handle *h, bool dom0, bool backends, unsigned queues,
	      int hold)
{
	const char *what = "start the xenbus threads";

	if (xenbus_start(h, dom0 ? 0 : boot_domid()) < 0)
		goto fail;
	/* A guest without its frontends still runs its script. */
	if (!dom0 && front_start(hold) < 0)
		fprintf(stderr, "xsim-guest: cannot start the frontends: %s\n",
			strerror(errno));
	what = "start the backends";
	if (backends && back_start(queues) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "xsim-guest: cannot %s: %s\n", what, strerror(errno));
	return -1;
}

int
main(int argc, char **argv)
{
	struct xs_handle *h;
	unsigned timeout = 60, queues = 4;
	char *line = NULL;
	size_t cap = 0;
	int c, status = -1, i, hold = 0;
	bool dom0 = false, backends = false;

	while ((c = getopt(argc, argv, "+sbq:H:t:h")) != -1) {
		switch (c) {
		case 's':
			dom0 = true;
			break;
		case 'b':
			backends = true;
			break;
		case 'q':
			queues = (unsigned)strtoul(optarg, NULL, 10);
			if (queues == 0)
				usage();
			break;
		case 'H':
			hold = atoi(optarg);
			if (hold < 1 || hold > 7)
				usage();
			break;
		case 't':
			timeout = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	h = dom0 ? xs_open(0) : boot_xenstore();
	if (h == NULL) {
		if (dom0)
			fprintf(stderr,
				"xsim-guest: cannot open xenstored's "
				"socket: %s\n",
				strerror(errno));
		return 1;
	}
	if (start_drivers(h, dom0, backends, queues, hold) < 0) {
		xenbus_stop();
		xs_close(h);
		if (!dom0)
			boot_shutdown("crash");
		return 1;
	}
	script_init(h, timeout);
	if (optind < argc) {
		for (i = optind; i < argc && status < 0; i++)
			status = script_line(argv[i]);
	} else {
		while (status < 0 && getline(&line, &cap, stdin) > 0)
			status = script_line(line);
		free(line);
	}
	if (status < 0)
		status = script_end();
	/* The drivers stop before the connection they use goes. */
	if (xenbus_stop() == 0)
		xs_close(h);
	if (!dom0 && boot_shutdown(status == 0 ? "poweroff" : "crash") < 0)
		fprintf(stderr, "xsim-guest: shutdown: %s\n", strerror(errno));
	return status;
}
