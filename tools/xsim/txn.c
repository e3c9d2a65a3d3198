/* SPDX-License-Identifier: MIT */
/*
 * Counted transaction retries (txn.h).  The count is per process; the
 * report is written once, by the process that asked for it, so that the
 * monitors and guests forked from xsim (which leave with _exit) never
 * add their own line.  Appending one short line with O_APPEND keeps the
 * lines of 20 concurrent xsim processes whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "txn.h"
#include "util.h"

#define TXN_ATTEMPTS 100

static unsigned long retries;
static bool verbose;
static pid_t reporter;

/* fn and its argument, and how many times the library called it. */
struct counted {
	xs_transaction_fn *fn;
	void *arg;
	unsigned long calls;
};

static bool
counted_fn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct counted *c = arg;

	c->calls++;
	return c->fn(h, t, c->arg);
}

/* The library's retry loop; every call of fn after the first is a retry. */
bool
txn_run(struct xs_handle *h, xs_transaction_fn *fn, void *arg)
{
	struct counted c = {.fn = fn, .arg = arg};
	bool ok = xs_transaction_retry(h, counted_fn, &c, TXN_ATTEMPTS);

	if (c.calls > 1)
		retries += c.calls - 1;
	return ok;
}

struct xs_handle *
txn_open(void)
{
	struct xs_handle *xsh = xs_open(0);

	if (xsh == NULL)
		util_err("cannot reach xenstored at %s",
			 getenv("XENSTORED_PATH"));
	return xsh;
}

unsigned long
txn_retries(void)
{
	return retries;
}

static void
report(void)
{
	const char *file = getenv("XSIM_STATS");
	char line[64];
	int fd, n;

	if (getpid() != reporter)
		return;
	if (verbose)
		fprintf(stderr, "xsim: %lu transaction retries\n", retries);
	if (file == NULL || *file == '\0')
		return;
	n = snprintf(line, sizeof(line), "retries %lu\n", retries);
	fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		fprintf(stderr, "xsim: cannot write %s: %s\n", file,
			strerror(errno));
	if (fd >= 0)
		close(fd);
}

void
txn_report_at_exit(bool v)
{
	verbose = v;
	reporter = getpid();
	atexit(report);
}
