/* SPDX-License-Identifier: MIT */
/*
 * The xenstore ring page protocol (docs: reference section 2): moving
 * bytes through a mapped struct xenstore_domain_interface.  Pure functions
 * over the page, no I/O and no allocation, so the daemon (server side:
 * requests in, replies out), the client library (client side: the
 * opposite), the unit tests and the fuzzer all run the same code.
 *
 * The page is shared with a peer that may be hostile: every call reads the
 * peer's index once, validates prod - cons <= XENSTORE_RING_SIZE before
 * touching data, and orders the data copies against the index updates
 * with full barriers.  Notifying the peer (event channel) is the caller's
 * job: after any call that moved bytes.
 */
#ifndef RING_H
#define RING_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "xs_wire.h"

/*
 * Which end of the page a caller is.  The server consumes req[] and
 * produces rsp[]; the client produces req[] and consumes rsp[].
 */
enum ring_side { RING_SERVER, RING_CLIENT };

/*
 * True if a (cons, prod) pair is a valid ring state: the producer is at
 * most XENSTORE_RING_SIZE bytes ahead of the consumer, modulo 2^32.
 */
bool ring_idx_ok(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod);

/*
 * Copy up to len bytes from the ring this side consumes into buf and
 * advance the consumer index.  Returns the number of bytes copied (0 if
 * the ring is empty or len is 0), or -1 with errno EPROTO if the indexes
 * are invalid; then nothing was copied or changed, and the peer is broken.
 */
ssize_t ring_read(struct xenstore_domain_interface *intf, enum ring_side side,
		  void *buf, size_t len);

/*
 * Copy up to len bytes of buf into the free space of the ring this side
 * produces and advance the producer index.  Returns the number of bytes
 * copied (0 if the ring is full), or -1 with errno EPROTO on invalid
 * indexes (nothing changed).  A message may go out in several calls.
 */
ssize_t ring_write(struct xenstore_domain_interface *intf, enum ring_side side,
		   const void *buf, size_t len);

/*
 * For a consumer that gives space back only once what it read is safe
 * (the daemon, so that a request survives its crash): copy up to len
 * bytes from stream position from, which must lie between the consumer
 * and producer indexes, without advancing the consumer index.  Returns
 * the bytes copied (0: none past from), or -1 with EPROTO (invalid
 * indexes, or from outside them).
 */
ssize_t ring_peek(struct xenstore_domain_interface *intf, enum ring_side side,
		  XENSTORE_RING_IDX from, void *buf, size_t len);

/*
 * Advance this side's consumer index to to, which must lie between it
 * and the producer's.  0, or -1 with EPROTO (nothing changed).
 */
int ring_consume(struct xenstore_domain_interface *intf, enum ring_side side,
		 XENSTORE_RING_IDX to);

/* Free bytes of the ring this side produces, or -1 with EPROTO. */
ssize_t ring_space(const struct xenstore_domain_interface *intf,
		   enum ring_side side);

/*
 * True if a ring_read() would return something other than 0: bytes are
 * waiting, or the indexes are invalid (so the caller reads and sees the
 * error).
 */
bool ring_can_read(const struct xenstore_domain_interface *intf,
		   enum ring_side side);

/* True if a ring_write() of at least one byte would not return 0. */
bool ring_can_write(const struct xenstore_domain_interface *intf,
		    enum ring_side side);

/*
 * Set all four indexes to 0 (the server does this when it introduces or
 * resets a connection).  Only safe while the peer is not using the ring.
 */
void ring_reset(struct xenstore_domain_interface *intf);

#endif /* RING_H */
