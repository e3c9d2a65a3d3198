/* SPDX-License-Identifier: MIT */
/*
 * A connection's output (conn.h): the queue of messages it owes, each
 * reply and event one buffer; the reserve that answers when memory runs
 * out; a reply held for the pool's verdict; watch events a guest leaves
 * unread too long, dropped; the writes the flush point makes
 * (conn_write_out); and the output a live update or a crash restart
 * hands back.  Input, dispatch and the flush point are conn.c.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <time.h>

#include "conn.h"
#include "conn_int.h"
#include "frame.h"
#include "log.h"
#include "trace.h"

/*
 * Each connection keeps one message of this payload in reserve, for a
 * reply when memory runs out ("OK", a transaction id, an error name):
 * losing dom0's one ring in a xenstore domain would cut dom0 off.
 */
#define RESERVE_PAYLOAD 64
/* Messages one write takes at most. */
#define IOV_MAX_BATCH 64
/* Payload room of a held reply, so that an error name can replace it. */
#define HELD_ROOM 16

struct outbuf {
	struct outbuf *next;
	size_t len, off;
	time_t queued; /* for the watch-event timeout */
	uint8_t data[];
};

static void
append_out(struct conn *c, struct outbuf *o)
{
	if (c->out_tail)
		c->out_tail->next = o;
	else
		c->out_head = o;
	c->out_tail = o;
	c->out_bytes += o->len;
	c->out_total += o->len;
	c->out_count++;
	conn_mark_dirty(c);
}

/* c's reserve, made again once the last one went out; NULL if it fails. */
static struct outbuf *
reserve(struct conn *c)
{
	if (c->reserve == NULL)
		c->reserve =
			talloc_size(c, sizeof(struct outbuf) + FRAME_HDR_SIZE +
					       RESERVE_PAYLOAD);
	return c->reserve;
}

/*
 * No memory for a message: a reply goes out of c's reserve, whole if it
 * fits (a WRITE's "OK" must not be lost: the write is done), else turned
 * into ENOMEM (the replies too large for it are reads').  A watch event
 * is dropped.  Only with the reserve still in use does c go.
 */
static struct outbuf *
out_of_memory(struct conn *c, struct xsd_sockmsg *hdr, const void **a,
	      size_t *alen, size_t *blen)
{
	static const char enomem[] = "ENOMEM";
	struct outbuf *o = c->reserve;

	if (hdr->type == XS_WATCH_EVENT) {
		log_warnx("conn %lu (domain %u): out of memory: a watch event "
			  "is dropped",
			  c->id, c->who.domid);
		return NULL;
	}
	if (o == NULL) {
		conn_close(c, "out of memory queuing output");
		return NULL;
	}
	c->reserve = NULL;
	if (*alen + *blen > RESERVE_PAYLOAD) {
		log_warnx("conn %lu (domain %u): out of memory: ENOMEM "
			  "replaces a reply of %zu bytes",
			  c->id, c->who.domid, *alen + *blen);
		hdr->type = XS_ERROR;
		hdr->len = sizeof(enomem);
		*a = enomem;
		*alen = sizeof(enomem);
		*blen = 0;
	}
	return o;
}

void
conn_queue_msg(struct conn *c, const struct xsd_sockmsg *hdr0, const void *a,
	       size_t alen, const void *b, size_t blen)
{
	struct xsd_sockmsg hdr[1] = {*hdr0};
	struct outbuf *o;

	if (c->closing)
		return;
	reserve(c);
	o = talloc_size(c, sizeof(*o) + sizeof(*hdr) + alen + blen);
	if (o == NULL && (o = out_of_memory(c, hdr, &a, &alen, &blen)) == NULL)
		return;
	o->next = NULL;
	o->off = 0;
	o->queued = time(NULL);
	o->len = sizeof(*hdr) + alen + blen;
	memcpy(o->data, hdr, sizeof(*hdr));
	if (alen)
		memcpy(o->data + sizeof(*hdr), a, alen);
	if (blen)
		memcpy(o->data + sizeof(*hdr) + alen, b, blen);
	append_out(c, o);
	trace_io(c, true, hdr, o->data + sizeof(*hdr));
}

/*
 * Append len raw bytes to c's output as one message; 0 or ENOMEM.  They
 * count in out_total as any output: a ring's marks are positions in it.
 */
static int
queue_raw(struct conn *c, const void *p, size_t len)
{
	struct outbuf *o = talloc_size(c, sizeof(*o) + len);

	if (o == NULL)
		return ENOMEM;
	o->next = NULL;
	o->off = 0;
	o->queued = time(NULL);
	o->len = len;
	memcpy(o->data, p, len);
	append_out(c, o);
	return 0;
}

