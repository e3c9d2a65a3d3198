/* SPDX-License-Identifier: MIT */
/*
 * Ring cursors (ring_cursor.h): one slot of 16 bytes per domain id in a
 * file mapped shared, 512 KiB at most and sparse.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "ring_cursor.h"

struct slot {
	uint32_t tag;
	uint32_t unused;
	uint64_t pos; /* req << 32 | rsp: one store moves both */
};

#define SLOTS DOMID_FIRST_RESERVED
#define FILE_SIZE ((size_t)SLOTS * sizeof(struct slot))

static struct slot *slots;

int
ring_cursor_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	void *p = MAP_FAILED;
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && (st.st_size == (off_t)FILE_SIZE ||
				    ftruncate(fd, (off_t)FILE_SIZE) == 0))
		p = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	ring_cursor_close();
	slots = p;
	return 0;
}

void
ring_cursor_close(void)
{
	if (slots != NULL)
		munmap(slots, FILE_SIZE);
	slots = NULL;
}

uint32_t
ring_cursor_new_tag(void)
{
	uint32_t tag;

	do
		tag = arc4random();
	while (tag == 0);
	return tag;
}

void
ring_cursor_move(unsigned domid, uint32_t tag, XENSTORE_RING_IDX req,
		 XENSTORE_RING_IDX rsp)
{
	struct slot *s;

	if (slots == NULL || domid >= SLOTS || tag == 0)
		return;
	s = &slots[domid];
	if (__atomic_load_n(&s->tag, __ATOMIC_RELAXED) == tag) {
		__atomic_store_n(&s->pos, (uint64_t)req << 32 | rsp,
				 __ATOMIC_RELEASE);
		return;
	}
	/*
	 * Another connection's slot: no tag while its position changes, so
	 * that one killed in between leaves a slot nobody's, never a tag
	 * with a position that was not its connection's.
	 */
	__atomic_store_n(&s->tag, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&s->pos, (uint64_t)req << 32 | rsp, __ATOMIC_RELEASE);
	__atomic_store_n(&s->tag, tag, __ATOMIC_RELEASE);
}

bool
ring_cursor_get(unsigned domid, uint32_t tag, XENSTORE_RING_IDX *req,
		XENSTORE_RING_IDX *rsp)
{
	uint64_t pos;

	if (slots == NULL || domid >= SLOTS || tag == 0 ||
	    __atomic_load_n(&slots[domid].tag, __ATOMIC_ACQUIRE) != tag)
		return false;
	pos = __atomic_load_n(&slots[domid].pos, __ATOMIC_RELAXED);
	*req = (XENSTORE_RING_IDX)(pos >> 32);
	*rsp = (XENSTORE_RING_IDX)pos;
	return true;
}
