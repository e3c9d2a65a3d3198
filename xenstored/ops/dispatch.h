/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher: one static table from message type to handler and the
 * checks every request goes through before its handler runs.
 */
#ifndef DISPATCH_H
#define DISPATCH_H

#include <stdbool.h>

#include "conn.h"

/*
 * Handle request m of c: check type, privilege, read-only socket and
 * transaction id, run the handler on a fresh talloc context, turn its
 * error into an XS_ERROR reply.  May defer m (c->deferred) when it must
 * wait for another transaction (txn_sched.h).
 */
void dispatch_message(struct conn *c, struct msg *m);

/*
 * While on (a live update is pending), a TRANSACTION_START on a
 * connection without an open transaction waits, as Xen's daemon holds
 * it back; turning it off lets the held ones run.
 */
void dispatch_hold_transactions(bool on);

/*
 * While they are held, c's are not (until the hold ends): dom0's one
 * ring in a xenstore domain, which carries every dom0 client, the
 * update's own among them.  Our connections handle requests in order,
 * so one held there would hold them all; Xen's daemon sets it aside and
 * reads on.  c is compared, never used.
 */
void dispatch_hold_exempt(const struct conn *c);

/*
 * The CONTROL "live-update" command's handler (lu.c, above this layer,
 * sets it; without one the command does not exist).  Like a handler: 0
 * after queuing the reply, an errno, or TXN_WAIT to be run again later.
 */
typedef int control_lu_fn(void *ctx, struct conn *c, struct msg *m,
			  const char **argv, unsigned argc);
void dispatch_set_live_update(control_lu_fn *fn);

/* The function dispatch_set_live_update set, or NULL. */
control_lu_fn *dispatch_live_update(void);

#endif /* DISPATCH_H */
