/* SPDX-License-Identifier: MIT */
/*
 * The committed tree: nodes with a value, a permission list, generations
 * and their children in creation order, indexed by full path.
 *
 * Every change made here is committed, and reported to the observers
 * that main.c registers (persistence, quota accounting, watches): the
 * store calls nothing above it.  Requests reach it through view.h, which
 * adds permission checks and transactions; nothing here checks
 * permissions or quotas.
 *
 * Generations come from one 64-bit counter that every change advances: a
 * node records when its value (vgen), its permissions or existence (pgen)
 * and its list of children (cgen) last changed.  Transactions compare them
 * at commit (txn.c).
 *
 * A node stores its name, not its path (node_path builds the path), and
 * may move in memory when its value or permissions change size: a
 * struct node pointer is valid until the next store_update, store_rm or
 * store_create of any node.  store.c explains the layout.
 */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perms.h"

/*
 * Generations are kept in 48 bits (node_vgen() and the like): 2^48
 * changes take 9 years at a million changes a second.
 */
enum node_gen { NODE_VGEN, NODE_PGEN, NODE_CGEN, NODE_BIRTH };

struct node {
	/* vgen, pgen, cgen and birth (creation order, kept across restarts) */
	uint16_t gen_[4][3];
	/* Links, as store.c's 32-bit references (0: none). */
	uint32_t parent_ref, next_ref, last_ref, hnext_ref;
	uint32_t child_bytes; /* sum of strlen(name) + 1 over children */
	uint16_t vlen;
	uint16_t nperms;
	uint16_t namelen;
	uint16_t in_db; /* db.c's: the node has a record of its own */
	/* perms[nperms], value[vlen], name[namelen] and a NUL */
	struct perm data[];
};

static inline uint64_t
node_gen(const struct node *n, enum node_gen which)
{
	const uint16_t *w = n->gen_[which];

	return (uint64_t)w[0] | (uint64_t)w[1] << 16 | (uint64_t)w[2] << 32;
}

static inline uint64_t
node_vgen(const struct node *n)
{
	return node_gen(n, NODE_VGEN);
}

static inline uint64_t
node_pgen(const struct node *n)
{
	return node_gen(n, NODE_PGEN);
}

static inline uint64_t
node_cgen(const struct node *n)
{
	return node_gen(n, NODE_CGEN);
}

static inline uint64_t
node_birth(const struct node *n)
{
	return node_gen(n, NODE_BIRTH);
}

static inline const struct perm *
node_perms(const struct node *n)
{
	return n->data;
}

static inline const void *
node_value(const struct node *n)
{
	return n->data + n->nperms;
}

/* The last component of the node's path ("" for "/"). */
static inline const char *
node_name(const struct node *n)
{
	return (const char *)(n->data + n->nperms) + n->vlen;
}

/* The node's parent, or NULL for "/" and the special nodes. */
struct node *node_parent(const struct node *n);

/* The first child of n, or NULL. */
struct node *node_first_child(const struct node *n);

/* The sibling created after k, or NULL. */
struct node *node_next_sibling(const struct node *k);

/*
 * Write the full path of n into buf (size bytes; XENSTORE_PAYLOAD_MAX + 1
 * is always enough, as every path arrived in one request) and return its
 * length.
 */
size_t node_path(const struct node *n, char *buf, size_t size);

/* What one change to the tree was, as its observers are told. */
enum store_op { STORE_CREATE, STORE_UPDATE, STORE_REMOVE };

struct store_change {
	enum store_op op;
	const char *path;
	/* The node as it is now; for STORE_REMOVE, just before it goes. */
	const struct node *node;
	/* Its parent, NULL for "/" and the special nodes. */
	const struct node *parent;
	/* STORE_UPDATE: the permissions and value length it had before. */
	const struct perm *old_perms;
	unsigned nold;
	uint32_t old_vlen;
	bool perms_changed;
	/* STORE_REMOVE: a node below the top of the removed subtree. */
	bool below;
	/* Nobody is told: a parent made implicitly, or a muted commit. */
	bool quiet;
	/* Read back from the database (store_load): nothing to write. */
	bool loading;
};

/*
 * Called after each creation and update, and before each removal; the
 * node and its parent may be read, the store must not be changed.
 */
typedef void (*store_observer)(const struct store_change *ch);

/* Add an observer (at most 8, called in the order added); 0 or -1. */
int store_observe(store_observer fn);

/* Set up the empty store; 0 or -1. */
int store_init(void);

/*
 * Size the path index for n nodes at once (a load knows how many, and
 * nobody is served yet); 0 or -1.
 */
int store_reserve(size_t n);

/*
 * Create the base tree of a new store: "/", /tool, /tool/xenstored and the
 * special nodes @introduceDomain and @releaseDomain, owned by priv_domid.
 * 0 or -1.
 */
int store_create_base(unsigned priv_domid);

/*
 * Add a node read back from the database: like store_create, but it is
 * reported as loading (nothing to write back, no watch) and keeps its
 * recorded birth.  NULL with
 * errno if its parent is missing (ENOENT) or on ENOMEM.
 */
struct node *store_load(const char *path, const struct perm *perms,
			unsigned nperms, const void *value, uint32_t vlen,
			uint64_t birth);

/*
 * The child of n whose name holds byte offset of n's list of names (each
 * with its NUL, in order), and where its name starts; NULL past the end.
 * Offsets asked in growing order cost the distance between them.
 */
struct node *store_child_at(const struct node *n, size_t offset, size_t *start);

