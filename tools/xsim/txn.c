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

#define TXN_ATTEMPTS 100

static unsigned long retries;
static bool verbose;
static pid_t reporter;

bool
txn_run(struct xs_handle *h, xs_transaction_fn *fn, void *arg)
{
	unsigned attempt;
	xs_transaction_t t;
	int err;

	for (attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
		if (attempt > 0)
			retries++;
		t = xs_transaction_start(h);
		if (t == XBT_NULL)
			return false;
		if (!fn(h, t, arg)) {
			err = errno;
			xs_transaction_end(h, t, true);
			errno = err;
			return false;
		}
		if (xs_transaction_end(h, t, false))
			return true;
		if (errno != EAGAIN)
			return false;
	}
	errno = EAGAIN;
	return false;
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
