/* SPDX-License-Identifier: MIT */
/*
 * The xenstore ring page protocol, both ends.  Owns the index discipline
 * (read each index once, validate, barrier, copy, barrier, publish) and
 * the wrap-around arithmetic; knows nothing about messages or events.
 *
 * Indexes are free-running 32-bit byte counters: the byte at stream
 * position x lives at buf[x & 1023].  Worked example, ring of 1024:
 *
 *   cons = 0xfffffffe, prod = 0x00000003  ->  prod - cons = 5 bytes
 *   in use (the unsigned subtraction wraps), at buf[1022], buf[1023],
 *   buf[0], buf[1], buf[2]: a read of 5 copies 2 bytes from the end of
 *   the buffer and 3 from its start, then publishes cons = 0x00000003.
 *
 *   cons = 10, prod = 1100  ->  1090 > 1024: the peer wrote nonsense;
 *   the call fails with EPROTO and touches nothing.
 *
 * Each index is loaded exactly once per call (__atomic relaxed loads keep
 * the compiler from reloading it), so a peer changing it between the
 * check and the copy cannot make us copy outside the buffer: the copy is
 * bounded by the validated local values only.
 */
#include <errno.h>
#include <string.h>

#include "ring.h"

#define load_idx(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define store_idx(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

static inline void
ring_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* The half of the page and the index pair a side consumes. */
struct ring_view {
	char *buf;
	XENSTORE_RING_IDX *cons, *prod;
};

static struct ring_view
in_ring(struct xenstore_domain_interface *intf, enum ring_side side)
{
	struct ring_view v;

	if (side == RING_SERVER) {
		v.buf = intf->req;
		v.cons = &intf->req_cons;
		v.prod = &intf->req_prod;
	} else {
		v.buf = intf->rsp;
		v.cons = &intf->rsp_cons;
		v.prod = &intf->rsp_prod;
	}
	return v;
}

static struct ring_view
out_ring(struct xenstore_domain_interface *intf, enum ring_side side)
{
	return in_ring(intf, side == RING_SERVER ? RING_CLIENT : RING_SERVER);
}

bool
ring_idx_ok(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod)
{
	return (XENSTORE_RING_IDX)(prod - cons) <= XENSTORE_RING_SIZE;
}

ssize_t
ring_read(struct xenstore_domain_interface *intf, enum ring_side side,
	  void *buf, size_t len)
{
	struct ring_view v = in_ring(intf, side);
	XENSTORE_RING_IDX cons = load_idx(v.cons), prod = load_idx(v.prod);
	size_t avail, off, first;

	/* Read the indexes before the data they announce. */
	ring_mb();
	if (!ring_idx_ok(cons, prod)) {
		errno = EPROTO;
		return -1;
	}
	avail = (XENSTORE_RING_IDX)(prod - cons);
	if (len > avail)
		len = avail;
	if (len == 0)
		return 0;
	off = XENSTORE_RING_IDX_MASK(cons);
	first = XENSTORE_RING_SIZE - off;
	if (first > len)
		first = len;
	memcpy(buf, v.buf + off, first);
	memcpy((char *)buf + first, v.buf, len - first);
	/* Finish copying out before the peer may overwrite the space. */
	ring_mb();
	store_idx(v.cons, cons + (XENSTORE_RING_IDX)len);
	return (ssize_t)len;
}

ssize_t
ring_write(struct xenstore_domain_interface *intf, enum ring_side side,
	   const void *buf, size_t len)
{
	struct ring_view v = out_ring(intf, side);
	XENSTORE_RING_IDX cons = load_idx(v.cons), prod = load_idx(v.prod);
	size_t space, off, first;

	/* See the consumer's progress before reusing the space it freed. */
	ring_mb();
	if (!ring_idx_ok(cons, prod)) {
		errno = EPROTO;
		return -1;
	}
	space = XENSTORE_RING_SIZE - (XENSTORE_RING_IDX)(prod - cons);
	if (len > space)
		len = space;
	if (len == 0)
		return 0;
	off = XENSTORE_RING_IDX_MASK(prod);
	first = XENSTORE_RING_SIZE - off;
	if (first > len)
		first = len;
	memcpy(v.buf + off, buf, first);
	memcpy(v.buf, (const char *)buf + first, len - first);
	/* The data must be visible before the index that announces it. */
	ring_mb();
	store_idx(v.prod, prod + (XENSTORE_RING_IDX)len);
	return (ssize_t)len;
}

