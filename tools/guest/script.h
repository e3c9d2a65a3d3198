/* SPDX-License-Identifier: MIT */
/*
 * The guest's script: one xenstore operation per line, run through
 * libxenstore, one stable line of output per result, so that a test can
 * act as any guest and compare what it printed.  The language and the
 * output format are described at the top of script.c.
 */
#ifndef SCRIPT_H
#define SCRIPT_H

struct xs_handle;

/*
 * Run the script's operations on h.  timeout is the hang guard of one
 * operation in seconds (0: none): an operation that takes longer prints
 * "<op>: timeout" and the guest exits with status 3.
 */
void script_init(struct xs_handle *h, unsigned timeout);

/*
 * Run one line.  Returns -1 to go on, or the exit status the script asked
 * for ("exit", or a shutdown request obeyed while sleeping).
 */
int script_line(const char *line);

/* The input ended: discard an unfinished transaction; returns 0. */
int script_end(void);

#endif /* SCRIPT_H */
