/* SPDX-License-Identifier: MIT */
/*
 * The xenstore multi-call tool: `xenstore <mode> ...` or a link named
 * xenstore-<mode>, modes read write rm exists list ls chmod watch.  Its
 * options, messages, output and exit codes are those of Debian's Xen
 * 4.17 tools, byte for byte (scripts parse them), with these exceptions,
 * documented in docs/man/: `list -p /` prints "/name" (Xen 4.17: "//name",
 * fixed in later Xen); `watch` exits with an error when the connection
 * drops instead of spinning; `chmod -r` does not cut long paths at 255
 * bytes; and the extensions --json (ls, read), `-` as a write value
 * (standard input) and -d/--depth for watch (from newer Xen).
 *
 * Every mode but ls and watch runs in one transaction and starts again
 * when the commit fails with EAGAIN; its output is buffered until then.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

enum mode {
	MODE_unknown,
	MODE_chmod,
	MODE_exists,
	MODE_list,
	MODE_ls,
	MODE_read,
	MODE_rm,
	MODE_write,
	MODE_watch,
};

struct opts {
	bool prefix, tidy, upto, recurse, raw, json;
	int nr_watches; /* -1: no limit */
	int depth;	/* -1: plain watch */
	struct cli_ls ls;
	char *stdin_value; /* the value read for a `-` argument of write */
	size_t stdin_len;
};

static const struct {
	const char *name;
	enum mode mode;
	const char *usage;
} modes[] = {
	{"read", MODE_read, "[-h] [-p] [-s] [-R] key [...]"},
	{"chmod", MODE_chmod, "[-h] [-u] [-r] [-s] key <mode [modes...]>"},
	{"exists", MODE_exists, "[-h] [-p] [-s] key [...]"},
	{"list", MODE_list, "[-h] [-p] [-s] key [...]"},
	{"ls", MODE_ls, "[-h] [-f] [-p] [-s] [path]"},
	{"rm", MODE_rm, "[-h] [-s] [-t] key [...]"},
	{"write", MODE_write, "[-h] [-s] [-R] key value [...]"},
	{"watch", MODE_watch, "[-h] [-n NR] key"},
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

static unsigned
mode_index(enum mode mode)
{
	unsigned i;

	for (i = 0; i < NMODES && modes[i].mode != mode; i++)
		;
	return i;
}

static void __attribute__((noreturn))
usage(enum mode mode, bool incl_mode, const char *progname)
{
	unsigned i = mode_index(mode);

	if (i == NMODES)
		errx(1, "Usage: %s <mode> [-h] [...]", progname);
	errx(1, "Usage: %s %s%s%s", progname, incl_mode ? modes[i].name : "",
	     incl_mode ? " " : "", modes[i].usage);
}

static enum mode
lookup_mode(const char *name)
{
	unsigned i;

	for (i = 0; i < NMODES; i++)
		if (strcmp(name, modes[i].name) == 0)
			return modes[i].mode;
	errx(1, "unknown mode %s\n", name);
}

static int
do_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	if (xs_rm(h, t, path))
		return 0;
	warnx("could not remove path %s", path);
	return 1;
}

/*
 * rm -t: remove path, then each parent that is left with an empty value
 * and no children, up to the root.
 */
