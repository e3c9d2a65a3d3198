/* SPDX-License-Identifier: MIT */
/*
 * Transaction scheduling: which requests wait, for whom, and for how long
 * (docs/transactions.md, "Starvation" and "Hot nodes").  Both kinds of
 * wait park the request as its connection's deferred one (conn.h) and
 * are bounded in time.
 *
 * Priority: after 3 EAGAIN commits in a row a connection's next
 * transaction has priority; other connections' changes wait until it
 * ends (500 ms at most), so it cannot lose again.
 *
 * Hot nodes: a node some commit failed on is hot.  A transaction about to
 * read a hot node while another connection's open transaction (dom0's or
 * its own domain's) has read it waits, in line, until that one ends, and
 * then reads what it committed instead of a value that is about to
 * change.  A holder is passed over after 10 ms; a read waits 100 ms at
 * most.
 */
#ifndef TXN_SCHED_H
#define TXN_SCHED_H

#include <stdbool.h>

struct conn;
struct msg;
struct txn;

/*
 * What view.h returns, instead of an errno, for a request that must wait
 * for a hot node; the dispatcher defers the request and runs it again.
 */
#define TXN_WAIT (-1)

/* t has started: it gets priority if its connection kept losing. */
void sched_started(struct txn *t);

/*
 * t is about to be freed; committed: its changes were applied.  Ends its
 * priority, takes it out of every line and hands what it held on.
 */
void sched_gone(struct txn *t, bool committed);

/* A commit failed because path changed after its transaction looked. */
void sched_conflict(const char *path);

/*
 * t is about to read path's value or children from the committed tree
 * for the first time.  True if it must wait (return TXN_WAIT); false if
 * it may read now.
 */
bool sched_read_waits(struct txn *t, const char *path);

/*
 * True if m must wait because another connection's transaction has
 * priority: a request that changes the tree, or the start of a
 * transaction by another repeated loser, which so gets its own turn next.
 */
bool sched_must_wait(struct conn *c, const struct msg *m);

#endif /* TXN_SCHED_H */
