/* SPDX-License-Identifier: MIT */
/*
 * xenstore-control: send one CONTROL command to the daemon and print its
 * answer, as Xen's tool of the same name does (docs/xenstore-control.1.md).
 * The daemon is found by libxenstore's xs_open(): XENSTORED_PATH, else
 * $XENSTORED_RUNDIR/socket, else /var/run/xenstored/socket.
 *
 * Exit status: 0 done, 1 cannot reach the daemon, 2 usage, 3 the command
 * failed.  Messages and their streams match Xen's byte for byte, since
 * scripts compare them; tests/integration/control_cli.sh checks that.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore.h"

/*
 * Passed instead of NULL for "no arguments": libxenstore copies the
 * argument buffer with memcpy(), which must not be given NULL even for
 * zero bytes (UBSan stops the tool otherwise).
 */
static char no_args[1];

/*
 * The arguments after the command, each with its NUL, in one buffer (the
 * payload after "<command>\0").  Returns the buffer (no_args when there
 * are none) and its length in *len; exits 1 if memory runs out.
 */
static char *
join_args(int argc, char **argv, unsigned *len)
{
	size_t total = 0, off = 0, n;
	char *buf;
	int i;

	for (i = 0; i < argc; i++)
		total += strlen(argv[i]) + 1;
	*len = (unsigned)total;
	if (total == 0)
		return no_args;
	buf = malloc(total);
	if (buf == NULL) {
		fputs("Allocation error.\n", stderr);
		exit(1);
	}
	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		memcpy(buf + off, argv[i], n);
		off += n;
	}
	return buf;
}

/* The command failed with errno err: say why, as Xen's tool does. */
static void
report_failure(struct xs_handle *h, int err)
{
	char *help;

	if (err != EINVAL) {
		fprintf(stderr, "Error %d when trying to execute command.\n",
			err);
		return;
	}
	/* EINVAL: unknown command or bad arguments; list what exists. */
	help = xs_control_command(h, "help", no_args, 0);
	if (help == NULL) {
		fputs("Error when executing command.\n", stderr);
		return;
	}
	fprintf(stderr, "Command not supported. Valid commands are:\n%s\n",
		help);
	free(help);
}

int
main(int argc, char **argv)
{
	struct xs_handle *h;
	unsigned len;
	char *args, *reply;
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "Usage:\n%s <command> [<arg>...]\n", argv[0]);
		return 2;
	}
	h = xs_open(0);
	if (h == NULL) {
		fputs("Failed to contact Xenstored.\n", stderr);
		return 1;
	}
	args = join_args(argc - 2, argv + 2, &len);
	reply = xs_control_command(h, argv[1], args, len);
	if (reply == NULL) {
		report_failure(h, errno);
		status = 3;
	} else if (reply[0] != '\0') {
		printf("%s\n", reply);
	}
	free(reply);
	if (args != no_args)
		free(args);
	xs_close(h);
	return status;
}