void
conn_queue_raw(struct conn *c, const void *data, size_t len)
{
	if (c->closing || len == 0)
		return;
	if (queue_raw(c, data, len) != 0)
		conn_close(c, "out of memory queuing output");
}

size_t
conn_output_pending(const struct conn *c)
{
	return c->out_bytes - (c->out_head ? c->out_head->off : 0);
}

size_t
conn_output_copy(const struct conn *c, void *buf, size_t cap)
{
	const struct outbuf *o;
	size_t total = 0, n;

	for (o = c->out_head; o && total < cap; o = o->next) {
		n = o->len - o->off;
		if (n > cap - total)
			n = cap - total;
		memcpy((uint8_t *)buf + total, o->data + o->off, n);
		total += n;
	}
	return total;
}

void
conn_reply(struct conn *c, const struct msg *m, uint32_t type, const void *data,
	   size_t len)
{
	struct xsd_sockmsg hdr = m->hdr;

	if (len > XENSTORE_PAYLOAD_MAX) {
		conn_reply_error(c, m, E2BIG);
		return;
	}
	hdr.type = type;
	hdr.len = (uint32_t)len;
	conn_queue_msg(c, &hdr, data, len, NULL, 0);
}

void
conn_reply_str(struct conn *c, const struct msg *m, const char *s)
{
	conn_reply(c, m, m->hdr.type, s, strlen(s) + 1);
}

void
conn_reply_error(struct conn *c, const struct msg *m, int errnum)
{
	const char *name = frame_error_name(errnum);

	conn_reply(c, m, XS_ERROR, name, strlen(name) + 1);
}

int
conn_reply_hold(struct conn *c, const struct msg *m, const char *s)
{
	struct xsd_sockmsg hdr = m->hdr;
	size_t len = strlen(s) + 1;
	struct outbuf *o;

	if (c->closing || c->held)
		return EBUSY;
	o = talloc_size(c, sizeof(*o) + sizeof(hdr) +
				   (len > HELD_ROOM ? len : HELD_ROOM));
	if (o == NULL)
		return ENOMEM;
	hdr.len = (uint32_t)len;
	o->next = NULL;
	o->off = 0;
	o->queued = time(NULL);
	o->len = sizeof(hdr) + len;
	memcpy(o->data, &hdr, sizeof(hdr));
	memcpy(o->data + sizeof(hdr), s, len);
	append_out(c, o);
	c->held = o;
	return 0;
}

/*
 * An error in place of the held reply changes its length: out_total
 * moves by the difference.  Only socket connections hold a reply
 * (hold.c), so no transport keeps positions in the output to move.
 */
void
conn_release_held(struct conn *c, int errnum)
{
	struct outbuf *o = c->held;
	struct xsd_sockmsg hdr;
	const char *name;
	int64_t delta;
	size_t len;

	if (o == NULL)
		return;
	c->held = NULL;
	memcpy(&hdr, o->data, sizeof(hdr));
	if (errnum) {
		name = frame_error_name(errnum);
		len = strlen(name) + 1;
		if (len > HELD_ROOM) /* never: the names are short */
			name = "EIO", len = sizeof("EIO");
		hdr.type = XS_ERROR;
		hdr.len = (uint32_t)len;
		memcpy(o->data, &hdr, sizeof(hdr));
		memcpy(o->data + sizeof(hdr), name, len);
		delta = (int64_t)(sizeof(hdr) + len) - (int64_t)o->len;
		c->out_bytes = (size_t)((int64_t)c->out_bytes + delta);
		c->out_total = (uint64_t)((int64_t)c->out_total + delta);
		o->len = sizeof(hdr) + len;
	}
	trace_io(c, true, &hdr, o->data + sizeof(hdr));
	conn_mark_dirty(c);
	conn_wake(c);
}

/* -w watch-event=<sec>: 0 keeps a guest's events for ever. */
static unsigned event_timeout = 20;

void
conn_set_event_timeout(unsigned seconds)
{
	event_timeout = seconds;
}

static bool
stale_event(const struct outbuf *o, time_t now)
{
	struct xsd_sockmsg hdr;

	memcpy(&hdr, o->data, sizeof(hdr));
	return hdr.type == XS_WATCH_EVENT && o->off == 0 &&
	       now - o->queued >= (time_t)event_timeout;
}

/*
 * Drop the watch events a guest left unread for longer than the timeout,
 * so that a guest that stopped reading cannot make us keep its events
 * for ever (XSA-326); replies are never dropped.
 */
