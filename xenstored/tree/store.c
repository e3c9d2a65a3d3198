/* SPDX-License-Identifier: MIT */
/*
 * The committed tree (store.h).
 *
 * Memory is what limits a large store, so a node is one block of about
 * fifty bytes plus its data.  /bench/large/d7/n123 with a 16-byte value
 * and one permission takes 84 bytes, and 4 more in the path index:
 *
 *	struct node	four 48-bit generations, four 32-bit links,
 *			child_bytes, sizes			52 bytes
 *	perms[]		8 bytes each				 8
 *	value		vlen bytes				16
 *	name		the last component only, NUL-terminated	 5 ("n123")
 *	(rounded up to 4 bytes)					84
 *
 * (It was ~214 bytes with malloc'd nodes holding their full path, a second
 * malloc for value and permissions and a GLib hash set as the index.)
 * Blocks come from an arena of our own (one reserved address range, free
 * lists per size in 4-byte steps), not from malloc, so that a link is a
 * 32-bit reference (offset / 4) instead of a 64-bit pointer and a block
 * carries no allocator header.  Freed blocks are reused for nodes of the
 * same size but never given back to the system.  A node's path is not
 * stored: node_path builds it from the names up the parent links.
 *
 * Children form a circular list in creation order: the parent links to its
 * last child, whose next link is the first child.  Example, /d with
 * children a, b, c created in that order:
 *
 *	d.last -> c,  a.next -> b,  b.next -> c,  c.next -> a
 *
 * so appending (link after c, repoint d.last) and removing the first child
 * (what store_rm does, deepest first) cost O(1); removing another child
 * walks its siblings to find the one before it.
 *
 * The path index (store_index.c) is a hash table chained through the
 * nodes (hnext) over an array of references: ~4 bytes a node besides the
 * link.  It grows in small steps, never all at once.
 *
 * A node whose data changes size moves to a block of the new size; its
 * links in from the parent, the sibling before it, its children and its
 * hash chain are repointed (move_node).
 *
 * Removal in steps.  Freeing a node costs a few microseconds (its
 * observers, the index), so removing 300k nodes at once stopped the
 * daemon for 1.5 s.  A subtree larger than RM_AT_ONCE nodes is instead
 * detached: its top is reported removed and unlinked from its parent at
 * once, which makes the whole subtree unreachable (a lookup of a path in
 * it fails: the walk up its names ends at a top that is not "/"), and the
 * main loop frees the rest, deepest first, store_reap() nodes a turn,
 * each reported as store_rm would.  A detached top keeps its parent's
 * path in a struct detached, which node_path puts in front of the names,
 * so that observers and the index see every node's real path.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "containers.h"
#include "path.h"
#include "store.h"
#include "store_int.h"
#include "xs_wire.h"

#define UNIT STORE_UNIT
/* Largest block: a node's data is bounded by the 4096-byte payload. */
#define MAX_BLOCK (64u << 10)
/*
 * Privileged clients may exceed XENSTORE_ABS_PATH_MAX; every path still
 * came in one request.
 */
#define PATH_BUF (XENSTORE_PAYLOAD_MAX + 1)

char *store_arena;
static size_t arena_size, arena_top;
static size_t arena_limit;    /* arena_size, or less (store_limit_arena) */
static size_t arena_reserved; /* the range; arena_size of it is writable */
static uint32_t free_head[MAX_BLOCK / UNIT + 1];
static uint32_t free_count[MAX_BLOCK / UNIT + 1]; /* blocks on each list */

static size_t nnodes;
static uint64_t generation;
static bool loading; /* store_load: nodes come from the database */
static bool muted;   /* store_mute: a commit fires its own events */
static store_observer observers[8];
static unsigned nobservers;

/*
 * A subtree larger than this is removed in steps: freeing this many nodes
 * takes about as long as the loop turn that TURN_MS allows (conn.c).
 */
#define RM_AT_ONCE 1024

/* A detached subtree waiting to be freed (store_reap). */
struct detached {
	TAILQ_ENTRY(detached) link;
	uint32_t top; /* reference of its top node, unlinked */
	bool quiet;   /* removed muted: its nodes go quietly too */
	size_t plen;
	char prefix[]; /* the top's parent's path; "" for "/" */
};
static TAILQ_HEAD(, detached)
	detached_list = TAILQ_HEAD_INITIALIZER(detached_list);

