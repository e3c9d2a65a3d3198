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
 * The children of path as "name\0name\0..." on ctx, in creation order,
 * with the generation of the list (for DIRECTORY_PART).  TXN_WAIT as for
 * view_read_value.
 */
int view_children(void *ctx, struct txn *t, const char *path, char **names,
		  size_t *len, uint64_t *gen);

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
