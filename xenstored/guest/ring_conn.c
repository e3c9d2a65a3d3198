/* SPDX-License-Identifier: MIT */
/*
 * The ring transport (ring_conn.h): a guest's connection moves bytes
 * through its xenstore page with transport/ring.c, which validates the
 * guest's indexes on every call, and notifies through the domain's event
 * channel.  A guest that breaks the indexes or the framing gets the page's
 * error field set (feature bit 2) before its connection closes.  What
 * saves record of a ring, and how a restart takes it back, is
 * ring_save.c.
 *
 * Giving request space back, worked through.  A guest puts READ (20
 * bytes) and WRITE (30 bytes) on its ring: req_prod = 50, req_cons = 0.
 * The daemon reads both (cursor peek = 50) and answers them: done = 20
 * then 50, each with the count of output bytes queued by then (its
 * mark).  Its WRITE needs saving: the turn's journal record holds the
 * new node and this guest's record {req_end 50, the two replies}; once
 * written, req_cons = 50.  Had the turn had no change, req_cons would
 * follow the replies instead: 20 once the READ's reply is on the ring,
 * 50 once the WRITE's is.  Killed anywhere in between, the next daemon
 * finds req_cons at 0, 20 or 50 and the journal either with the record
 * or without the WRITE, and answers each request exactly once.
 *
 * Notifications.  Each move of an index owes the guest an event, but
 * not one each: the indexes a loop turn moves on a ring (requests given
 * back, replies written, in any number) are announced by one event at
 * the turn's end (ring_conn_notify_owed), before the daemon can sleep.
 * Sixteen pipelined READs answered in one turn cost the guest one
 * wake-up, not thirty-two.
 *
 * Messages in pieces.  A message that does not fit in the space free
 * cannot wait for room to go whole: Linux's xenbus driver tells us it
 * read only when it found the ring full, so a ring half full would stay
 * so.  Yet a crash between two pieces must not leave the guest half a
 * message the next daemon could not complete.  So a message goes in
 * pieces only once a save holds it (the guest's record keeps its
 * queued output, which the next daemon completes): a blocked one asks
 * for a save of all that is queued, made at the start of the next
 * turn's flush, and then fills the ring.  One save covers every message
 * queued by then, so a guest reading slowly costs a save per batch of
 * its own output, as its changes already do.  A daemon that saves
 * nothing (a xenstore domain's) writes pieces at once.
 */
#include <errno.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <talloc.h>

#include "conn.h"
#include "domain.h"
#include "frame.h"
#include "hyp.h"
#include "ring.h"
#include "ring_conn.h"
#include "ring_cursor.h"
#include "ring_link.h"

/* Rings whose guest is owed an event at the end of the turn. */
static LIST_HEAD(, ring_link) owed = LIST_HEAD_INITIALIZER(owed);
/*
 * Rings that want a save (a message to go out in pieces, space to give
 * back): the loop turns again at once, to make it at its flush.
 */
static LIST_HEAD(, ring_link) waiting = LIST_HEAD_INITIALIZER(waiting);
/* Whether the daemon saves rings at all (it persists its store). */
static bool saving;

struct domain *
ring_conn_domain(const struct conn *c)
{
	return link_of(c)->d;
}

/*
 * Flag the page and tell the guest: a guest waiting for a reply would
 * otherwise never look at the field (Xen sets it without notifying).
 */
static void
set_error(struct domain *d, uint32_t error)
{
	if (d->intf && (d->features & XENSTORE_SERVER_FEATURE_ERROR)) {
		d->intf->error = error;
		if (d->port >= 0)
			hyp_notify((unsigned)d->port);
	}
}

/* An index of l's ring moved: its guest gets an event at the turn's end. */
static void
owe(struct ring_link *l)
{
	if (!l->owed) {
		l->owed = true;
		LIST_INSERT_HEAD(&owed, l, owed_link);
	}
}

void
ring_link_not_owed(struct ring_link *l)
{
	if (l->owed) {
		l->owed = false;
		LIST_REMOVE(l, owed_link);
	}
}

static void
not_waiting(struct ring_link *l)
{
	if (l->waiting) {
		l->waiting = false;
		LIST_REMOVE(l, waiting_link);
	}
}

/* l must be saved with the next turn's journal record. */
static void
want_save(struct ring_link *l)
{
	l->dirty = true;
	if (!l->waiting) {
		l->waiting = true;
		LIST_INSERT_HEAD(&waiting, l, waiting_link);
	}
}

