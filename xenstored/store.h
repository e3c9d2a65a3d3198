/* SPDX-License-Identifier: MIT */
/*
 * The committed tree: nodes with a value, a permission list, generations
 * and their children in creation order, indexed by full path.
 *
 * Every change made here is committed: it fires the watches it should
 * (through watch.c) and keeps the owners' node counts.  Requests reach it
 * through view.h, which adds permission checks and transactions; nothing
 * here checks permissions or quotas.
 *
 * Generations come from one 64-bit counter that every change advances: a
 * node records when its value (vgen), its permissions or existence (pgen)
 * and its list of children (cgen) last changed.  Transactions compare them
 * at commit (txn.c).
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perms.h"

struct node {
	struct node *parent;
	struct node *first, *last; /* children, in creation order */
	struct node *next, *prev;  /* siblings */
	uint64_t vgen, pgen, cgen;
	uint64_t birth; /* creation order, kept across restarts */
	void *data; /* perms[nperms], then value[vlen] */
	uint32_t vlen;
	uint16_t nperms;
	uint16_t pathlen;
	uint32_t nchildren;
	uint32_t child_bytes; /* sum of strlen(name) + 1 over children */
	char path[];
};

static inline const struct perm *
node_perms(const struct node *n)
{
	return (const struct perm *)n->data;
}

static inline const void *
node_value(const struct node *n)
{
	return (const char *)n->data + n->nperms * sizeof(struct perm);
}

/* The last component of the node's path ("" for "/"). */
const char *node_name(const struct node *n);

/* Set up the empty store; 0 or -1. */
int store_init(void);

/*
 * Create the base tree of a new store: "/", /tool, /tool/xenstored and the
 * special nodes @introduceDomain and @releaseDomain, owned by priv_domid.
 * 0 or -1.
 */
int store_create_base(unsigned priv_domid);

/*
 * Add a node read back from the database: like store_create, but it fires
 * no watch, is not written back, and keeps its recorded birth.  NULL with errno if its parent is
 * missing (ENOENT) or on ENOMEM.
 */
struct node *store_load(const char *path, const struct perm *perms,
			unsigned nperms, const void *value, uint32_t vlen,
			uint64_t birth);

/* The node at canonical path, or NULL. */
struct node *store_lookup(const char *path);

/* The current value of the generation counter. */
uint64_t store_generation(void);

/*
 * Create the node at path, whose parent must exist, as the last child of
 * its parent.  Fires watches unless quiet (parents created implicitly).
 * Returns the node, or NULL with errno ENOMEM.
 */
struct node *store_create(const char *path, const struct perm *perms,
			  unsigned nperms, const void *value, uint32_t vlen,
			  bool quiet);

/*
 * Change a node's value (if value is not NULL) and/or its permissions (if
 * perms is not NULL), then fire watches.  0, or ENOMEM (nothing changed).
 */
int store_update(struct node *n, const void *value, uint32_t vlen,
		 const struct perm *perms, unsigned nperms);

/*
 * While muted, changes fire no watches: a transaction's commit applies
 * its changes muted and then fires the events its operations recorded,
 * in their order (txn.c).
 */
void store_mute(bool on);

/*
 * Remove n and everything below it ("/" itself cannot be removed: the
 * caller refuses that).  Fires an exact event on each removed node, deepest
 * first, then a subtree event on n.
 */
void store_rm(struct node *n);

/* The size a node counts against the node-size quota. */
size_t store_node_size(const struct node *n);

/* Visit n and its descendants in pre-order; stop when fn returns non-0. */
int store_walk(struct node *n, int (*fn)(struct node *, void *), void *arg);

/* Number of nodes in the tree (special nodes included). */
size_t store_count(void);

#endif /* STORE_H */
