/* SPDX-License-Identifier: MIT */
/*
 * The path index of the committed tree (store_int.h): a hash table from
 * a node's full path to the node, chained through the nodes' hnext links
 * over arrays of 32-bit references, ~4 bytes a node besides the link.  A
 * node stores no path and no hash: a lookup compares a candidate by
 * matching its names up its parents against the path, from the end.  It
 * must not know anything else of the tree.
 *
 * Growth in small steps.  The table doubles when it holds as many nodes
 * as buckets, but nothing rehashes the whole store at once: at 1M nodes
 * that stopped the daemon for ~0.4 s (every node's path rebuilt and
 * hashed, every bucket touched), and everyone waited.  Instead, as in
 * Redis' dict, a growth keeps two tables: the old one (tab[0]) and the
 * new one (tab[1]), twice as large.  Buckets of tab[0] below `moved` are
 * empty: their chains went to tab[1].  Each later add or removal moves
 * STEP_BUCKETS more buckets; when the last one has moved, tab[1] becomes
 * tab[0].  Meanwhile
 *
 *	add	puts the node into tab[1] (so tab[0] only ever empties);
 *	find	looks in the node's bucket of tab[0], then of tab[1];
 *	relink	finds the link in either table.
 *
 * Example, tab[0] of 4 buckets full (4 nodes), STEP_BUCKETS = 4 for
 * short: add #5 starts tab[1] of 8 buckets, moves buckets 0..3 (each
 * node's path rebuilt, hashed, its bucket in tab[1] taken) and puts #5
 * into tab[1]; tab[0] is empty and freed: tab[1] is the table.  With a
 * million buckets, add #1M+1 starts a table of 2M and each add moves 4
 * buckets (~4 nodes, ~2 us), so the growth ends after ~256k adds, long
 * before the new table fills (at 2M nodes): one growth is never under
 * way when the next one is due.  Empty buckets visited count against the
 * step as well, so no step walks a long empty stretch.
 *
 * The cost of a step is bounded by the path rebuilding: depth names per
 * node, and paths arrived in one request, so at most 4 kB each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xs_wire.h"

/* Buckets moved by each add or removal while the table grows. */
#define STEP_BUCKETS 4
/* The smallest table. */
#define MIN_BUCKETS 1024
/* Every path arrived in one request. */
#define PATH_BUF (XENSTORE_PAYLOAD_MAX + 1)

struct table {
	uint32_t *b;
	size_t n; /* a power of 2, or 0 if there is no table */
};

static struct table tab[2];
static size_t moved; /* tab[0]'s buckets below this are in tab[1] */
static unsigned long growths;

/* FNV-1a: paths are short; what matters is one pass and no division. */
static uint32_t
hash_path(const char *path, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)path[i]) * 16777619u;
	return h;
}

/* True if n is the node at path (len bytes). */
static bool
node_is(const struct node *n, const char *path, size_t len)
{
	if (n->parent_ref == 0) {
		if (store_is_detached(n))
			return false;
		if (n->namelen == 0)
			return len == 1 && path[0] == '/';
		return len == n->namelen &&
		       memcmp(path, node_name(n), len) == 0;
	}
	while (n->parent_ref) {
		size_t l = n->namelen;

		if (len < l + 1 || path[len - l - 1] != '/' ||
		    memcmp(path + len - l, node_name(n), l) != 0)
			return false;
		len -= l + 1;
		n = deref(n->parent_ref);
	}
	/* Reached "/": the whole path must be used up. */
	return len == 0 && n->namelen == 0;
}

static bool
growing(void)
{
	return tab[1].b != NULL;
}

static uint32_t *
bucket(const struct table *t, uint32_t h)
{
	return &t->b[h & (t->n - 1)];
}

/* Move the chain of tab[0]'s bucket i into tab[1]. */
static void
move_bucket(size_t i)
{
	char path[PATH_BUF];
	uint32_t ref = tab[0].b[i], next, *b;
	struct node *n;

	for (; ref; ref = next) {
		n = deref(ref);
		next = n->hnext_ref;
		b = bucket(&tab[1],
			   hash_path(path, node_path(n, path, sizeof(path))));
		n->hnext_ref = *b;
		*b = ref;
	}
	tab[0].b[i] = 0;
}

/* Move up to `budget` buckets' worth of tab[0] into tab[1]. */
static void
step(size_t budget)
{
	while (budget > 0 && moved < tab[0].n) {
		if (tab[0].b[moved] != 0)
			move_bucket(moved);
		moved++;
		budget--;
	}
	if (moved == tab[0].n) {
		free(tab[0].b);
		tab[0] = tab[1];
		tab[1].b = NULL;
		tab[1].n = 0;
		moved = 0;
	}
}