/*
 * Where the last store_child_at landed: the child of parent (as it was
 * at generation cgen) whose name starts at byte start of its list.  A
 * client reading a long list part by part asks for offsets a part
 * apart: each walk starts here instead of at the first child.  Any
 * change to the list moves the parent's cgen; a child that moves in
 * memory is followed (move_node).
 */
static struct {
	uint32_t parent, child;
	uint64_t cgen;
	size_t start;
} cursor;

/*
 * The one scan (store_scan_start): the next node it visits, 0 once it
 * has visited them all.  move_node follows it; node_free and detach
 * step it past what they remove, so it stays a node of the tree.
 */
static uint32_t scan_next;

static void
set_gen(struct node *n, enum node_gen which, uint64_t g)
{
	n->gen_[which][0] = (uint16_t)g;
	n->gen_[which][1] = (uint16_t)(g >> 16);
	n->gen_[which][2] = (uint16_t)(g >> 32);
}

static size_t
block_size(unsigned nperms, uint32_t vlen, size_t namelen)
{
	size_t size = sizeof(struct node) + nperms * sizeof(struct perm) +
		      vlen + namelen + 1;

	return (size + UNIT - 1) & ~(size_t)(UNIT - 1);
}

/*
 * Under a data limit (RLIMIT_DATA: a xenstore domain's memory), the
 * arena takes half of it and the heap has the rest; 0 without one.
 */
static size_t
arena_data_cap(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_DATA, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	return ((size_t)rl.rlim_cur / 2) & ~(size_t)4095;
}

/*
 * Transparent huge pages for the arena, where the system offers them
 * for the asking (THP "madvise"): a store of 100k nodes is 9 MB of
 * nodes reached in no order, and on a paravirtualised guest every TLB
 * miss and every 4 kB fault is dear.  Measured there, a live update's
 * copy of that arena (store_image.c) took 20-70 ms from 4 kB pages and
 * 2-5 ms from huge ones.  The cost: the arena's resident size grows in
 * steps of 2 MB.
 */
static void
huge_pages(size_t size)
{
#ifdef MADV_HUGEPAGE
	madvise(store_arena, size, MADV_HUGEPAGE);
#else
	(void)size;
#endif
}

static int
arena_init(void)
{
	/*
	 * The largest range the address-space limit allows: a daemon run
	 * under ulimit -v still starts, its nodes in a smaller arena.
	 */
	static const size_t tries[] = {(size_t)16 << 30, (size_t)4 << 30,
				       (size_t)1 << 30,	 (size_t)256 << 20,
				       (size_t)64 << 20, (size_t)16 << 20};
	size_t cap = arena_data_cap(), size;
	unsigned i;

	/*
	 * Under a data limit the range is reserved inaccessible, which the
	 * limit does not count, and its half of the limit made writable:
	 * the rest becomes writable as the limit grows (store_arena_grow).
	 */
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		size = tries[i];
		store_arena = mmap(
			NULL, size, cap ? PROT_NONE : PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (store_arena == MAP_FAILED)
			continue;
		arena_reserved = arena_size = size;
		if (cap && cap < size) {
			if (mprotect(store_arena, cap, PROT_READ | PROT_WRITE) <
			    0) {
				munmap(store_arena, size);
				break;
			}
			arena_size = cap;
		}
		huge_pages(arena_size);
		arena_limit = arena_size;
		arena_top = UNIT; /* reference 0 means none */
		return 0;
	}
	store_arena = NULL;
	return -1;
}

bool
store_arena_grow(void)
{
	size_t cap = arena_data_cap();

	if (cap > arena_reserved)
		cap = arena_reserved;
	if (cap <= arena_size ||
	    mprotect(store_arena + arena_size, cap - arena_size,
		     PROT_READ | PROT_WRITE) < 0)
		return false;
	if (arena_limit == arena_size) /* not narrowed by a test */
		arena_limit = cap;
	arena_size = cap;
	huge_pages(arena_size);
	return true;
}

void
store_arena_use(size_t *top, size_t *size)
{
	*top = arena_top;
	*size = arena_size;
}