ssize_t
ring_peek(struct xenstore_domain_interface *intf, enum ring_side side,
	  XENSTORE_RING_IDX from, void *buf, size_t len)
{
	struct ring_view v = in_ring(intf, side);
	XENSTORE_RING_IDX cons = load_idx(v.cons), prod = load_idx(v.prod);
	size_t avail, off, first;

	ring_mb();
	if (!ring_idx_ok(cons, prod) ||
	    (XENSTORE_RING_IDX)(from - cons) >
		    (XENSTORE_RING_IDX)(prod - cons)) {
		errno = EPROTO;
		return -1;
	}
	avail = (XENSTORE_RING_IDX)(prod - from);
	if (len > avail)
		len = avail;
	if (len == 0)
		return 0;
	off = XENSTORE_RING_IDX_MASK(from);
	first = XENSTORE_RING_SIZE - off;
	if (first > len)
		first = len;
	memcpy(buf, v.buf + off, first);
	memcpy((char *)buf + first, v.buf, len - first);
	return (ssize_t)len;
}

int
ring_consume(struct xenstore_domain_interface *intf, enum ring_side side,
	     XENSTORE_RING_IDX to)
{
	struct ring_view v = in_ring(intf, side);
	XENSTORE_RING_IDX cons = load_idx(v.cons), prod = load_idx(v.prod);

	ring_mb();
	if (!ring_idx_ok(cons, prod) ||
	    (XENSTORE_RING_IDX)(to - cons) > (XENSTORE_RING_IDX)(prod - cons)) {
		errno = EPROTO;
		return -1;
	}
	/* The copies out of the space finished before it is given back. */
	store_idx(v.cons, to);
	return 0;
}

ssize_t
ring_space(const struct xenstore_domain_interface *intf, enum ring_side side)
{
	XENSTORE_RING_IDX cons, prod;

	if (side == RING_SERVER) {
		cons = load_idx(&intf->rsp_cons);
		prod = load_idx(&intf->rsp_prod);
	} else {
		cons = load_idx(&intf->req_cons);
		prod = load_idx(&intf->req_prod);
	}
	if (!ring_idx_ok(cons, prod)) {
		errno = EPROTO;
		return -1;
	}
	return XENSTORE_RING_SIZE - (XENSTORE_RING_IDX)(prod - cons);
}

bool
ring_can_read(const struct xenstore_domain_interface *intf, enum ring_side side)
{
	XENSTORE_RING_IDX cons, prod;

	if (side == RING_SERVER) {
		cons = load_idx(&intf->req_cons);
		prod = load_idx(&intf->req_prod);
	} else {
		cons = load_idx(&intf->rsp_cons);
		prod = load_idx(&intf->rsp_prod);
	}
	return cons != prod;
}

bool
ring_can_write(const struct xenstore_domain_interface *intf,
	       enum ring_side side)
{
	XENSTORE_RING_IDX cons, prod;

	if (side == RING_SERVER) {
		cons = load_idx(&intf->rsp_cons);
		prod = load_idx(&intf->rsp_prod);
	} else {
		cons = load_idx(&intf->req_cons);
		prod = load_idx(&intf->req_prod);
	}
	/* Invalid indexes count as writable so the writer sees EPROTO. */
	return (XENSTORE_RING_IDX)(prod - cons) != XENSTORE_RING_SIZE;
}

void
ring_reset(struct xenstore_domain_interface *intf)
{
	store_idx(&intf->req_cons, 0);
	store_idx(&intf->req_prod, 0);
	store_idx(&intf->rsp_cons, 0);
	store_idx(&intf->rsp_prod, 0);
	ring_mb();
}
