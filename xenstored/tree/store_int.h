/* SPDX-License-Identifier: MIT */
/*
 * What store.c (the tree, its arena) and store_index.c (the path index
 * over the tree's nodes) share: 32-bit references into the arena, and
 * the index's operations.  Nothing outside these two files includes it.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/*
 * For store_image.c: the arena's bookkeeping as it stands (the lists
 * are store.c's own arrays, nlists long), and whether a removal still
 * has subtrees to free (they cannot go into an image).
 */
struct arena_state {
	size_t top, nnodes, nlists;
	uint64_t generation;
	uint32_t *free_head, *free_count;
	bool detached;
};
void arena_state(struct arena_state *st);

/*
 * Make an empty store's arena top bytes long, holding nnodes nodes, at
 * generation (the caller copies the bytes in next); 0, or -1 with ENOMEM
 * if the arena is smaller.
 */
int arena_adopt(size_t top, size_t nnodes, uint64_t generation);

/* Tell the observers that n, at path, was read back (store_load's way). */
void store_report_loaded(struct node *n, const char *path);

/*
 * The index's tables into fd from *off on, or back from it into an
 * index that holds nothing yet; *off moves past them.  0 or -1 with errno.
 */
int index_image_save(int fd, off_t *off);
int index_image_load(int fd, off_t *off);

/* pwrite and pread all of len at *off, which moves on; 0 or -1. */
int image_put(int fd, off_t *off, const void *p, size_t len);
int image_get(int fd, off_t *off, void *p, size_t len);

#endif /* STORE_INT_H */