/*
 * Start moving into a table of n buckets (more than tab[0] has); -1 if
 * it cannot be had.  calloc of megabytes maps zero pages lazily: the
 * start costs no more than a step.
 */
static int
start_growth(size_t n)
{
	uint32_t *b = calloc(n, sizeof(*b));

	if (b == NULL)
		return -1;
	tab[1].b = b;
	tab[1].n = n;
	moved = 0;
	growths++;
	return 0;
}

int
index_init(size_t n)
{
	size_t want = MIN_BUCKETS;

	while (want < n)
		want *= 2;
	free(tab[0].b);
	free(tab[1].b);
	memset(tab, 0, sizeof(tab));
	moved = 0;
	tab[0].b = calloc(want, sizeof(*tab[0].b));
	if (tab[0].b == NULL)
		return -1;
	tab[0].n = want;
	return 0;
}

struct node *
index_find(const char *path, size_t len)
{
	uint32_t h = hash_path(path, len), ref;
	int t;

	for (t = 0; t < 2 && tab[t].b; t++)
		for (ref = *bucket(&tab[t], h); ref;
		     ref = deref(ref)->hnext_ref)
			if (node_is(deref(ref), path, len))
				return deref(ref);
	return NULL;
}

void
index_add(struct node *n, const char *path, size_t len, size_t count)
{
	uint32_t *b;

	if (growing())
		step(STEP_BUCKETS);
	else if (count >= tab[0].n && start_growth(tab[0].n * 2) == 0)
		step(STEP_BUCKETS);
	b = bucket(growing() ? &tab[1] : &tab[0], hash_path(path, len));
	n->hnext_ref = *b;
	*b = ref_of(n);
}

void
index_relink(const char *path, size_t len, uint32_t old, struct node *new)
{
	uint32_t h = hash_path(path, len), *p;
	int t;

	for (t = 0; t < 2 && tab[t].b; t++) {
		p = bucket(&tab[t], h);
		while (*p && *p != old)
			p = &deref(*p)->hnext_ref;
		if (*p) {
			*p = new ? ref_of(new) : deref(old)->hnext_ref;
			break;
		}
	}
	/* A removal helps a growth along too (a move adds nothing). */
	if (new == NULL && growing())
		step(STEP_BUCKETS);
}

int
index_reserve(size_t n)
{
	size_t want = tab[0].n;

	while (growing())
		step(tab[0].n);
	while (want < n)
		want *= 2;
	if (want == tab[0].n)
		return 0;
	if (start_growth(want) != 0) {
		errno = ENOMEM;
		return -1;
	}
	while (growing())
		step(tab[0].n);
	return 0;
}

/* The two tables' sizes, the growth's progress, then their buckets. */
int
index_image_save(int fd, off_t *off)
{
	uint64_t h[4] = {tab[0].n, tab[1].n, moved, growths};
	int t;

	if (image_put(fd, off, h, sizeof(h)) != 0)
		return -1;
	for (t = 0; t < 2; t++)
		if (tab[t].n &&
		    image_put(fd, off, tab[t].b, tab[t].n * sizeof(uint32_t)))
			return -1;
	return 0;
}

int
index_image_load(int fd, off_t *off)
{
	uint64_t h[4];
	int t;

	if (image_get(fd, off, h, sizeof(h)) != 0)
		return -1;
	/* Powers of 2, the new table larger, as a growth leaves them. */
	if (h[0] == 0 || (h[0] & (h[0] - 1)) || (h[1] & (h[1] - 1)) ||
	    (h[1] && (h[1] <= h[0] || h[2] > h[0])) || h[0] > UINT32_MAX ||
	    h[1] > UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	free(tab[0].b);
	free(tab[1].b);
	memset(tab, 0, sizeof(tab));
	for (t = 0; t < 2; t++) {
		if (h[t] == 0)
			continue;
		tab[t].n = (size_t)h[t];
		if ((tab[t].b = malloc(tab[t].n * sizeof(uint32_t))) == NULL ||
		    image_get(fd, off, tab[t].b, tab[t].n * sizeof(uint32_t)))
			return -1;
	}
	moved = (size_t)h[2];
	growths = (unsigned long)h[3];
	return 0;
}

void
index_stats(struct store_index_stats *st)
{
	st->buckets = growing() ? tab[1].n : tab[0].n;
	st->old_buckets = growing() ? tab[0].n : 0;
	st->moved = growing() ? moved : 0;
	st->growths = growths;
}