static int
link_destroy(struct ring_link *l)
{
	ring_link_not_owed(l);
	not_waiting(l);
	return 0;
}

void
ring_conn_saving(bool on)
{
	saving = on;
}

void
ring_conn_kick_waiting(void)
{
	struct ring_link *l;

	while ((l = LIST_FIRST(&waiting)) != NULL) {
		not_waiting(l);
		if (l->d->conn)
			conn_kick(l->d->conn);
	}
}

bool
ring_conn_any_waiting(void)
{
	return !LIST_EMPTY(&waiting);
}

void
ring_conn_notify_owed(void)
{
	struct ring_link *l;

	while ((l = LIST_FIRST(&owed)) != NULL) {
		ring_link_not_owed(l);
		if (l->d->port >= 0)
			hyp_notify((unsigned)l->d->port);
	}
}

void
ring_link_give_back(struct ring_link *l, XENSTORE_RING_IDX to)
{
	/* A guest that moved req_cons itself broke the ring: EPROTO. */
	if (ring_consume(l->d->intf, RING_SERVER, to) == 0)
		owe(l);
}

/*
 * The guest's request ring is full: it may be waiting for space before
 * it reads anything (a guest of one thread).  A request longer than the
 * ring is given back as it is read, or the guest could never write the
 * rest: its header says so, or part of it was given back already
 * (req_cons past the end of the last answered request).  What was read
 * of it is saved first (the record's input), so that a crash does not
 * lose it; a daemon that saves nothing gives it back at once.  A ring
 * full of whole requests is saved at the turn's end, answered ones with
 * their replies, which gives their space back however slowly the guest
 * reads.
 */
static void
ring_full(struct ring_link *l)
{
	XENSTORE_RING_IDX cons =
		__atomic_load_n(&l->d->intf->req_cons, __ATOMIC_RELAXED);
	struct xsd_sockmsg hdr;

	if ((int32_t)(cons - l->done) > 0 ||
	    (ring_peek(l->d->intf, RING_SERVER, l->done, &hdr, sizeof(hdr)) ==
		     (ssize_t)sizeof(hdr) &&
	     FRAME_HDR_SIZE + (size_t)hdr.len >
		     (XENSTORE_RING_IDX)(l->peek - l->done))) {
		if (!saving)
			ring_link_give_back(l, l->peek);
		else if (!l->save_in) {
			l->save_in = true;
			want_save(l);
		}
	} else
		l->dirty = true;
}

static ssize_t
ring_conn_read(struct conn *c, void *buf, size_t len)
{
	struct ring_link *l = link_of(c);
	struct xenstore_domain_interface *intf = l->d->intf;
	ssize_t n = ring_peek(intf, RING_SERVER, l->peek, buf, len);

	if (n < 0) {
		set_error(l->d, XENSTORE_ERROR_RINGIDX);
		errno = EPROTO;
		return -1;
	}
	l->peek += (XENSTORE_RING_IDX)n;
	if (ring_space(intf, RING_CLIENT) == 0)
		ring_full(l);
	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	return n;
}

/* Requests up to req are answered, on the ring up to rsp_prod. */
static void
cursor(struct ring_link *l, XENSTORE_RING_IDX req)
{
	ring_cursor_move(
		l->d->domid, l->tag, req,
		__atomic_load_n(&l->d->intf->rsp_prod, __ATOMIC_RELAXED));
}

/*
 * Give back the requests whose replies are all on the ring, the cursor
 * moved first (ring_cursor.h).  When only events went out, with every
 * reply out before them, the cursor follows too, so that a restart
 * never has more than a ring to count after it.
 */
static void
replies_out(struct conn *c, struct ring_link *l)
{
	uint64_t out = l->written + c->out_dropped;
	unsigned i = 0, k;

	while (i < l->nmarks && l->marks[i].out <= out)
		i++;
	if (i == 0) {
		if (l->nmarks == 0)
			cursor(l, l->done);
		return;
	}
	cursor(l, l->marks[i - 1].end);
	ring_link_give_back(l, l->marks[i - 1].end);
	for (k = i; k < l->nmarks; k++)
		l->marks[k - i] = l->marks[k];
	l->nmarks -= i;
}

