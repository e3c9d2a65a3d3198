/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher: one static table from message type to handler and the
 * checks every request goes through before its handler runs.
 */
#ifndef DISPATCH_H
#define DISPATCH_H

#include "conn.h"

/*
 * Handle request m of c: check type, privilege, read-only socket and
 * transaction id, run the handler on a fresh talloc context, turn its
 * error into an XS_ERROR reply.  May defer m (c->deferred) when it must
 * wait for another transaction (txn_sched.h).
 */
void dispatch_message(struct conn *c, struct msg *m);

#endif /* DISPATCH_H */
