/* SPDX-License-Identifier: MIT */
/*
 * The part of a ring connection that outlives its daemon (ring_conn.h):
 * what a save records of a ring (the end of the requests answered, where
 * the queued output starts, a long request's start), what a finished
 * save gives back to the guest, and how a restarted daemon, or the new
 * binary of a live update, takes a ring back from its record.  The ring
 * transport itself is ring_conn.c.
 */
#include <string.h>

#include "conn.h"
#include "domain.h"
#include "frame.h"
#include "hyp.h"
#include "ring.h"
#include "ring_conn.h"
#include "ring_cursor.h"
#include "ring_link.h"
#include "ring_resume.h"

bool
ring_conn_dirty(const struct conn *c)
{
	return link_of(c)->dirty;
}

void
ring_conn_position(const struct conn *c, XENSTORE_RING_IDX *req_end,
		   XENSTORE_RING_IDX *rsp_base)
{
	const struct ring_link *l = link_of(c);

	*req_end = ring_conn_input(c, NULL) ? l->peek : l->done;
	*rsp_base = __atomic_load_n(&l->d->intf->rsp_prod, __ATOMIC_RELAXED);
}

size_t
ring_conn_owed(const struct conn *c, size_t unwritten)
{
	const struct ring_link *l = link_of(c);
	uint64_t start = c->out_total - unwritten, end;

	end = l->nmarks ? l->marks[l->nmarks - 1].out : 0;
	if (end < l->save_to)
		end = l->save_to;
	return end > start ? (size_t)(end - start) : 0;
}

void
ring_conn_saved(struct conn *c, XENSTORE_RING_IDX req_end)
{
	struct ring_link *l = link_of(c);
	unsigned i = 0, k;

	l->dirty = false;
	/* A long request's start that could not be saved goes back anyway. */
	if (l->save_in && (int32_t)(l->peek - req_end) > 0)
		req_end = l->peek;
	l->save_in = false;
	/* What the save held (ring_conn_owed) may go out in pieces now. */
	if (l->nmarks && l->saved < l->marks[l->nmarks - 1].out)
		l->saved = l->marks[l->nmarks - 1].out;
	if (l->saved < l->save_to)
		l->saved = l->save_to;
	ring_link_give_back(l, req_end);
	/* Marks up to req_end are given back already. */
	while (i < l->nmarks &&
	       (XENSTORE_RING_IDX)(req_end - l->marks[i].end) < 0x80000000u)
		i++;
	for (k = i; k < l->nmarks; k++)
		l->marks[k - i] = l->marks[k];
	l->nmarks -= i;
}

/* The rest of the long request whose start is in[0..len), or 0. */
static XENSTORE_RING_IDX
rest_of(const void *in, size_t len)
{
	struct xsd_sockmsg hdr;

	if (len < sizeof(hdr))
		return 0;
	memcpy(&hdr, in, sizeof(hdr));
	if (hdr.len > XENSTORE_PAYLOAD_MAX || FRAME_HDR_SIZE + hdr.len <= len)
		return 0;
	return (XENSTORE_RING_IDX)(FRAME_HDR_SIZE + hdr.len - len);
}

size_t
ring_conn_input(const struct conn *c, const uint8_t **in)
{
	const uint8_t *p;
	size_t len;

	if (!link_of(c)->save_in)
		return 0;
	p = conn_unread_input(c, &len);
	/* Only the start of one request: what ring_full() gives back. */
	if (rest_of(p, len) == 0)
		return 0;
	if (in)
		*in = p;
	return len;
}

/*
 * Where the requests answered before the crash end: req_end, and past
 * it one request for each whole reply the ring shows after the saved
 * output (written, but req_cons never moved past its request); the
 * first of them the long request of which *in_len bytes were saved, if
 * any, which then need not be read again.
 */
static XENSTORE_RING_IDX
answered_end(const struct xenstore_domain_interface *intf,
	     const struct ring_record *r, size_t *in_len)
{
	XENSTORE_RING_IDX prod = intf->req_prod, req_end = r->req_end;
	XENSTORE_RING_IDX out_end = r->rsp_base + (XENSTORE_RING_IDX)r->out_len;
	unsigned n = ring_resume_replies(intf, out_end, intf->rsp_prod);

	if (n > 0 && *in_len > 0) {
		req_end += rest_of(r->in, *in_len);
		*in_len = 0;
		n--;
	}
	return ring_resume_skip(intf, req_end, prod, n);
}

/*
 * The ring's cursor (ring_cursor.h), if it is the record's connection's
 * and later than the record: requests up to *req answered since, their
 * replies, and all the record's output before them, on the ring before
 * *rsp.
 */
static bool
cursor_later(const struct ring_link *l, const struct ring_record *r,
	     XENSTORE_RING_IDX *req, XENSTORE_RING_IDX *rsp)
{
	return ring_cursor_get(l->d->domid, r->tag, req, rsp) &&
	       (int32_t)(*req - r->req_end) > 0;
}

void
ring_conn_resume(struct conn *c, const struct ring_record *r)
{
	struct ring_link *l = link_of(c);
	struct xenstore_domain_interface *intf = l->d->intf;
	XENSTORE_RING_IDX cons = intf->req_cons, prod = intf->req_prod;
	XENSTORE_RING_IDX rsp_prod = intf->rsp_prod, req_end = r->req_end;
	XENSTORE_RING_IDX out_end = r->rsp_base + (XENSTORE_RING_IDX)r->out_len;
	XENSTORE_RING_IDX cursor_req, cursor_rsp;
	size_t k = (XENSTORE_RING_IDX)(rsp_prod - r->rsp_base),
	       len = r->out_len;
	size_t in_len = rest_of(r->in, r->in_len) ? r->in_len : 0;

	if (cursor_later(l, r, &cursor_req, &cursor_rsp)) {
		req_end = ring_resume_skip(
			intf, cursor_req, prod,
			ring_resume_replies(intf, cursor_rsp, rsp_prod));
		in_len = 0;
	} else if (k < len && ring_resume_shows(intf, rsp_prod, r->out, k))
		conn_queue_raw(c, (const uint8_t *)r->out + k, len - k);
	else if (k >= len && ring_resume_shows(intf, out_end, r->out, len))
		req_end = answered_end(intf, r, &in_len);
	if ((XENSTORE_RING_IDX)(req_end - cons) <=
		    (XENSTORE_RING_IDX)(prod - cons) &&
	    ring_consume(intf, RING_SERVER, req_end) == 0) {
		l->peek = l->done = req_end;
		/* Its start first, then the rest from the ring. */
		if (in_len && conn_restore(c, r->in, in_len, NULL, 0, 0) == 0)
			ring_conn_took_input(c, in_len);
	}
	/* The record holds what was queued: it may go out in pieces. */
	l->saved = c->out_total;
	/* The same connection goes on: its cursor stays valid. */
	if (r->tag != 0)
		l->tag = r->tag;
}

uint32_t
ring_conn_tag(const struct conn *c)
{
	return link_of(c)->tag;
}

void
ring_conn_hand_over(struct conn *c)
{
	struct ring_link *l = link_of(c);

	ring_link_give_back(l, l->peek);
	l->done = l->peek;
	l->nmarks = 0;
	/* The exec follows: no turn ends in this binary to send it. */
	ring_link_not_owed(l);
	if (l->d->port >= 0)
		hyp_notify((unsigned)l->d->port);
}

void
ring_conn_took_input(struct conn *c, size_t len)
{
	link_of(c)->done -= (XENSTORE_RING_IDX)len;
}
