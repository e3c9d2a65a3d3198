/* SPDX-License-Identifier: MIT */
/*
 * Transactions: optimistic, serialisable, and as free of false conflicts
 * as the data allows (docs/transactions.md has the whole design).
 *
 * A transaction keeps a private copy of each node it touches and records
 * what it observed of the committed tree: a node's existence and
 * permissions (pgen), its value (vgen) and its list of children (cgen),
 * each at the moment it first looked.  Commit fails with EAGAIN only if
 * one of those observations no longer holds; otherwise the private
 * changes are applied to the store in one step and their watches fire.
 * Creating or deleting a child does not observe the parent's list of
 * children, so transactions adding different children to one directory
 * all commit, and blind writes of the same node never conflict.
 *
 * Requests reach this module through view.h; the functions below take
 * canonical paths and do no permission checks.
 */
#ifndef TXN_H
#define TXN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "perms.h"

struct conn;
struct txn;
struct msg;

/* What a request sees of one node; pointers valid until it changes. */
struct nodeview {
	bool exists;
	const struct perm *perms;
	unsigned nperms;
	size_t child_bytes; /* for the node-size quota */
};

/*
 * Start a transaction on conn.  Returns it, or NULL with errno ENOSPC
 * (quota; logged) or ENOMEM.
 */
struct txn *txn_start(struct conn *conn);

/* The id the client uses for t. */
uint32_t txn_id(const struct txn *t);

/* conn's open transaction with this id, or NULL. */
struct txn *txn_find(struct conn *conn, uint32_t id);

/*
 * End t: commit it (returns 0, EAGAIN on conflict, ENOSPC if the commit
 * would exceed a quota, ENOMEM if t failed earlier or the commit ran out
 * of memory) or abort it.  t is freed either way but one: a commit that
 * ran out of memory before it changed anything keeps t open (txn_find
 * still finds it), to be committed again once there is more memory, or
 * ended with commit false.
 */
int txn_end(struct txn *t, bool commit);

/*
 * conn's transaction id counter, to save; and after a restart, set it
 * past what was saved (txn.c says how far), so that the ids of
 * transactions that died with the old daemon are recognised: 0 or ENOMEM.
 */
uint32_t txn_next_id(const struct conn *conn);
int txn_restore_ids(struct conn *conn, uint32_t next);

/*
 * A transaction id conn's guest got from the daemon before a restart:
 * a transaction that died with it, taken in again so that the guest's
 * requests in it work (on the committed tree) and its commit fails with
 * EAGAIN, which the guest retries.  NULL with errno ENOENT (not such an
 * id: the usual error) or EAGAIN (quota, memory).
 */
struct txn *txn_adopt(struct conn *conn, uint32_t id);

/* Abort every transaction of conn. */
void txn_abort_all(struct conn *conn);

/* How many of conn's commits in a row failed with EAGAIN. */
unsigned txn_failures(const struct conn *conn);

/*
 * When conn's oldest open transaction started (time(2)), or 0 if it has
 * none: a live update waits for them.
 */
time_t txn_oldest(const struct conn *conn);

/* The connection t belongs to. */
struct conn *txn_conn(const struct txn *t);

/* True if t changed path: its value, permissions, existence or children. */
bool txn_changed(const struct txn *t, const char *path);

/*
 * The transactional halves of view.h; see there.  Reading a value or a
 * list of children may return TXN_WAIT (txn_sched.h).
 */
int txn_lookup(struct txn *t, const char *path, struct nodeview *nv);
int txn_read_value(struct txn *t, const char *path, const void **value,
		   uint32_t *vlen);
int txn_children(void *ctx, struct txn *t, const char *path, char **names,
		 size_t *len, uint64_t *gen);
int txn_create(struct txn *t, const char *path, const struct perm *perms,
	       unsigned nperms, const void *value, uint32_t vlen,
	       bool implicit);
int txn_set_value(struct txn *t, const char *path, const void *value,
		  uint32_t vlen);
int txn_set_perms(struct txn *t, const char *path, const struct perm *perms,
		  unsigned nperms);
int txn_rm(struct txn *t, const char *path);

#endif /* TXN_H */