/* A block of size bytes (a multiple of UNIT); NULL with errno. */
static void *
block_alloc(size_t size)
{
	uint32_t ref;
	void *p;

	if (size > MAX_BLOCK) {
		errno = EINVAL;
		return NULL;
	}
	ref = free_head[size / UNIT];
	if (ref) {
		p = store_arena + (size_t)ref * UNIT;
		memcpy(&free_head[size / UNIT], p, sizeof(uint32_t));
		free_count[size / UNIT]--;
		return p;
	}
	if (arena_top + size > arena_limit) {
		errno = ENOMEM;
		return NULL;
	}
	p = store_arena + arena_top;
	arena_top += size;
	return p;
}

static void
block_free(void *p, size_t size)
{
	uint32_t ref = (uint32_t)(((char *)p - store_arena) / UNIT);

	memcpy(p, &free_head[size / UNIT], sizeof(uint32_t));
	free_head[size / UNIT] = ref;
	free_count[size / UNIT]++;
}

size_t
store_block_size(unsigned nperms, uint32_t vlen, size_t namelen)
{
	return block_size(nperms, vlen, namelen);
}

static int
by_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

void
store_limit_arena(size_t room)
{
	arena_limit =
		room > arena_size - arena_top ? arena_size : arena_top + room;
}

bool
store_room_for(size_t *sizes, size_t n)
{
	size_t i, j, fresh = 0;

	qsort(sizes, n, sizeof(*sizes), by_size);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && sizes[j] == sizes[i]; j++)
			;
		if (sizes[i] > MAX_BLOCK)
			return false;
		if (j - i > free_count[sizes[i] / UNIT])
			fresh += (j - i - free_count[sizes[i] / UNIT]) *
				 sizes[i];
	}
	return arena_top + fresh <= arena_limit;
}

static size_t
node_block_size(const struct node *n)
{
	return block_size(n->nperms, n->vlen, n->namelen);
}

struct node *
node_parent(const struct node *n)
{
	return deref(n->parent_ref);
}

struct node *
node_first_child(const struct node *n)
{
	struct node *last = deref(n->last_ref);

	return last ? deref(last->next_ref) : NULL;
}

struct node *
node_next_sibling(const struct node *k)
{
	const struct node *parent = deref(k->parent_ref);

	if (parent == NULL || parent->last_ref == ref_of(k))
		return NULL;
	return deref(k->next_ref);
}

/* The node after n's subtree in pre-order, or NULL. */
static struct node *
next_outside(const struct node *n)
{
	struct node *k;

	for (; n != NULL; n = node_parent(n))
		if ((k = node_next_sibling(n)) != NULL)
			return k;
	return NULL;
}

/* The record of a detached top, or NULL for any other node. */
static struct detached *
detached_of(const struct node *top)
{
	struct detached *d;
	uint32_t ref = ref_of(top);

	TAILQ_FOREACH(d, &detached_list, link)
		if (d->top == ref)
			return d;
	return NULL;
}

bool
store_is_detached(const struct node *top)
{
	return top->parent_ref == 0 && top->namelen != 0 &&
	       !TAILQ_EMPTY(&detached_list) && detached_of(top) != NULL;
}

size_t
node_path(const struct node *n, char *buf, size_t size)
{
	const struct node *k, *top = n;
	const struct detached *d = NULL;
	size_t len = 0, pos, l;

	for (; top->parent_ref; top = deref(top->parent_ref))
		len += (size_t)top->namelen + 1;
	if (top->namelen && !TAILQ_EMPTY(&detached_list))
		d = detached_of(top);
	if (d) {
		len += d->plen + 1 + top->namelen;
	} else if (top == n) {
		/* "/" (no name) or a special node (its name is its path). */
		len = n->namelen ? n->namelen : 1;
		if (len >= size)
			len = size - 1;
		memcpy(buf, n->namelen ? node_name(n) : "/", len);
		buf[len] = '\0';
		return len;
	}
	if (len >= size)
		len = size - 1; /* cannot happen: paths are bounded */
	buf[len] = '\0';
	pos = len;
	for (k = n; pos > 0 && (k->parent_ref || d); k = deref(k->parent_ref)) {
		l = k->namelen < pos ? k->namelen : pos - 1;
		pos -= l;
		memcpy(buf + pos, node_name(k), l);
		buf[--pos] = '/';
		if (k == top)
			break;
	}
	if (d && pos > 0)
		memcpy(buf, d->prefix, pos < d->plen ? pos : d->plen);
	return len;
}