static void
drop_stale_events(struct conn *c)
{
	struct outbuf **pp = &c->out_head, *o, *kept = NULL;
	time_t now = time(NULL);

	if (c->who.privileged || event_timeout == 0)
		return;
	/*
	 * The queue is in the order it was filled: what follows an entry too
	 * young to be stale is younger still, so the walk stops there and
	 * queuing an event costs O(1), not O(unread events).
	 */
	while ((o = *pp) != NULL && now - o->queued >= (time_t)event_timeout) {
		if (!stale_event(o, now)) {
			kept = o;
			pp = &o->next;
			continue;
		}
		trace_note("watch event on %s for domain %u timed out",
			   (const char *)o->data + FRAME_HDR_SIZE,
			   c->who.domid);
		*pp = o->next;
		c->out_bytes -= o->len;
		c->out_dropped += o->len;
		c->out_count--;
		talloc_free(o);
	}
	if (*pp == NULL)
		c->out_tail = kept;
}

void
conn_queue_event(struct conn *c, const char *path, const char *token)
{
	struct xsd_sockmsg hdr = {XS_WATCH_EVENT, 0, 0, 0};
	size_t plen = strlen(path) + 1, tlen = strlen(token) + 1;

	drop_stale_events(c);
	if (plen + tlen > XENSTORE_PAYLOAD_MAX) {
		trace_note("dropping watch event on %s: too large", path);
		return;
	}
	if (!conn_event_fits(c, sizeof(hdr) + plen + tlen))
		return;
	hdr.len = (uint32_t)(plen + tlen);
	conn_queue_msg(c, &hdr, path, plen, token, tlen);
	conn_count_event();
}

void
conn_write_out(struct conn *c)
{
	struct iovec iov[IOV_MAX_BATCH];
	struct outbuf *o;
	ssize_t n;
	int cnt;

	drop_stale_events(c);
	while (c->out_head && c->out_head != c->held && !c->closing) {
		for (cnt = 0, o = c->out_head;
		     o && o != c->held && cnt < IOV_MAX_BATCH;
		     o = o->next, cnt++) {
			iov[cnt].iov_base = o->data + o->off;
			iov[cnt].iov_len = o->len - o->off;
		}
		n = c->transport->writev(c, iov, cnt);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (c->ev_write)
					event_add(c->ev_write, NULL);
			} else if (errno == EPIPE || errno == ECONNRESET)
				conn_close(c, NULL); /* the client went away */
			else
				conn_close(c, strerror(errno));
			return;
		}
		while (n > 0 && (o = c->out_head) != NULL) {
			size_t left = o->len - o->off;

			if ((size_t)n < left) {
				o->off += (size_t)n;
				break;
			}
			n -= (ssize_t)left;
			c->out_bytes -= o->len;
			c->out_count--;
			c->out_head = o->next;
			if (c->out_head == NULL)
				c->out_tail = NULL;
			talloc_free(o);
		}
		if (c->out_head && c->out_head != c->held) {
			if (c->ev_write)
				event_add(c->ev_write, NULL);
			return;
		}
	}
}

uint8_t *
conn_output_bytes(void *ctx, const struct conn *c, size_t *len,
		  size_t *resp_len)
{
	const struct outbuf *o;
	uint8_t *bytes;
	size_t off = 0;

	*len = 0;
	*resp_len = c->out_head && c->out_head->off
			    ? c->out_head->len - c->out_head->off
			    : 0;
	for (o = c->out_head; o; o = o->next)
		*len += o->len - o->off;
	if (*len == 0)
		return NULL;
	if ((bytes = talloc_size(ctx, *len)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	for (o = c->out_head; o; o = o->next) {
		memcpy(bytes + off, o->data + o->off, o->len - o->off);
		off += o->len - o->off;
	}
	return bytes;
}

/*
 * The output is cut into messages again by their headers (so that the
 * watch-event timeout and the outstanding count see messages); bytes
 * that do not frame, from another daemon's stream, go as one piece.
 */
int
conn_restore_output(struct conn *c, const uint8_t *out, size_t len,
		    size_t resp_len)
{
	struct xsd_sockmsg hdr;
	size_t off = 0, n;

	if (resp_len && queue_raw(c, out, resp_len))
		return ENOMEM;
	for (off = resp_len; off < len; off += n) {
		n = len - off;
		if (n >= sizeof(hdr)) {
			memcpy(&hdr, out + off, sizeof(hdr));
			if (hdr.len <= n - sizeof(hdr))
				n = sizeof(hdr) + hdr.len;
		}
		if (queue_raw(c, out + off, n))
			return ENOMEM;
	}
	return 0;
}
