/* SPDX-License-Identifier: MIT */
/*
 * Restart-time reading of a guest's ring page (ring_conn_resume's
 * helpers): what the dead daemon left on the response ring, and which
 * requests that answers.  The page is the guest's: every function copies
 * what it reads first and bounds every parse to one ring's worth.
 */
#ifndef RING_RESUME_H
#define RING_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_wire.h"

/*
 * Whether the response ring's last k bytes before position end are the
 * first k bytes of out (only the last ring's worth can be compared).
 */
bool ring_resume_shows(const struct xenstore_domain_interface *intf,
		       XENSTORE_RING_IDX end, const uint8_t *out, size_t k);

/*
 * The whole replies (watch events not counted) on the response ring
 * between positions from and to; 0 if that is more than the ring holds.
 */
unsigned ring_resume_replies(const struct xenstore_domain_interface *intf,
			     XENSTORE_RING_IDX from, XENSTORE_RING_IDX to);

/*
 * The request ring position after the first n whole requests from
 * position from (fewer if fewer are there before prod); from itself if
 * from..prod is more than the ring holds.
 */
XENSTORE_RING_IDX
ring_resume_skip(const struct xenstore_domain_interface *intf,
		 XENSTORE_RING_IDX from, XENSTORE_RING_IDX prod, unsigned n);

#endif /* RING_RESUME_H */