struct node *
store_child_at(const struct node *n, size_t offset, size_t *start)
{
	struct node *k = node_first_child(n);
	size_t pos = 0;

	if (cursor.parent == ref_of(n) && cursor.cgen == node_cgen(n) &&
	    cursor.start <= offset) {
		k = deref(cursor.child);
		pos = cursor.start;
	}
	for (; k; k = node_next_sibling(k)) {
		if (offset < pos + k->namelen + 1) {
			cursor.parent = ref_of(n);
			cursor.child = ref_of(k);
			cursor.cgen = node_cgen(n);
			cursor.start = pos;
			*start = pos;
			return k;
		}
		pos += (size_t)k->namelen + 1;
	}
	return NULL;
}

struct node *
store_lookup(const char *path)
{
	return index_find(path, strlen(path));
}

void
store_index_stats(struct store_index_stats *st)
{
	index_stats(st);
}

uint64_t
store_generation(void)
{
	return generation;
}

size_t
store_count(void)
{
	return nnodes;
}

size_t
store_node_size(const struct node *n)
{
	return 16 + n->nperms * sizeof(struct perm) + n->vlen + n->child_bytes;
}

static void
link_child(struct node *parent, struct node *n)
{
	struct node *last = deref(parent->last_ref);

	n->parent_ref = ref_of(parent);
	if (last) {
		n->next_ref = last->next_ref;
		last->next_ref = ref_of(n);
	} else {
		n->next_ref = ref_of(n);
	}
	parent->last_ref = ref_of(n);
	parent->child_bytes += (uint32_t)n->namelen + 1;
	set_gen(parent, NODE_CGEN, generation);
}

/* The child whose next link is k (k itself if it is the only child). */
static struct node *
sibling_before(const struct node *k)
{
	struct node *p = deref(deref(k->parent_ref)->last_ref);
	uint32_t ref = ref_of(k);

	while (p->next_ref != ref)
		p = deref(p->next_ref);
	return p;
}

static void
unlink_child(struct node *n)
{
	struct node *parent = deref(n->parent_ref);
	struct node *before = sibling_before(n);

	if (before == n) {
		parent->last_ref = 0;
	} else {
		before->next_ref = n->next_ref;
		if (parent->last_ref == ref_of(n))
			parent->last_ref = ref_of(before);
	}
	parent->child_bytes -= (uint32_t)n->namelen + 1;
	set_gen(parent, NODE_CGEN, ++generation);
}

static void
fill_data(struct node *n, const struct perm *perms, unsigned nperms,
	  const void *value, uint32_t vlen, const char *name, size_t namelen)
{
	char *p = (char *)(n->data + nperms);

	memcpy(p + vlen, name, namelen);
	p[vlen + namelen] = '\0';
	if (vlen)
		memcpy(p, value, vlen);
	memcpy(n->data, perms, nperms * sizeof(*perms));
	n->nperms = (uint16_t)nperms;
	n->vlen = (uint16_t)vlen;
	n->namelen = (uint16_t)namelen;
}

static struct node *
node_alloc(const char *name, size_t namelen, const struct perm *perms,
	   unsigned nperms, const void *value, uint32_t vlen)
{
	struct node *n;

	if (vlen > UINT16_MAX || nperms > UINT16_MAX || namelen > UINT16_MAX) {
		errno = EINVAL;
		return NULL;
	}
	n = block_alloc(block_size(nperms, vlen, namelen));
	if (n == NULL)
		return NULL;
	memset(n, 0, sizeof(*n));
	fill_data(n, perms, nperms, value, vlen, name, namelen);
	++generation;
	set_gen(n, NODE_VGEN, generation);
	set_gen(n, NODE_PGEN, generation);
	set_gen(n, NODE_CGEN, generation);
	set_gen(n, NODE_BIRTH, generation);
	return n;
}

int
store_observe(store_observer fn)
{
	if (nobservers == sizeof(observers) / sizeof(observers[0]))
		return -1;
	observers[nobservers++] = fn;
	return 0;
}

