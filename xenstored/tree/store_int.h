/* SPDX-License-Identifier: MIT */
/*
 * What store.c (the tree, its arena) and store_index.c (the path index
 * over the tree's nodes) share: 32-bit references into the arena, and
 * the index's operations.  Nothing outside these two files includes it.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Arena units are 4 bytes: a 32-bit reference reaches 16 GiB. */
#define STORE_UNIT 4

/* The arena's base (store.c); reference r is at store_arena + r * 4. */
extern char *store_arena;

/* The node at ref, or NULL for 0 (no node). */
static inline struct node *
deref(uint32_t ref)
{
	return ref ? (struct node *)(void *)(store_arena +
					     (size_t)ref * STORE_UNIT)
		   : NULL;
}

static inline uint32_t
ref_of(const struct node *n)
{
	return n ? (uint32_t)(((const char *)n - store_arena) / STORE_UNIT) : 0;
}

/* Set up an empty index of at least n buckets; 0 or -1. */
int index_init(size_t n);

/* The node at path (len bytes, canonical), or NULL. */
struct node *index_find(const char *path, size_t len);

/*
 * Add n, whose path is path (len bytes), which is not in the index.
 * count is how many nodes the index holds before it: when they fill the
 * table, a table twice as large is started, and each later change of
 * the index moves a few buckets into it (store_index.c).  Never fails:
 * if the larger table cannot be had, chains just grow longer.
 */
void index_add(struct node *n, const char *path, size_t len, size_t count);

/*
 * Repoint the index's link to old (the reference of the node at path)
 * to new, or unlink it if new is NULL.
 */
void index_relink(const char *path, size_t len, uint32_t old, struct node *new);

/*
 * Make room for n nodes at once, finishing any growth under way (a load,
 * before anyone is served); 0, or -1 on ENOMEM.
 */
int index_reserve(size_t n);

/* What store_index_stats reports (store.h). */
void index_stats(struct store_index_stats *st);

#endif /* STORE_INT_H */
