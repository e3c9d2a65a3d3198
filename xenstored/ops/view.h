/* SPDX-License-Identifier: MIT */
/*
 * A request's view of the tree: the committed store, or a transaction's
 * private view of it when t is not NULL.  Handlers use only these calls,
 * so that every operation behaves the same inside and outside a
 * transaction.  Paths are canonical; permissions are the caller's to
 * check (ops.c), quotas too.
 */
#ifndef VIEW_H
#define VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perms.h"
#include "txn.h"

/* Whether path exists, and its permissions.  0 or an errno. */
int view_lookup(struct txn *t, const char *path, struct nodeview *nv);

/*
 * The value of path (ENOENT if none); valid until the next change.  In a
 * transaction, TXN_WAIT instead: the request must wait (txn_sched.h).
 */
int view_read_value(struct txn *t, const char *path, const void **value,
		    uint32_t *vlen);

/*
 * A part of the list of a node's children, "name\0name\0..." in
 * creation order: the caller sets offset (in bytes) and max; names
 * holds the whole entries from offset on that fit in max bytes (the
 * first may begin inside a name), len of them, total is the length of
 * the whole list and gen its generation (for DIRECTORY_PART).
 */
struct children {
	size_t offset, max;
	const char *names;
	size_t len, total;
	uint64_t gen;
};

/*
 * Fill ch for path, on ctx; a long list read part by part costs each
 * part, not the list.  TXN_WAIT as for view_read_value.
 */
int view_children(void *ctx, struct txn *t, const char *path,
		  struct children *ch);

/*
 * Bytes of the whole entries at the start of names (len bytes of
 * "name\0...") that fit in max.
 */
size_t view_entries_fitting(const char *names, size_t len, size_t max);

/* Create path, whose parent exists; implicit: a parent made on the way. */
int view_create(struct txn *t, const char *path, const struct perm *perms,
		unsigned nperms, const void *value, uint32_t vlen,
		bool implicit);

/* Change the value of an existing node. */
int view_set_value(struct txn *t, const char *path, const void *value,
		   uint32_t vlen);

/* Change the permissions of an existing node. */
int view_set_perms(struct txn *t, const char *path, const struct perm *perms,
		   unsigned nperms);

/* Remove an existing node and its subtree. */
int view_rm(struct txn *t, const char *path);

/*
 * Take back path and its subtree, made by the failing request that calls
 * this: outside a transaction no watch fires, as nobody was told of it.
 */
int view_uncreate(struct txn *t, const char *path);

#endif /* VIEW_H */