static void
report(struct store_change *ch)
{
	unsigned i;

	ch->parent = node_parent(ch->node);
	ch->quiet |= muted || loading;
	ch->loading = loading;
	for (i = 0; i < nobservers; i++)
		observers[i](ch);
}

void
store_mute(bool on)
{
	muted = on;
}

static struct node *create(struct node *parent, const char *path,
			   const struct perm *perms, unsigned nperms,
			   const void *value, uint32_t vlen, bool quiet);

struct node *
store_create(const char *path, const struct perm *perms, unsigned nperms,
	     const void *value, uint32_t vlen, bool quiet)
{
	return create(NULL, path, perms, nperms, value, vlen, quiet);
}

/* store_create, with parent already known (NULL: look it up). */
static struct node *
create(struct node *parent, const char *path, const struct perm *perms,
       unsigned nperms, const void *value, uint32_t vlen, bool quiet)
{
	struct node *n;
	size_t len = strlen(path), namelen = 0;
	const char *name = path;

	if (parent != NULL) {
		name = strrchr(path, '/') + 1;
		namelen = len - (size_t)(name - path);
	} else if (strcmp(path, "/") != 0 && !path_is_special(path)) {
		char ppath[PATH_BUF];
		size_t plen = path_parent_len(path);

		if (plen >= sizeof(ppath)) {
			errno = EINVAL;
			return NULL;
		}
		memcpy(ppath, path, plen);
		ppath[plen] = '\0';
		parent = store_lookup(ppath);
		if (parent == NULL) {
			errno = ENOENT;
			return NULL;
		}
		name = strrchr(path, '/') + 1;
		namelen = len - (size_t)(name - path);
	} else if (path_is_special(path)) {
		namelen = len;
	}
	n = node_alloc(name, namelen, perms, nperms, value, vlen);
	if (n == NULL)
		return NULL;
	index_add(n, path, len, nnodes);
	nnodes++;
	if (parent)
		link_child(parent, n);
	report(&(struct store_change){
		.op = STORE_CREATE, .path = path, .node = n, .quiet = quiet});
	return n;
}

struct node *
store_load(const char *path, const struct perm *perms, unsigned nperms,
	   const void *value, uint32_t vlen, uint64_t birth)
{
	return store_load_under(NULL, path, perms, nperms, value, vlen, birth);
}

struct node *
store_load_under(struct node *parent, const char *path,
		 const struct perm *perms, unsigned nperms, const void *value,
		 uint32_t vlen, uint64_t birth)
{
	struct node *n;

	loading = true;
	n = create(parent, path, perms, nperms, value, vlen, true);
	loading = false;
	if (n) {
		set_gen(n, NODE_BIRTH, birth);
		if (birth > generation)
			generation = birth;
	}
	return n;
}

/* Give n a block of size bytes; its links follow.  NULL with errno. */
static struct node *
move_node(struct node *n, size_t size, const char *path, size_t len)
{
	struct node *m = block_alloc(size), *k, *parent, *before;
	uint32_t old = ref_of(n);

	if (m == NULL)
		return NULL;
	memcpy(m, n, node_block_size(n) < size ? node_block_size(n) : size);
	if ((parent = deref(n->parent_ref)) != NULL) {
		before = sibling_before(n);
		if (before == n)
			m->next_ref = ref_of(m);
		else
			before->next_ref = ref_of(m);
		if (parent->last_ref == old)
			parent->last_ref = ref_of(m);
	}
	for (k = node_first_child(n); k; k = node_next_sibling(k))
		k->parent_ref = ref_of(m);
	if (cursor.child == old)
		cursor.child = ref_of(m);
	if (scan_next == old)
		scan_next = ref_of(m);
	index_relink(path, len, old, m);
	block_free(n, node_block_size(n));
	return m;
}