static int
do_rm_tidy(struct xs_handle *h, xs_transaction_t t, const char *arg)
{
	char *path = strdup(arg), *slash, *val, **list;
	unsigned int len, num;

	if (path == NULL)
		return 1;
	for (;;) {
		if (do_rm(h, t, path) != 0) {
			free(path);
			return 1;
		}
		slash = strrchr(path, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		val = xs_read(h, t, path, &len);
		if (val == NULL || len != 0) {
			free(val);
			break;
		}
		free(val);
		list = xs_directory(h, t, path, &num);
		free(list);
		if (list == NULL || num != 0)
			break;
	}
	free(path);
	return 0;
}

static void
do_chmod(struct xs_handle *h, xs_transaction_t t, char *path,
	 struct xs_permissions *perms, unsigned n, bool upto, bool recurse)
{
	char *sep, *child, **names;
	unsigned int num, i;

	if (path[0] == '\0')
		return;
	if (!xs_set_permissions(h, t, path, perms, n))
		err(1, "Error occurred setting permissions on '%s'", path);
	if (upto) {
		sep = strrchr(path, '/');
		if (sep == NULL)
			errx(1, "Unable to locate path separator '%c' in '%s'",
			     '/', path);
		*sep = '\0';
		do_chmod(h, t, path, perms, n, true, false);
		*sep = '/';
	}
	if (recurse) {
		names = xs_directory(h, t, path, &num);
		for (i = 0; names != NULL && i < num; i++) {
			/* Unlike Xen's tool, no cut at 255 bytes. */
			child = malloc(strlen(path) + strlen(names[i]) + 2);
			if (child == NULL)
				err(1, "malloc");
			sprintf(child, "%s/%s", path, names[i]);
			do_chmod(h, t, child, perms, n, false, true);
			free(child);
		}
		free(names);
	}
}

static int
mode_chmod(struct xs_handle *h, xs_transaction_t t, char **args, int n,
	   const struct opts *o)
{
	struct xs_permissions *perms;
	char *path;
	int i;

	perms = calloc((size_t)n, sizeof(*perms));
	path = strdup(args[0]);
	if (perms == NULL || path == NULL)
		err(1, "malloc");
	for (i = 1; i < n; i++) {
		perms[i - 1].id = (unsigned int)atoi(args[i] + 1);
		switch (args[i][0]) {
		case 'n':
			perms[i - 1].perms = XS_PERM_NONE;
			break;
		case 'r':
			perms[i - 1].perms = XS_PERM_READ;
			break;
		case 'w':
			perms[i - 1].perms = XS_PERM_WRITE;
			break;
		case 'b':
			perms[i - 1].perms = XS_PERM_READ | XS_PERM_WRITE;
			break;
		default:
			errx(1, "Invalid permission specification: '%c'",
			     args[i][0]);
		}
	}
	do_chmod(h, t, path, perms, (unsigned)(n - 1), o->upto, o->recurse);
	free(path);
	free(perms);
	return 0;
}

static int
mode_watch(struct xs_handle *h, char **args, int n, const struct opts *o)
{
	unsigned int num;
	char **ev;
	int i, count;

	for (i = 0; i < n; i++) {
		if (o->depth < 0 && !xs_watch(h, args[i], args[i]))
			errx(1, "Unable to add watch on %s\n", args[i]);
		if (o->depth >= 0 &&
		    !xs_watch_depth(h, args[i], args[i], (unsigned)o->depth))
			errx(1, "Unable to add watch on %s with depth %d\n",
			     args[i], o->depth);
	}
	for (count = 0; o->nr_watches == -1 || count < o->nr_watches; count++) {
		ev = xs_read_watch(h, &num);
		/* Xen's tool loops here for ever once the daemon is gone. */
		if (ev == NULL)
			errx(1, "lost the connection to xenstored");
		printf("%s\n", ev[XS_WATCH_PATH]);
		fflush(stdout);
		free(ev);
	}
	return 0;
}

/* One key (or key-value pair) of the transactional modes. */
static int
perform_one(struct xs_handle *h, xs_transaction_t t, enum mode mode,
	    char **args, const struct opts *o)
{
	unsigned int len, num, i;
	char *val, **list;
	const char *pref;

	switch (mode) {
	case MODE_read:
		if (o->json) {
			if (cli_json(h, t, args[0], true) == 0)
				return 0;
			warnx("couldn't read path %s", args[0]);
			return 1;
		}
		val = xs_read(h, t, args[0], &len);
		if (val == NULL) {
			warnx("couldn't read path %s", args[0]);
			return 1;
		}
		if (o->prefix)
			cli_out("%s: ", args[0]);
		if (o->raw) {
			cli_out_raw(val, len);
		} else {
			pref = cli_escape(val, len);
			if (pref == NULL)
				err(1, "malloc");
			cli_out("%s\n", pref);
		}
		free(val);
		return 0;
	case MODE_write:
		if (strcmp(args[1], "-") == 0) {
			val = o->stdin_value;
			len = (unsigned int)o->stdin_len;
		} else if (o->raw) {
			val = args[1];
			len = (unsigned int)strlen(args[1]);
		} else {
			val = malloc(strlen(args[1]) + 1);
			if (val == NULL)
				err(1, "malloc");
			len = (unsigned int)cli_unescape(val, args[1]);
		}
		i = xs_write(h, t, args[0], val, len);
		if (val != args[1] && val != o->stdin_value)
			free(val);
		if (!i) {
			warnx("could not write path %s", args[0]);
			return 1;
		}
		return 0;
	case MODE_rm:
		return o->tidy ? do_rm_tidy(h, t, args[0])
			       : do_rm(h, t, args[0]);
	case MODE_exists:
		val = xs_read(h, t, args[0], NULL);
		free(val);
		return val == NULL;
	case MODE_list:
		list = xs_directory(h, t, args[0], &num);
		if (list == NULL) {
			warnx("could not list path %s", args[0]);
			return 1;
		}
		/* Xen 4.17 printed "//name" for the root (fixed later). */
		pref = strcmp(args[0], "/") == 0 ? "" : args[0];
		for (i = 0; i < num; i++) {
			if (o->prefix)
				cli_out("%s/", pref);
			cli_out("%s\n", list[i]);
		}
		free(list);
		return 0;
	default:
		errx(1, "invalid mode %d", mode);
	}
}

static int
perform(struct xs_handle *h, xs_transaction_t t, enum mode mode, char **args,
	int n, struct opts *o)
{
	int i, step = mode == MODE_write ? 2 : 1, r;
	static char slash[] = "/";
	char *root[] = {slash};

	switch (mode) {
	case MODE_ls:
		if (n == 0) {
			args = root;
			n = 1;
		}
		for (i = 0; i < n; i++) {
			if (o->json) {
				if (cli_json(h, XBT_NULL, args[i], false) != 0)
					err(1, "xs_directory (%s)", args[i]);
			} else {
				cli_ls(h, args[i], 0, &o->ls);
			}
		}
		return 0;
	case MODE_chmod:
		return mode_chmod(h, t, args, n, o);
	case MODE_watch:
		return mode_watch(h, args, n, o);
	default:
		for (i = 0; i < n; i += step) {
			r = perform_one(h, t, mode, args + i, o);
			if (r != 0)
				return r;
		}
		return 0;
	}
}

/* write: read the value given as `-` from standard input, once. */
static void
read_stdin_value(char **args, int n, struct opts *o)
{
	size_t size = 0;
	int i, seen = 0;
	ssize_t got;

	for (i = 1; i < n; i += 2)
		seen += strcmp(args[i], "-") == 0;
	if (seen == 0)
		return;
	if (seen > 1)
		errx(1, "only one value may be read from standard input");
	for (;;) {
		if (o->stdin_len == size) {
			size = size ? size * 2 : 4096;
			o->stdin_value = realloc(o->stdin_value, size);
			if (o->stdin_value == NULL)
				err(1, "malloc");
		}
		got = read(STDIN_FILENO, o->stdin_value + o->stdin_len,
			   size - o->stdin_len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err(1, "standard input");
		if (got == 0)
			break;
		o->stdin_len += (size_t)got;
	}
}

/* Options; anything unknown is reported by getopt and ignored, as Xen. */
static void
parse_options(int argc, char **argv, enum mode mode, bool incl_mode,
	      const char *progname, struct opts *o)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"flat", no_argument, NULL, 'f'},
		{"prefix", no_argument, NULL, 'p'},
		{"tidy", no_argument, NULL, 't'},
		{"upto", no_argument, NULL, 'u'},
		{"recurse", no_argument, NULL, 'r'},
		{"number", required_argument, NULL, 'n'},
		{"raw", no_argument, NULL, 'R'},
		{"depth", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'J'},
		{NULL, 0, NULL, 0},
	};
	bool ok;
	int c;

	while ((c = getopt_long(argc, argv, "hfspturn:Rd:", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'h':
			usage(mode, incl_mode, progname);
		case 'f':
			ok = mode == MODE_ls;
			o->ls.max_width = INT_MAX / 2;
			o->ls.desired_width = 0;
			o->ls.whole_path = true;
			break;
		case 'p':
			ok = mode == MODE_read || mode == MODE_list ||
			     mode == MODE_ls;
			o->prefix = o->ls.perms = true;
			break;
		case 't':
			ok = mode == MODE_rm;
			o->tidy = true;
			break;
		case 'u':
			ok = mode == MODE_chmod;
			o->upto = true;
			break;
		case 'r':
			ok = mode == MODE_chmod;
			o->recurse = true;
			break;
		case 'n':
			ok = mode == MODE_watch;
			o->nr_watches = atoi(optarg);
			break;
		case 'R':
			ok = mode == MODE_read || mode == MODE_write;
			o->raw = true;
			break;
		case 'd':
			ok = mode == MODE_watch;
			o->depth = atoi(optarg);
			break;
		case 'J':
			ok = mode == MODE_ls || mode == MODE_read;
			o->json = true;
			break;
		default:
			ok = true;
			break;
		}
		if (!ok)
			usage(mode, incl_mode, progname);
	}
}

