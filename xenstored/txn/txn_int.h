/* SPDX-License-Identifier: MIT */
/*
 * Inside transactions: what txn.c (the private view) and txn_commit.c
 * (validating and applying it) share.  Nothing else includes this.
 */
#ifndef TXN_INT_H
#define TXN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "containers.h"
#include "frame.h"
#include "perms.h"

/*
 * Paths may be longer than XENSTORE_ABS_PATH_MAX (privileged clients have
 * no path quota), but each one arrived in a single request, so it fits in
 * a payload.
 */
#define PATH_BUF (XENSTORE_PAYLOAD_MAX + 1)

/* A node as one transaction sees it, and what it observed of it. */
struct tnode {
	RB_ENTRY(tnode) link; /* in its transaction's tree by path */
	struct tnode *next;   /* in touch order */
	char *path;
	unsigned depth;
	uint64_t seq;

	bool exists;   /* in the transaction's view */
	bool live;     /* mirrors a committed node */
	bool shadow;   /* hides the committed subtree below it */
	bool detached; /* never looked at the committed tree */

	uint64_t obs_pgen; /* committed pgen at first touch, 0 if absent */
	bool obs_value, obs_children;
	uint64_t obs_vgen, obs_cgen;

	struct perm *perms;
	unsigned nperms;
	bool have_value;
	void *value;
	uint32_t vlen;

	bool created, implicit, replaced, value_written, perms_written;
	bool fire; /* an operation on it fires a watch event at commit */
	struct perm *orig_perms; /* committed permissions at first touch */
	unsigned norig;

	/* Children: deltas against the committed list until first listed. */
	bool snap;
	char **kids;
	unsigned nkids;
	char **added, **removed;
	unsigned nadded, nremoved;
	size_t live_child_bytes;
	/*
	 * Changes to the list as this transaction sees it, for the generation
	 * DIRECTORY_PART reports: a child added or removed, and the node
	 * itself removed or created (its list starts again, empty).
	 */
	unsigned kid_changes;
};

struct txn {
	struct txn *next; /* in the connection */
	struct conn *conn;
	uint32_t id;
	RB_HEAD(tnodes, tnode) nodes; /* by path; talloc children of t */
	struct tnode *head, *tail;
	unsigned ntouched, nshadow;
	size_t bytes; /* its tnodes, charged to a guest's memory quota */
	uint64_t seq;
	time_t started; /* for a live update's wait (txn_oldest) */
	bool failed;
	bool lost; /* died with the daemon before a restart: commit EAGAIN */
	bool committed;
};

/* t's tnode of path, or NULL if t has not touched it. */
struct tnode *txn_tnode(const struct txn *t, const char *path);

/*
 * Commit t: 0 with its changes applied and their watch events fired, or
 * EAGAIN (something it observed changed; marked hot for txn_sched.c),
 * ENOSPC (node quota) or ENOMEM, with nothing applied.
 */
int txn_commit(struct txn *t);

#endif /* TXN_INT_H */