int
store_update(struct node *n, const void *value, uint32_t vlen,
	     const struct perm *perms, unsigned nperms)
{
	/* The data is rewritten in place or moved: work from copies. */
	struct perm old[n->nperms ? n->nperms : 1];
	struct perm newp[perms && nperms ? nperms : 1];
	char path[PATH_BUF], name[PATH_BUF], vbuf[XENSTORE_PAYLOAD_MAX];
	size_t len = node_path(n, path, sizeof(path)), size;
	size_t namelen = n->namelen;
	unsigned nold = n->nperms;
	uint32_t old_vlen = n->vlen;
	bool new_perms = perms != NULL;
	char *vcopy = vbuf;

	memcpy(old, node_perms(n), nold * sizeof(*old));
	if (new_perms) {
		memcpy(newp, perms, nperms * sizeof(*newp));
		perms = newp;
	} else {
		perms = old;
		nperms = nold;
	}
	if (value == NULL) {
		value = node_value(n);
		vlen = n->vlen;
	}
	if (vlen > UINT16_MAX || nperms > UINT16_MAX)
		return ENOMEM;
	if (vlen > sizeof(vbuf) && (vcopy = malloc(vlen)) == NULL)
		return ENOMEM;
	memcpy(vcopy, value, vlen);
	memcpy(name, node_name(n), namelen);
	size = block_size(nperms, vlen, namelen);
	if (size != node_block_size(n)) {
		struct node *m = move_node(n, size, path, len);

		if (m == NULL) {
			if (vcopy != vbuf)
				free(vcopy);
			return ENOMEM;
		}
		n = m;
	}
	generation++;
	set_gen(n, new_perms ? NODE_PGEN : NODE_VGEN, generation);
	fill_data(n, perms, nperms, vcopy, vlen, name, namelen);
	if (vcopy != vbuf)
		free(vcopy);
	report(&(struct store_change){.op = STORE_UPDATE,
				      .path = path,
				      .node = n,
				      .old_perms = old,
				      .nold = nold,
				      .old_vlen = old_vlen,
				      .perms_changed = new_perms});
	return 0;
}

/* Report n's removal, then unlink and free it. */
static void
node_free(struct node *n, bool below)
{
	char path[PATH_BUF];
	size_t len = node_path(n, path, sizeof(path));

	report(&(struct store_change){
		.op = STORE_REMOVE, .path = path, .node = n, .below = below});
	if (scan_next == ref_of(n))
		scan_next = ref_of(next_outside(n));
	if (n->parent_ref)
		unlink_child(n);
	index_relink(path, len, ref_of(n), NULL);
	nnodes--;
	block_free(n, node_block_size(n));
}

/*
 * Free the nodes below top, deepest first, at most budget of them; true
 * if top has no child left.  Without recursion: a guest controls the
 * depth.  Each node is reported while it and its parent are still
 * there, so that watches can judge permissions.
 */
static bool
free_below(struct node *top, size_t budget)
{
	struct node *n = top, *victim, *first;

	for (;;) {
		while ((first = node_first_child(n)) != NULL)
			n = first;
		if (n == top)
			return true;
		if (budget-- == 0)
			return false;
		victim = n;
		n = node_parent(n);
		node_free(victim, true);
	}
}

static int
count_node(struct node *n, void *arg)
{
	size_t *left = arg;

	(void)n;
	return (*left)-- == 0;
}

/* The scan is below top, which goes: it goes on after top's subtree. */
static void
scan_step_out(const struct node *top)
{
	const struct node *n;

	for (n = deref(scan_next); n != NULL; n = node_parent(n))
		if (n == top) {
			scan_next = ref_of(next_outside(top));
			return;
		}
}

/*
 * Report top removed and unlink it, leaving its subtree to store_reap;
 * 0, or -1 if the record cannot be had (top is then untouched).
 */
static int
detach(struct node *top)
{
	char path[PATH_BUF];
	size_t plen;
	struct detached *d;

	node_path(top, path, sizeof(path));
	plen = path_parent_len(path);
	if (plen == 1)
		plen = 0; /* a child of "/" */
	if ((d = malloc(sizeof(*d) + plen + 1)) == NULL)
		return -1;
	memcpy(d->prefix, path, plen);
	d->prefix[plen] = '\0';
	d->plen = plen;
	d->top = ref_of(top);
	d->quiet = muted;
	report(&(struct store_change){
		.op = STORE_REMOVE, .path = path, .node = top});
	scan_step_out(top);
	unlink_child(top);
	top->parent_ref = 0;
	TAILQ_INSERT_TAIL(&detached_list, d, link);
	return 0;
}

