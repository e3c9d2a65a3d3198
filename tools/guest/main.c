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
 *   xsim-guest [-s] [-t SECONDS] [OPERATION...]
 *
 * -t is the hang guard of each operation (default 60, 0 for none).  -s
 * runs the script as a dom0 tool instead, over xenstored's socket
 * (xs_open()), so that a test writes dom0's part in the same language.
 * Exit status: the script's (exit N), 1 if booting failed, 2 for a bad
 * operation, 3 if an operation hit the hang guard.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xenstore.h"

#include "boot.h"
#include "script.h"

static void
usage(void)
{
	fprintf(stderr, "usage: xsim-guest [-s] [-t SECONDS] [OPERATION...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct xs_handle *h;
	unsigned timeout = 60;
	char *line = NULL;
	size_t cap = 0;
	int c, status = -1, i;
	bool dom0 = false;

	while ((c = getopt(argc, argv, "+st:h")) != -1) {
		switch (c) {
		case 's':
			dom0 = true;
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
	xs_close(h);
	if (!dom0 && boot_shutdown(status == 0 ? "poweroff" : "crash") < 0)
		fprintf(stderr, "xsim-guest: shutdown: %s\n", strerror(errno));
	return status;
}
