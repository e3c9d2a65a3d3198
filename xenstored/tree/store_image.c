/* SPDX-License-Identifier: MIT */
/*
 * The store's memory as one image (store.h's store_image_*): what a live
 * update between two binaries of ours hands over instead of a NODE
 * record per node.  The arena holds every node with its links as 32-bit
 * references (store.c), and the path index is arrays of such references
 * hashed with an unseeded FNV-1a (store_index.c): nothing in them is an
 * address, so the bytes mean the same in the new process.  Rebuilding a
 * store of 100k nodes node by node cost ~60 ms of the update's blackout;
 * copying its 9 MB costs a few.  Only the same layout may be taken: the
 * tag says which (store.h), and the sizes of a node's fixed part and of
 * a permission are checked besides.
 *
 * The image, in the byte order of the machine (it never leaves it):
 *
 *	struct image_hdr	tag, sizes, arena top, counters, lists
 *	uint32_t[nlists] * 2	the free lists' heads and lengths
 *	arena bytes [0, top)	every node, free blocks included
 *	index			store_index.c's tables (index_image_*)
 *
 * After the copy, every node is reported to the observers as read back
 * from the database (loading): the accounting of each domain's nodes is
 * made again from them, nothing is written, no watch fires.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "store.h"
#include "store_int.h"
#include "xs_wire.h"

struct image_hdr {
	char tag[32];
	uint32_t node_size, perm_size;
	uint64_t top, nnodes, generation, nlists;
};

int
image_put(int fd, off_t *off, const void *p, size_t len)
{
	const char *b = p;
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, b, len, *off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
		*off += n;
	}
	return 0;
}

int
image_get(int fd, off_t *off, void *p, size_t len)
{
	char *b = p;
	ssize_t n;

	while (len > 0) {
		n = pread(fd, b, len, *off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n == 0 ? EINVAL : errno;
			return -1;
		}
		b += n;
		len -= (size_t)n;
		*off += n;
	}
	return 0;
}

int
store_image_save(int fd)
{
	struct image_hdr h;
	struct arena_state st;
	off_t off = 0;

	arena_state(&st);
	if (st.detached) {
		errno = EBUSY;
		return -1;
	}
	memset(&h, 0, sizeof(h));
	strncpy(h.tag, STORE_IMAGE_TAG, sizeof(h.tag) - 1);
	h.node_size = sizeof(struct node);
	h.perm_size = sizeof(struct perm);
	h.top = st.top;
	h.nnodes = st.nnodes;
	h.generation = st.generation;
	h.nlists = st.nlists;
	/* The pages at once, not one by one as the writes reach them. */
	(void)fallocate(
		fd, 0, 0,
		(off_t)(sizeof(h) + 2 * st.nlists * sizeof(uint32_t) + st.top));
	if (image_put(fd, &off, &h, sizeof(h)) != 0 ||
	    image_put(fd, &off, st.free_head, st.nlists * sizeof(uint32_t)) ||
	    image_put(fd, &off, st.free_count, st.nlists * sizeof(uint32_t)) ||
	    image_put(fd, &off, store_arena, st.top) != 0 ||
	    index_image_save(fd, &off) != 0)
		return -1;
	return 0;
}

/*
 * Report every node below top as loaded, in pre-order, building each
 * path from its parent's (no walk up the names per node).
 */
static void
report_all(struct node *top, const char *top_path)
{
	char path[XENSTORE_PAYLOAD_MAX + 1];
	size_t len = strlen(top_path), up;
	struct node *n = top, *k;

	memcpy(path, top_path, len + 1);
	for (;;) {
		store_report_loaded(n, path);
		if ((k = node_first_child(n)) != NULL &&
		    len + 1 + k->namelen < sizeof(path)) {
			if (len > 1)
				path[len++] = '/';
			else
				len = 1; /* below "/" */
			memcpy(path + len, node_name(k), k->namelen + 1u);
			len += k->namelen;
			n = k;
			continue;
		}
		while (n != top && node_next_sibling(n) == NULL) {
			up = len - n->namelen - 1;
			len = up ? up : 1;
			path[len] = '\0';
			n = node_parent(n);
		}
		if (n == top)
			return;
		/* The sibling replaces n's name. */
		len -= n->namelen;
		n = node_next_sibling(n);
		memcpy(path + len, node_name(n), n->namelen + 1u);
		len += n->namelen;
	}
}

/*
 * Fault the first len bytes of the arena in with one call: copying into
 * fresh pages otherwise takes a fault per page (where huge pages are not
 * to be had: store.c), ~35 ms for 9 MB on a paravirtualised guest.
 * MADV_POPULATE_WRITE is Linux 5.14's; an older kernel takes the faults.
 */
static void
prefault(size_t len)
{
#ifdef MADV_POPULATE_WRITE
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	madvise(store_arena, (len + page - 1) & ~(page - 1),
		MADV_POPULATE_WRITE);
#else
	(void)len;
#endif
}

int
store_image_load(int fd)
{
	static const char *const roots[] = {"/", "@introduceDomain",
					    "@releaseDomain"};
	struct image_hdr h;
	struct arena_state st;
	struct node *n;
	off_t off = 0;
	unsigned i;

	arena_state(&st);
	if (image_get(fd, &off, &h, sizeof(h)) != 0)
		return -1;
	if (strncmp(h.tag, STORE_IMAGE_TAG, sizeof(h.tag)) != 0 ||
	    h.node_size != sizeof(struct node) ||
	    h.perm_size != sizeof(struct perm) || h.nlists != st.nlists ||
	    st.nnodes != 0) {
		errno = EINVAL;
		return -1;
	}
	if (arena_adopt((size_t)h.top, (size_t)h.nnodes, h.generation) != 0)
		return -1;
	prefault((size_t)h.top);
	if (image_get(fd, &off, st.free_head, st.nlists * sizeof(uint32_t)) ||
	    image_get(fd, &off, st.free_count, st.nlists * sizeof(uint32_t)) ||
	    image_get(fd, &off, store_arena, (size_t)h.top) != 0 ||
	    index_image_load(fd, &off) != 0)
		return -1;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if ((n = store_lookup(roots[i])) != NULL)
			report_all(n, roots[i]);
	return 0;
}