void
store_rm(struct node *top)
{
	size_t left = RM_AT_ONCE;

	if (node_parent(top) != NULL &&
	    store_walk(top, count_node, &left) != 0 && detach(top) == 0)
		return;
	free_below(top, SIZE_MAX);
	node_free(top, false);
}

/* The detached top d's subtree is empty: free the top and the record. */
static void
free_detached(struct detached *d)
{
	char path[PATH_BUF];
	struct node *top = deref(d->top);
	size_t len = node_path(top, path, sizeof(path));

	index_relink(path, len, d->top, NULL);
	nnodes--;
	block_free(top, node_block_size(top));
	TAILQ_REMOVE(&detached_list, d, link);
	free(d);
}

bool
store_reap(size_t budget)
{
	struct detached *d;
	bool was_muted = muted;
	size_t before;

	while (budget > 0 && (d = TAILQ_FIRST(&detached_list)) != NULL) {
		before = nnodes;
		muted = d->quiet;
		if (free_below(deref(d->top), budget))
			free_detached(d);
		budget -= before - nnodes < budget ? before - nnodes : budget;
	}
	muted = was_muted;
	return !TAILQ_EMPTY(&detached_list);
}

int
store_walk_detached(int (*fn)(struct node *, void *), void *arg)
{
	struct detached *d;
	int ret;

	TAILQ_FOREACH(d, &detached_list, link)
		if ((ret = store_walk(deref(d->top), fn, arg)) != 0)
			return ret;
	return 0;
}

int
store_walk(struct node *top, int (*fn)(struct node *, void *), void *arg)
{
	struct node *n = top, *k;
	int ret;

	for (;;) {
		ret = fn(n, arg);
		if (ret)
			return ret;
		if ((k = node_first_child(n)) != NULL) {
			n = k;
			continue;
		}
		while (n != top && node_next_sibling(n) == NULL)
			n = node_parent(n);
		if (n == top)
			return 0;
		n = node_next_sibling(n);
	}
}

void
store_scan_start(void)
{
	scan_next = ref_of(store_lookup("/"));
}

struct node *
store_scan_next(void)
{
	struct node *n = deref(scan_next), *k;

	if (n == NULL)
		return NULL;
	k = node_first_child(n);
	scan_next = ref_of(k ? k : next_outside(n));
	return n;
}

bool
store_reaping(void)
{
	return !TAILQ_EMPTY(&detached_list);
}

void
arena_state(struct arena_state *st)
{
	st->top = arena_top;
	st->nnodes = nnodes;
	st->nlists = sizeof(free_head) / sizeof(free_head[0]);
	st->generation = generation;
	st->free_head = free_head;
	st->free_count = free_count;
	st->detached = !TAILQ_EMPTY(&detached_list);
}

int
arena_adopt(size_t top, size_t n, uint64_t gen)
{
	if (top < UNIT || top > arena_limit) {
		errno = ENOMEM;
		return -1;
	}
	arena_top = top;
	nnodes = n;
	generation = gen;
	return 0;
}

void
store_report_loaded(struct node *n, const char *path)
{
	loading = true;
	report(&(struct store_change){
		.op = STORE_CREATE, .path = path, .node = n, .quiet = true});
	loading = false;
}

int
store_reserve(size_t n)
{
	return index_reserve(n);
}

int
store_init(void)
{
	struct detached *d;

	while ((d = TAILQ_FIRST(&detached_list)) != NULL) {
		TAILQ_REMOVE(&detached_list, d, link);
		free(d);
	}
	nobservers = 0;
	scan_next = 0;
	if (arena_init() != 0)
		return -1;
	return index_init(0);
}

int
store_create_base(unsigned priv_domid)
{
	struct perm owner = {priv_domid, PERM_NONE};
	struct perm anyread[2] = {{priv_domid, PERM_NONE},
				  {DOMID_ANY, PERM_READ}};

	if (!store_create("/", &owner, 1, NULL, 0, true) ||
	    !store_create("/tool", &owner, 1, NULL, 0, true) ||
	    !store_create("/tool/xenstored", &owner, 1, NULL, 0, true) ||
	    !store_create("@introduceDomain", &owner, 1, NULL, 0, true) ||
	    !store_create("@releaseDomain", anyread, 2, NULL, 0, true))
		return -1;
	return 0;
}
