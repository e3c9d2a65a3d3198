/* SPDX-License-Identifier: MIT */
/*
 * Restart-time reconciliation of a ring (ring_resume.h).  A read's reply
 * on the ring and req_cons moving past it are two stores: a daemon killed
 * between them leaves whole replies after the output its record saved.
 * Replies go out in the order of the requests, and the saved output ends
 * with the reply of the request that ends at the record's req_end; so
 * the k-th reply after the saved output answers the k-th request after
 * req_end, and the next daemon skips as many requests as it finds such
 * replies.  The guest may have written anything in its page: a frame
 * that does not parse ends the count, which can only make the guest's
 * own requests answered twice or not at all, never hurt the daemon.
 */
#include <string.h>

#include "frame.h"
#include "ring_resume.h"

/* Copy len bytes (at most a ring's worth) of ring from position pos. */
static void
copy_out(const char *ring, XENSTORE_RING_IDX pos, uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)__atomic_load_n(
			&ring[XENSTORE_RING_IDX_MASK(pos +
						     (XENSTORE_RING_IDX)i)],
			__ATOMIC_RELAXED);
}

bool
ring_resume_shows(const struct xenstore_domain_interface *intf,
		  XENSTORE_RING_IDX end, const uint8_t *out, size_t k)
{
	uint8_t buf[XENSTORE_RING_SIZE];
	size_t n = k > XENSTORE_RING_SIZE ? XENSTORE_RING_SIZE : k;

	if (n == 0) /* out may be NULL then (an empty record field) */
		return true;
	copy_out(intf->rsp, end - (XENSTORE_RING_IDX)n, buf, n);
	return memcmp(buf, out + (k - n), n) == 0;
}

/*
 * Walk the whole frames of buf[0..len), at most max of them; count
 * those that are not watch events (if events); the bytes they take.
 */
static size_t
frames(const uint8_t *buf, size_t len, unsigned max, bool skip_events,
       unsigned *count)
{
	struct xsd_sockmsg hdr;
	size_t off = 0;

	*count = 0;
	while (*count < max && len - off >= FRAME_HDR_SIZE) {
		memcpy(&hdr, buf + off, sizeof(hdr));
		if (hdr.len > XENSTORE_PAYLOAD_MAX ||
		    len - off - FRAME_HDR_SIZE < hdr.len)
			break;
		off += FRAME_HDR_SIZE + hdr.len;
		if (!skip_events || hdr.type != XS_WATCH_EVENT)
			(*count)++;
	}
	return off;
}

unsigned
ring_resume_replies(const struct xenstore_domain_interface *intf,
		    XENSTORE_RING_IDX from, XENSTORE_RING_IDX to)
{
	uint8_t buf[XENSTORE_RING_SIZE];
	size_t len = (XENSTORE_RING_IDX)(to - from);
	unsigned count;

	if (len > XENSTORE_RING_SIZE)
		return 0;
	copy_out(intf->rsp, from, buf, len);
	frames(buf, len, XENSTORE_RING_SIZE, true, &count);
	return count;
}

XENSTORE_RING_IDX
ring_resume_skip(const struct xenstore_domain_interface *intf,
		 XENSTORE_RING_IDX from, XENSTORE_RING_IDX prod, unsigned n)
{
	uint8_t buf[XENSTORE_RING_SIZE];
	size_t len = (XENSTORE_RING_IDX)(prod - from);
	unsigned count;

	if (len > XENSTORE_RING_SIZE || n == 0)
		return from;
	copy_out(intf->req, from, buf, len);
	return from + (XENSTORE_RING_IDX)frames(buf, len, n, false, &count);
}
