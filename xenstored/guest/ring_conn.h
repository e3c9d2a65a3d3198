/* SPDX-License-Identifier: MIT */
/*
 * The transport of a guest's connection: its xenstore ring page, read
 * so that every request survives a crash of the daemon.
 *
 * The request ring's consumer index (req_cons) is given back to the
 * guest only for requests that are safe: answered on the ring (the
 * whole reply written), or saved with their effects and replies in the
 * journal (ring_conn_saved).  Until then the daemon reads past it with
 * a private cursor, so a restarted daemon finds on the ring every
 * request that is neither: it runs them again (a read, or a change that
 * never reached the journal) or skips them (the saved record says their
 * effects are in; guest_state.c).  A reply goes on the ring whole when
 * it fits in the ring at all (1 kB), so that a crash never leaves a
 * guest half a reply it cannot complete.
 */
#ifndef RING_CONN_H
#define RING_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"

struct domain;

extern const struct conn_transport ring_conn_transport;

/*
 * A connection serving d's ring (d->intf mapped, d->port bound) from its
 * current indexes.  NULL with errno (ENOMEM).
 */
struct conn *ring_conn_new(struct domain *d, bool privileged);

/*
 * Send the event each ring whose indexes moved since its last one is
 * owed: once per loop turn, after the flush, before the loop may sleep.
 */
void ring_conn_notify_owed(void);

/*
 * Whether the daemon saves its rings (it persists its store): then a
 * message that does not fit in the space free goes out in pieces only
 * once a save holds it, else at once.
 */
void ring_conn_saving(bool on);

/*
 * Whether a ring wants a save (a message waits for it to go out in
 * pieces, or request space to be given back): the loop must turn again
 * without sleeping, and that turn start with ring_conn_kick_waiting(),
 * which makes their connections read and write again, after the save
 * its flush makes first.
 */
bool ring_conn_any_waiting(void);
void ring_conn_kick_waiting(void);

/* The domain a ring connection serves. */
struct domain *ring_conn_domain(const struct conn *c);

/*
 * Whether c answered a request since its last save that changed (or may
 * have changed) the store or its own watches: it must be saved with the
 * turn's journal record.
 */
bool ring_conn_dirty(const struct conn *c);

/* What a save records: the end of the last answered request, and the
 * response ring's producer index (where c's queued output will go). */
void ring_conn_position(const struct conn *c, XENSTORE_RING_IDX *req_end,
			XENSTORE_RING_IDX *rsp_base);

/*
 * Of c's unwritten output (unwritten bytes, from its head), how much a
 * save must keep: up to the end of the last answered request's reply,
 * or of all that was queued when a message asked for a save to go out
 * in pieces.  Other watch events queued after the last reply need not
 * be kept: every watch fires again after a restart.
 */
size_t ring_conn_owed(const struct conn *c, size_t unwritten);

/*
 * The start of a request longer than the ring that a save must keep
 * (its bytes in *in, if in is not NULL), read up to the req_end that
 * ring_conn_position() gives; 0 if none.
 */
size_t ring_conn_input(const struct conn *c, const uint8_t **in);

/* The save of position req_end reached the journal: give the space back. */
void ring_conn_saved(struct conn *c, XENSTORE_RING_IDX req_end);

/* What a guest's record says of its ring (guest_state.c). */
struct ring_record {
	XENSTORE_RING_IDX req_end, rsp_base;
	const void *out; /* output queued at the save, from rsp_base */
	size_t out_len;
	const void *in; /* a long request's start, read up to req_end */
	size_t in_len;
	uint32_t tag; /* of the ring's cursor (ring_cursor.h), 0: none */
};

/* The tag of c's ring cursor, which a save records. */
uint32_t ring_conn_tag(const struct conn *c);

/*
 * After a restart: the requests up to r->req_end are in the store
 * already (and their replies in the saved output), or, with r->in, the
 * start of the request being read: skip them if the ring still has
 * them, and read r->in first.  Then the saved output, which started at
 * the response ring's position r->rsp_base, is queued from where the
 * ring shows the dead daemon stopped writing it; nothing, if the ring's
 * bytes do not match it (the record is older than what the ring shows).
 * The ring's cursor, when later than the record, says instead where the
 * requests answered end, all the output being on the ring
 * (ring_cursor.h).
 */
void ring_conn_resume(struct conn *c, const struct ring_record *r);

/*
 * A live update hands c over: everything read from its ring is in the
 * hand-over (answered requests' replies in its output, the rest as its
 * input), so all of it is given back, and the new binary reads on from
 * req_cons.
 */
void ring_conn_hand_over(struct conn *c);

/*
 * The new binary of a live update gave c len bytes of input read from
 * the ring by the old one (given back already): the requests they hold
 * end before the ring's req_cons, where c reads on.
 */
void ring_conn_took_input(struct conn *c, size_t len);

#endif /* RING_CONN_H */
