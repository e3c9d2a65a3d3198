/* SPDX-License-Identifier: MIT */
/*
 * xenstore-ls: the recursive listing, printed exactly as Xen's tool
 * prints it, quirks included, because scripts parse it: the name is cut
 * to the terminal width, a long value is cut and ends in \...", and with
 * -p the line is padded with ". " up to column 60 before the permissions.
 *
 * The width arithmetic mixes int and size_t on purpose, as Xen's does:
 * a terminal narrower than the tag (" = \"...\"") makes the cut lengths
 * negative, which printf() treats as "no limit", and a width below zero
 * (a terminal of 0 or 1 columns) compares as huge, so nothing is cut.
 * Worked example, 40 columns (max_width 38), name "short" and a 60-byte
 * value: 5 + 60 + 8 > 38, so the value is cut to 38 - 8 - 5 = 25 bytes.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The tag whose length is reserved after the name. */
#define TAG_LEN strlen(" = \"...\"")
/* Paths longer than Xen's limit plus slack are shown without a value. */
#define PATH_BUF (3072 + 1024)

static void
print_perms(struct xs_handle *h, const char *path, const char *name)
{
	struct xs_permissions *perms;
	unsigned int n, i;
	static const char letters[] = "nrwb";

	perms = xs_get_permissions(h, XBT_NULL, path, &n);
	if (perms == NULL) {
		warn("\ncould not access permissions for %s", name);
		return;
	}
	fputs("  (", stdout);
	for (i = 0; i < n; i++) {
		unsigned int access =
			perms[i].perms & ~(unsigned)XS_PERM_IGNORE;

		if (i > 0)
			putchar(',');
		/* Xen's formatter gives up on flags it does not know. */
		if (access <= (XS_PERM_READ | XS_PERM_WRITE))
			printf("%c%i", letters[access], (int)perms[i].id);
	}
	putchar(')');
	free(perms);
}

/* Print the value part of one line; linewid is the width so far. */
static void
print_value(struct xs_handle *h, const char *path, size_t path_len, int linewid,
	    const struct cli_ls *opt)
{
	unsigned int len = 0;
	const char *esc;
	char *val = NULL;
	int limit;

	if (path_len < PATH_BUF)
		val = xs_read(h, XBT_NULL, path, &len);
	if (val == NULL) {
		printf(":\n");
		return;
	}
	esc = cli_escape(val, len);
	if (esc == NULL)
		err(1, "malloc");
	if ((size_t)opt->max_width <
	    (size_t)((unsigned int)linewid + len) + TAG_LEN) {
		printf(" = \"%.*s\\...\"",
		       (int)((size_t)opt->max_width - TAG_LEN -
			     (size_t)linewid),
		       esc);
	} else {
		linewid += printf(" = \"%s\"", esc);
		if (opt->perms) {
			limit = opt->desired_width < opt->max_width
					? opt->desired_width
					: opt->max_width;
			putchar(' ');
			for (linewid++; linewid < limit; linewid++)
				putchar((linewid & 1) ? '.' : ' ');
		}
	}
	free(val);
}

void
cli_ls(struct xs_handle *h, const char *path, int depth,
       const struct cli_ls *opt)
{
	char **names, *child;
	unsigned int num, i;
	int child_len, linewid;
	const char *sep;

	names = xs_directory(h, XBT_NULL, path, &num);
	if (names == NULL) {
		/* A node that went away during the walk is skipped. */
		if (depth > 0 && errno == ENOENT)
			return;
		err(1, "xs_directory (%s)", path);
	}
	child = malloc(PATH_BUF);
	if (child == NULL)
		err(1, "malloc in do_ls");
	sep = path[strlen(path) - 1] == '/' ? "" : "/";
	for (i = 0; i < num; i++) {
		child_len = snprintf(child, PATH_BUF, "%s%s%s", path, sep,
				     names[i]);
		linewid = 0;
		if (opt->whole_path) {
			fputs(child, stdout);
		} else {
			for (; linewid < depth; linewid++)
				putchar(' ');
			linewid += printf("%.*s",
					  (int)((size_t)opt->max_width -
						TAG_LEN - (size_t)linewid),
					  names[i]);
		}
		print_value(h, child, (size_t)child_len, linewid, opt);
		if (opt->perms)
			print_perms(h, child, names[i]);
		putchar('\n');
		cli_ls(h, child, depth + 1, opt);
	}
	free(names);
	free(child);
}