/* The node at canonical path, or NULL. */
struct node *store_lookup(const char *path);

/* The current value of the generation counter. */
uint64_t store_generation(void);

/*
 * Create the node at path, whose parent must exist, as the last child of
 * its parent.  Reported as quiet for parents created implicitly.
 * Returns the node, or NULL with errno ENOMEM (or EINVAL for a value or
 * permission list too large to store).
 */
struct node *store_create(const char *path, const struct perm *perms,
			  unsigned nperms, const void *value, uint32_t vlen,
			  bool quiet);

/*
 * store_load with the parent known: parent is the node at path's parent,
 * found since the last change to the store other than a creation (a
 * creation moves no other node).  A load of a million nodes in
 * pre-order (a live update's) skips looking each parent up.
 */
struct node *store_load_under(struct node *parent, const char *path,
			      const struct perm *perms, unsigned nperms,
			      const void *value, uint32_t vlen, uint64_t birth);

/*
 * Change a node's value (if value is not NULL) and/or its permissions (if
 * perms is not NULL).  0, or ENOMEM (nothing changed).
 * n may move: look it up again afterwards.
 */
int store_update(struct node *n, const void *value, uint32_t vlen,
		 const struct perm *perms, unsigned nperms);

/*
 * While muted, changes are reported as quiet: a transaction's commit
 * applies its changes muted and then fires the events its operations
 * recorded, in their order (txn_commit.c).
 */
void store_mute(bool on);

/*
 * Remove n and everything below it ("/" itself cannot be removed: the
 * caller refuses that), each node reported as it goes (below set for
 * all but n).  A small subtree goes at once, deepest first, n last.  A
 * large one goes in steps (store.c): n is reported and the subtree
 * becomes unreachable now; the nodes below n are freed and reported by
 * later calls of store_reap, after n.
 */
void store_rm(struct node *n);

/*
 * Free up to budget nodes of the subtrees store_rm left to remove; true
 * if some are left, for the next turn.
 */
bool store_reap(size_t budget);

/* True while store_rm has nodes left for store_reap. */
bool store_reaping(void);

/*
 * The scan: a visit of the tree under "/" in pre-order, a few nodes at a
 * time over many loop turns while the tree changes.  The store keeps its
 * place: a node that moves is followed, and a removal steps the scan
 * past what goes.  Nodes created meanwhile are visited if they come
 * after its place.  One scan at a time: store_scan_start begins again
 * from "/".  store_scan_next returns the next node, or NULL once every
 * node is visited; the caller may update or remove the node it was
 * given before asking for the next.
 */
void store_scan_start(void);
struct node *store_scan_next(void);

/*
 * Visit the nodes of the subtrees store_rm has still to free, their
 * (unreachable) tops included (store_is_detached tells them), as
 * store_walk does.  For the consistency check.
 */
int store_walk_detached(int (*fn)(struct node *, void *), void *arg);

/* True for the top of such a subtree: reported removed, not yet freed. */
bool store_is_detached(const struct node *n);

/* The block a node of these sizes takes in the store's arena. */
size_t store_block_size(unsigned nperms, uint32_t vlen, size_t namelen);

/*
 * True if blocks of these sizes (n of them; sorted in place) can all be
 * had now, so that a change of several nodes checks before it starts
 * and never stops half-way.
 */
bool store_room_for(size_t *sizes, size_t n);

/*
 * Make writable the part of the arena that the data limit now allows
 * (half of it), after the limit was raised.  True if the arena grew.
 */
bool store_arena_grow(void);

/*
 * How far the arena is taken: *top, the bytes below its bump pointer
 * (freed blocks included: they serve only nodes of their own size), of
 * *size writable ones.  Costs nothing: memgrow.h asks every loop turn.
 */
void store_arena_use(size_t *top, size_t *size);

/*
 * Let at most room more bytes of the arena be used, as if it ended there
 * (SIZE_MAX: all of it): the tests' way to run out of it.
 */
void store_limit_arena(size_t room);

/* The size a node counts against the node-size quota. */
size_t store_node_size(const struct node *n);

/*
 * Visit n and its descendants in pre-order; stop when fn returns non-0.
 * fn must not change the store.
 */
int store_walk(struct node *n, int (*fn)(struct node *, void *), void *arg);

/*
 * Number of nodes in the tree (special nodes included), and in the
 * subtrees store_rm has still to free.
 */
size_t store_count(void);

/*
 * The path index's size.  While it grows, it has two tables: the new one
 * (buckets) and the old one (old_buckets, of which `moved` have moved
 * into the new one; 0 when it is not growing).  growths counts the
 * growths started since store_init.
 */
struct store_index_stats {
	size_t buckets, old_buckets, moved;
	unsigned long growths;
};

void store_index_stats(struct store_index_stats *st);

/*
 * The store's memory as one image, for a live update into a binary of
 * the same layout (store_image.c).  The tag names the layout: change it
 * with anything in struct node, the arena or the index; a binary's
 * --help shows it, so that the old binary knows before the exec.
 */
#define STORE_IMAGE_TAG "store-image-1"

/*
 * Write the image into fd from offset 0.  0, or -1 with errno (EBUSY
 * while a removal has subtrees left to free: store_reap).
 */
int store_image_save(int fd);

/*
 * Take the image in fd (from offset 0) into the empty store (store_init
 * only), and report every node to the observers as loaded.  0, or -1
 * with errno (EINVAL: another layout or a damaged image; ENOMEM), and
 * then the store must not be used.
 */
int store_image_load(int fd);

#endif /* STORE_H */