int
main(int argc, char **argv)
{
	struct opts o = {
		.nr_watches = -1,
		.depth = -1,
		.ls = {.max_width = 80, .desired_width = 60},
	};
	const char *cmd = strrchr(argv[0], '/');
	struct xs_handle *h;
	xs_transaction_t t = XBT_NULL;
	struct winsize ws;
	bool transaction;
	enum mode mode;
	int skip, n, ret;
	char **args;

	cmd = cmd ? cmd + 1 : argv[0];
	if (strncmp(cmd, "xenstore-", 9) == 0) {
		skip = 0;
		cmd += 9;
	} else if (argc < 2) {
		usage(MODE_unknown, false, argv[0]);
	} else {
		skip = 1;
		cmd = argv[1];
	}
	mode = lookup_mode(cmd);
	parse_options(argc - skip, argv + skip, mode, skip, argv[0], &o);
	args = argv + skip + optind;
	n = argc - skip - optind;

	if (mode == MODE_write && n % 2 == 1)
		usage(mode, skip, argv[0]);
	if (mode != MODE_ls && n == 0)
		usage(mode, skip, argv[0]);
	if (mode == MODE_write)
		read_stdin_value(args, n, &o);

	switch (mode) {
	case MODE_read:
		transaction = n > 1 || o.json;
		break;
	case MODE_write:
		transaction = n > 2;
		break;
	case MODE_ls:
	case MODE_watch:
		transaction = false;
		break;
	default:
		transaction = true;
		break;
	}
	/* Xen's tool asks the terminal only, never $COLUMNS; so do we. */
	if (mode == MODE_ls && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		o.ls.max_width = ws.ws_col - 2;

	h = xs_open(0);
	if (h == NULL)
		err(1, "xs_open");
	for (;;) {
		if (transaction) {
			t = xs_transaction_start(h);
			if (t == XBT_NULL)
				errx(1, "couldn't start transaction");
		}
		ret = perform(h, t, mode, args, n, &o);
		if (!transaction || xs_transaction_end(h, t, ret != 0))
			break;
		if (ret != 0 || errno != EAGAIN)
			errx(1, "couldn't end transaction");
		cli_out_reset();
	}
	cli_out_flush();
	cli_escape_free();
	free(o.stdin_value);
	xs_close(h);
	return ret;
}
