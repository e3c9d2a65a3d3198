/* SPDX-License-Identifier: MIT */
/*
 * The increment loop of the crash tests and benchmark: a guest counting
 * up two nodes, one with plain requests and one in transactions, timing
 * every round, so that a test can kill the daemon under it and check
 * that nothing was lost or applied twice.
 */
#ifndef INCR_H
#define INCR_H

#include <stdio.h>

struct xs_handle;

/*
 * rounds times: increment plain (READ, then WRITE of one more) and
 * intx (the same in a transaction, again while the commit says EAGAIN).
 * Prints, on out,
 * "incr-loop N: plain V tx V retries R p50 U p99 U max U"
 * (latencies of a round in microseconds), or "incr-loop: OP PATH: ERR
 * at round I" at the first error.  0, or -1 after an error.
 */
int incr_loop(struct xs_handle *h, FILE *out, long rounds, const char *plain,
	      const char *intx);

#endif /* INCR_H */
