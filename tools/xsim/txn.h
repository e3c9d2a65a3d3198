/* SPDX-License-Identifier: MIT */
/*
 * Every xenstore transaction xsim makes goes through txn_run(), which
 * retries on EAGAIN as libxl does and counts the retries, so that a test
 * can see how often concurrent toolstacks collided (xsim -v, or
 * XSIM_STATS=FILE); and xsim's connection to xenstored is opened here.
 */
#ifndef TXN_H
#define TXN_H

#include <stdbool.h>

#include "xenstore.h"

/*
 * Run fn(h, t, arg) in a transaction and commit it, starting again on
 * EAGAIN (at most 100 attempts).  Same contract as xs_transaction_retry():
 * true once committed; false with fn's errno, or EAGAIN when the attempts
 * ran out.
 */
bool txn_run(struct xs_handle *h, xs_transaction_fn *fn, void *arg);

/* xsim's connection to xenstored; NULL after saying why. */
struct xs_handle *txn_open(void);

/* Retries so far in this process. */
unsigned long txn_retries(void);

/*
 * At exit of this process (not of forked children): print the count on
 * stderr if verbose, and append "retries N" to the file named by
 * $XSIM_STATS if set.
 */
void txn_report_at_exit(bool verbose);

#endif /* TXN_H */
