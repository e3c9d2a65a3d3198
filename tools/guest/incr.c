/* SPDX-License-Identifier: MIT */
/*
 * The increment loop (incr.h).  Values are read back from the daemon
 * each round, never counted here: a write lost across a crash shows as a
 * final value short of the rounds, a commit applied twice as one above.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xs_wire.h" /* before xenstore.h, which then defers to it */
#include "xenstore.h"

#include "incr.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Read path's number (0 if missing) and write one more; 0 or -1. */
static int
bump(struct xs_handle *h, xs_transaction_t t, const char *path,
     unsigned long *value, const char **what)
{
	unsigned len;
	char *v = xs_read(h, t, path, &len), num[32];

	*what = "read";
	if (v == NULL && errno != ENOENT)
		return -1;
	*value = v ? strtoul(v, NULL, 10) + 1 : 1;
	free(v);
	snprintf(num, sizeof(num), "%lu", *value);
	*what = "write";
	return xs_write(h, t, path, num, (unsigned)strlen(num)) ? 0 : -1;
}

/* One transactional increment, retried on EAGAIN; 0 or -1. */
static int
bump_tx(struct xs_handle *h, const char *path, unsigned long *value,
	unsigned long *retries, const char **what)
{
	xs_transaction_t t;

	for (;;) {
		*what = "transaction_start";
		if ((t = xs_transaction_start(h)) == XBT_NULL)
			return -1;
		if (bump(h, t, path, value, what) != 0) {
			xs_transaction_end(h, t, true);
			return -1;
		}
		*what = "commit";
		if (xs_transaction_end(h, t, false))
			return 0;
		if (errno != EAGAIN)
			return -1;
		(*retries)++;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
incr_loop(struct xs_handle *h, FILE *out, long rounds, const char *plain,
	  const char *intx)
{
	unsigned long pv = 0, tv = 0, retries = 0;
	const char *what = "", *path;
	double *lat, t;
	long i;

	if (rounds <= 0 ||
	    (lat = malloc((size_t)rounds * sizeof(*lat))) == NULL) {
		fprintf(out, "incr-loop: bad count\n");
		return -1;
	}
	for (i = 0; i < rounds; i++) {
		t = now_us();
		path = plain;
		if (bump(h, XBT_NULL, plain, &pv, &what) != 0)
			goto fail;
		path = intx;
		if (bump_tx(h, intx, &tv, &retries, &what) != 0)
			goto fail;
		lat[i] = now_us() - t;
	}
	qsort(lat, (size_t)rounds, sizeof(*lat), cmp_double);
	fprintf(out,
		"incr-loop %ld: plain %lu tx %lu retries %lu "
		"p50 %.0f p99 %.0f max %.0f\n",
		rounds, pv, tv, retries, lat[rounds / 2],
		lat[rounds * 99 / 100], lat[rounds - 1]);
	free(lat);
	return 0;
fail:
	fprintf(out, "incr-loop: %s %s: %s at round %ld\n", what, path,
		strerror(errno), i);
	free(lat);
	return -1;
}
