/* SPDX-License-Identifier: MIT */
/*
 * xenstore-control: send one CONTROL command to the daemon and print its
 * answer, as Xen's tool of the same name does (docs/xenstore-control.1.md).
 * The daemon is found by libxenstore's xs_open(): XENSTORED_PATH, else
 * $XENSTORED_RUNDIR/socket, else /var/run/xenstored/socket.
 *
 * "live-update [-c <cmdline>] [-F] [-t <timeout>] [-v <version>] <file>"
 * drives the daemon's live-update steps (-f, -c, -s, and -a after a
 * failure) as Xen's tool does; the -s step is answered by the new
 * binary.
 *
 * Exit status: 0 done, 1 cannot reach the daemon, 2 usage, 3 the command
 * failed.  Messages and their streams match Xen's byte for byte, since
 * scripts compare them; tests/integration/control_cli.sh checks that.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
join_args(int argc, const char *const *argv, unsigned *len)
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

/* One live-update step; 0, or 3 after printing what failed. */
static int
lu_step(struct xs_handle *h, const char *what, int argc,
	const char *const *argv)
{
	unsigned len;
	char *args = join_args(argc, argv, &len);
	char *reply = xs_control_command(h, "live-update", args, len);
	int rc = 0;

	if (reply == NULL || strcmp(reply, "OK") != 0) {
		fprintf(stderr, "%s failed:\n%s\n", what,
			reply ? reply : strerror(errno));
		rc = 3;
	}
	free(reply);
	if (args != no_args)
		free(args);
	return rc;
}

/* -s, again while the daemon answers BUSY (oxenstored does), up to to s. */
static int
lu_start(struct xs_handle *h, bool force, const char *to, const char *vers)
{
	const char *argv[6] = {"-s", "-t", to, NULL};
	int argc = 3, rc;
	unsigned len;
	time_t start = time(NULL);
	char *args, *reply = NULL;

	if (force)
		argv[argc++] = "-F";
	if (vers) {
		argv[argc++] = "-v";
		argv[argc++] = vers;
	}
	args = join_args(argc, argv, &len);
	do {
		free(reply);
		reply = xs_control_command(h, "live-update", args, len);
		if (reply == NULL || strcmp(reply, "BUSY") != 0)
			break;
		sleep(1);
	} while (time(NULL) - start < atoi(to));
	rc = reply && strcmp(reply, "OK") == 0 ? 0 : 3;
	if (rc)
		fprintf(stderr, "Starting live update failed:\n%s\n",
			reply ? reply : strerror(errno));
	free(reply);
	free(args);
	return rc;
}

static int
live_update(struct xs_handle *h, int argc, char **argv)
{
	const char *file = NULL, *cmdline = NULL, *vers = NULL, *to = "60";
	const char *f[2] = {"-f", NULL}, *c[2] = {"-c", NULL};
	static char abort_arg[] = "-a";
	bool force = false;
	int i, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-F") == 0)
			force = true;
		else if (argv[i][0] == '-' && argv[i][1] != '\0' &&
			 argv[i][2] == '\0' && strchr("ctv", argv[i][1])) {
			if (i + 1 == argc) {
				fprintf(stderr, "Missing %s value\n",
					argv[i][1] == 'c'   ? "command line"
					: argv[i][1] == 't' ? "timeout"
							    : "version");
				return 2;
			}
			*(argv[i][1] == 'c'   ? &cmdline
			  : argv[i][1] == 't' ? &to
					      : &vers) = argv[i + 1];
			i++;
		} else
			file = argv[i];
	}
	if (file == NULL) {
		fputs("Missing binary specification\n", stderr);
		return 2;
	}
	f[1] = file;
	c[1] = cmdline;
	if ((rc = lu_step(h, "Setting update binary", 2, f)) != 0)
		return rc;
	if ((cmdline == NULL ||
	     (rc = lu_step(h, "Setting update binary", 2, c)) == 0) &&
	    (rc = lu_start(h, force, to, vers)) == 0)
		return 0;
	free(xs_control_command(h, "live-update", abort_arg, 3));
	return rc;
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
	if (strcmp(argv[1], "live-update") == 0) {
		status = live_update(h, argc - 2, argv + 2);
		xs_close(h);
		return status;
	}
	args = join_args(argc - 2, (const char *const *)argv + 2, &len);
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
