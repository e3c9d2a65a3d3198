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
 * binary.  When /tool/xenstored/domid exists xenstore runs in a domain
 * of its own, which cannot read our files: then, as Xen's tool does,
 * the file itself goes instead of its name, announced with -b <size>
 * and sent in chunks of CHUNK bytes, each "-d\0<len>\0<bytes>\0".
 *
 * Exit status: 0 done, 1 cannot reach the daemon, 2 usage, 3 the command
 * failed.  Messages and their streams match Xen's byte for byte, since
 * scripts compare them; tests/integration/control_cli.sh checks that.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
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

/* Xen's tool's chunk size: a chunk and its header fit one request. */
#define CHUNK 2048

/* The whole of file, malloc'd, its size in *size; NULL with errno. */
static char *
read_file(const char *file, size_t *size)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0)
		err = errno;
	else if (!S_ISREG(st.st_mode) || st.st_size == 0)
		err = EINVAL;
	else if ((buf = malloc((size_t)st.st_size)) == NULL)
		err = ENOMEM;
	else
		err = 0;
	if (err) {
		close(fd);
		errno = err;
		return NULL;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*size = got;
	return buf;
}

/* A xenstore domain's new kernel: -b, then the chunks; 0, 1 or 3. */
static int
send_kernel(struct xs_handle *h, const char *file)
{
	char num[24], *img, *buf, *reply;
	const char *b[2] = {"-b", num};
	size_t size, off, n;
	unsigned len;
	int rc;

	if ((img = read_file(file, &size)) == NULL) {
		fprintf(stderr, "Cannot read %s: %s\n", file, strerror(errno));
		return 1;
	}
	snprintf(num, sizeof(num), "%zu", size);
	if ((rc = lu_step(h, "Starting live update", 2, b)) != 0 ||
	    (buf = malloc(3 + sizeof(num) + CHUNK + 1)) == NULL) {
		free(img);
		return rc ? rc : 1;
	}
	for (off = 0; off < size && rc == 0; off += n) {
		n = size - off < CHUNK ? size - off : CHUNK;
		memcpy(buf, "-d", 3);
		len = 3 + (unsigned)sprintf(buf + 3, "%zu", n) + 1;
		memcpy(buf + len, img + off, n);
		buf[len + n] = '\0';
		len += (unsigned)n + 1;
		reply = xs_control_command(h, "live-update", buf, len);
		if (reply == NULL || strcmp(reply, "OK") != 0) {
			fprintf(stderr, "Transfer of new binary failed:\n%s\n",
				reply ? reply : strerror(errno));
			rc = 3;
		}
		free(reply);
	}
	free(buf);
	free(img);
	return rc;
}

/* Whether xenstore runs in a domain of its own. */
static bool
in_domain(struct xs_handle *h)
{
	unsigned len;
	char *v = xs_read(h, XBT_NULL, "/tool/xenstored/domid", &len);

	free(v);
	return v != NULL;
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
	if (in_domain(h)) {
		/* As Xen's tool: -a after any failure of the upload too. */
		if ((rc = send_kernel(h, file)) != 0) {
			free(xs_control_command(h, "live-update", abort_arg,
						3));
			return rc;
		}
	} else if ((rc = lu_step(h, "Setting update binary", 2, f)) != 0)
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