/* A message of c waits for a save of everything queued so far. */
static void
ask_save(struct ring_link *l, const struct conn *c)
{
	if (l->save_to < c->out_total)
		l->save_to = c->out_total;
	want_save(l);
}

/*
 * How much of a message's rest of len bytes, which ends at output
 * position end, to write with space free: all if it fits, else as much
 * as fits once a save holds it (above).
 */
static size_t
portion(struct ring_link *l, const struct conn *c, size_t len, uint64_t end,
	size_t space)
{
	if (len <= space)
		return len;
	if (space == 0)
		return 0;
	if (!saving || end <= l->saved)
		return space;
	ask_save(l, c);
	return 0;
}

static ssize_t
ring_conn_writev(struct conn *c, const struct iovec *iov, int iovcnt)
{
	struct ring_link *l = link_of(c);
	uint64_t at = l->written + c->out_dropped;
	ssize_t total = 0, n, space;
	size_t want;
	int i;

	for (i = 0; i < iovcnt; i++) {
		space = ring_space(l->d->intf, RING_SERVER);
		if (space < 0)
			goto broken;
		at += iov[i].iov_len;
		want = portion(l, c, iov[i].iov_len, at, (size_t)space);
		if (want == 0)
			break;
		n = ring_write(l->d->intf, RING_SERVER, iov[i].iov_base, want);
		if (n < 0)
			goto broken;
		total += n;
		if ((size_t)n < iov[i].iov_len)
			break;
	}
	if (total == 0) {
		errno = EAGAIN;
		return -1;
	}
	l->written += (uint64_t)total;
	replies_out(c, l);
	owe(l);
	return total;
broken:
	set_error(l->d, XENSTORE_ERROR_RINGIDX);
	errno = EPROTO;
	return -1;
}

/* Whether a request may have changed what a save records. */
static bool
changes(const struct xsd_sockmsg *hdr)
{
	switch (hdr->type) {
	case XS_READ:
	case XS_DIRECTORY:
	case XS_DIRECTORY_PART:
	case XS_GET_PERMS:
	case XS_GET_DOMAIN_PATH:
	case XS_IS_DOMAIN_INTRODUCED:
	case XS_GET_FEATURE:
	case XS_GET_QUOTA:
	case XS_TRANSACTION_START:
		return false;
	case XS_TRANSACTION_END:
		return true;
	default:
		/* Inside a transaction nothing reaches the store yet. */
		return hdr->tx_id == 0;
	}
}

static void
ring_conn_answered(struct conn *c, const struct xsd_sockmsg *hdr)
{
	struct ring_link *l = link_of(c);
	unsigned i = l->nmarks;

	l->done += (XENSTORE_RING_IDX)(FRAME_HDR_SIZE + hdr->len);
	l->dirty |= changes(hdr);
	/* Full: the newest mark stands for the ones it follows. */
	if (i == MARKS)
		i--;
	l->marks[i].out = c->out_total;
	l->marks[i].end = l->done;
	l->nmarks = i + 1;
}

/* The guest broke the framing: say so in its page (error 3). */
static void
ring_conn_violated(struct conn *c)
{
	set_error(link_of(c)->d, XENSTORE_ERROR_PROTO);
}

/* Its domain lives on without a connection, until it dies. */
static void
ring_conn_closed(struct conn *c, const char *reason)
{
	struct ring_link *l = link_of(c);
	struct domain *d = l->d;

	(void)reason;
	/* Its domain may go before the connection is freed. */
	ring_link_not_owed(l);
	if (d->conn == c)
		d->conn = NULL;
}

const struct conn_transport ring_conn_transport = {
	.name = "ring",
	.read = ring_conn_read,
	.writev = ring_conn_writev,
	.violated = ring_conn_violated,
	.closed = ring_conn_closed,
	.answered = ring_conn_answered,
};

struct conn *
ring_conn_new(struct domain *d, bool privileged)
{
	struct conn *c = conn_new(-1, &ring_conn_transport, d, d->domid,
				  privileged, false);
	struct ring_link *l;

	if (c == NULL)
		return NULL;
	if ((l = talloc_zero(c, struct ring_link)) == NULL) {
		talloc_free(c);
		errno = ENOMEM;
		return NULL;
	}
	talloc_set_destructor(l, link_destroy);
	l->d = d;
	l->peek = l->done = d->intf->req_cons;
	l->tag = ring_cursor_new_tag();
	c->transport_data = l;
	return c;
}
