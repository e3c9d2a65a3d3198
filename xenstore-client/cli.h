/* SPDX-License-Identifier: MIT */
/*
 * The internals of the xenstore command-line tool (build/bin/xenstore and
 * its xenstore-<mode> links), shared by its files: the value escaping of
 * Xen's tools, the buffered output that is thrown away when a transaction
 * is redone, the recursive listing and the JSON dumps.  Only the public
 * API of libxenstore is used from here.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "xenstore.h"

/*
 * Escape len bytes of val as Xen's tools print values: printable ASCII
 * but backslash as is; \t \n \r \\; bytes below 8 as \ooo (three octal
 * digits); anything else as \xhh.  Returns a NUL-terminated string that
 * stays valid until the next call (it is reused), or NULL if out of
 * memory.
 */
const char *cli_escape(const char *val, size_t len);

/* Free the buffer cli_escape() reuses. */
void cli_escape_free(void);

/*
 * Undo escaping as Xen's xenstore-write does: \t \n \r \\, \xhh (at most
 * two hex digits), \ooo (at most three octal digits), a backslash before
 * any other byte drops the backslash, and a trailing backslash becomes a
 * NUL byte.  out holds at least strlen(in) + 1 bytes.  Returns the length
 * of the result (which may contain NULs).
 */
size_t cli_unescape(char *out, const char *in);

/* Output kept until the transaction commits (and dropped on a retry). */
void cli_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_out_raw(const char *data, size_t len);
void cli_out_reset(void);
void cli_out_flush(void);

/* Settings of xenstore-ls (Xen's defaults: 80 columns, padding to 60). */
struct cli_ls {
	int max_width;
	int desired_width;
	bool whole_path; /* -f */
	bool perms;	 /* -p */
};

/*
 * Print the subtree below path as xenstore-ls does, on stdout directly.
 * Nodes vanishing during the walk are skipped; failing to list path
 * itself exits with status 1.
 */
void cli_ls(struct xs_handle *h, const char *path, int depth,
	    const struct cli_ls *opt);

/*
 * The subtree at path as one JSON document (value, perms and children of
 * every node) followed by a newline, read with transaction t.  With
 * buffered, into the transaction's output (cli_out), else on stdout.
 * Returns 0, or -1 with errno if path itself cannot be read; nodes
 * vanishing below it are skipped.
 */
int cli_json(struct xs_handle *h, xs_transaction_t t, const char *path,
	     bool buffered);

#endif /* CLI_H */
