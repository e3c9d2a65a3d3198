/* SPDX-License-Identifier: MIT */
/*
 * The agent's xenstore connection (xsc.h): a bufferevent on the unix
 * socket, frame_scan on its input, a FIFO of pending callbacks (the daemon
 * answers a connection's requests in order).
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "unix.h"
#include "xsc.h"

struct pending {
	struct pending *next;
	uint32_t req_id;
	xsc_reply_fn *fn;
	void *arg;
};

struct xsc {
	struct bufferevent *bev;
	struct pending *head, **tail;
	unsigned outstanding;
	uint32_t next_id;
	xsc_event_fn *ev;
	xsc_lost_fn *lost;
	void *arg;
	int dead;
};

static void
fail_all(struct xsc *x)
{
	struct pending *p;

	while ((p = x->head) != NULL) {
		x->head = p->next;
		if (x->head == NULL)
			x->tail = &x->head;
		x->outstanding--;
		if (p->fn)
			p->fn(p->arg, EPIPE, NULL, 0);
		free(p);
	}
}

static void
gone(struct xsc *x)
{
	if (x->dead)
		return;
	x->dead = 1;
	fail_all(x);
	if (x->lost)
		x->lost(x->arg);
}

static void
handle(struct xsc *x, const struct xsd_sockmsg *h, const char *body)
{
	struct pending *p;
	const char *v[2];

	if (h->type == XS_WATCH_EVENT) {
		if (frame_get_strings(body, h->len, v, 2) >= 2 && x->ev)
			x->ev(x->arg, v[0], v[1]);
		return;
	}
	p = x->head;
	if (p == NULL || p->req_id != h->req_id) {
		gone(x); /* a reply nobody asked for: the stream is broken */
		return;
	}
	x->head = p->next;
	if (x->head == NULL)
		x->tail = &x->head;
	x->outstanding--;
	if (p->fn) {
		if (h->type == XS_ERROR)
			p->fn(p->arg, frame_error_errno(body), NULL, 0);
		else
			p->fn(p->arg, 0, body, h->len);
	}
	free(p);
}

static void
xsc_read_cb(struct bufferevent *bev, void *arg)
{
	struct xsc *x = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct xsd_sockmsg h;
	char buf[FRAME_HDR_SIZE + XENSTORE_PAYLOAD_MAX + 1];
	size_t avail;
	ssize_t n;

	while (!x->dead &&
	       (avail = evbuffer_get_length(in)) >= FRAME_HDR_SIZE) {
		if (avail > sizeof(buf) - 1)
			avail = sizeof(buf) - 1;
		evbuffer_copyout(in, buf, avail);
		n = frame_scan(buf, avail, &h);
		if (n < 0) {
			gone(x);
			return;
		}
		if (n == 0)
			return;
		evbuffer_drain(in, (size_t)n);
		buf[n] = '\0'; /* replies are strings but for READ's */
		handle(x, &h, buf + FRAME_HDR_SIZE);
	}
}

static void
xsc_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		gone(arg);
}

struct xsc *
xsc_open(struct event_base *base, const char *path, xsc_event_fn *ev,
	 xsc_lost_fn *lost, void *arg)
{
	struct xsc *x = calloc(1, sizeof(*x));
	int fd;

	if (x == NULL)
		return NULL;
	if ((fd = unix_connect(path)) < 0) {
		free(x);
		return NULL;
	}
	evutil_make_socket_nonblocking(fd);
	x->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (x->bev == NULL) {
		close(fd);
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	x->tail = &x->head;
	x->next_id = 1;
	x->ev = ev;
	x->lost = lost;
	x->arg = arg;
	bufferevent_setcb(x->bev, xsc_read_cb, NULL, xsc_event_cb, x);
	bufferevent_enable(x->bev, EV_READ | EV_WRITE);
	return x;
}

void
xsc_close(struct xsc *x)
{
	if (x == NULL)
		return;
	x->dead = 1;
	x->lost = NULL;
	fail_all(x);
	bufferevent_free(x->bev);
	free(x);
}

int
xsc_send(struct xsc *x, uint32_t type, uint32_t tx_id, const void *payload,
	 size_t len, xsc_reply_fn *fn, void *arg)
{
	struct xsd_sockmsg h = {.type = type, .tx_id = tx_id};
	struct pending *p;

	if (x->dead) {
		errno = EPIPE;
		return -1;
	}
	if (len > XENSTORE_PAYLOAD_MAX) {
		errno = E2BIG;
		return -1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	h.req_id = x->next_id++;
	h.len = (uint32_t)len;
	if (bufferevent_write(x->bev, &h, sizeof(h)) != 0 ||
	    (len && bufferevent_write(x->bev, payload, len) != 0)) {
		free(p);
		errno = ENOMEM;
		return -1;
	}
	p->req_id = h.req_id;
	p->fn = fn;
	p->arg = arg;
	*x->tail = p;
	x->tail = &p->next;
	x->outstanding++;
	return 0;
}

int
xsc_sendv(struct xsc *x, uint32_t type, uint32_t tx_id, xsc_reply_fn *fn,
	  void *arg, ...)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	size_t len = 0, l;
	const char *s;
	va_list ap;

	va_start(ap, arg);
	while ((s = va_arg(ap, const char *)) != NULL) {
		l = strlen(s) + 1;
		if (len + l > XENSTORE_PAYLOAD_MAX) {
			va_end(ap);
			errno = E2BIG;
			return -1;
		}
		memcpy(buf + len, s, l);
		len += l;
	}
	va_end(ap);
	return xsc_send(x, type, tx_id, buf, len, fn, arg);
}

unsigned
xsc_outstanding(const struct xsc *x)
{
	return x->outstanding;
}

int
xsc_write(struct xsc *x, uint32_t tx_id, const char *path, const void *value,
	  size_t vlen, xsc_reply_fn *fn, void *arg)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1;

	if (pl + vlen > sizeof(buf)) {
		errno = E2BIG;
		return -1;
	}
	memcpy(buf, path, pl);
	memcpy(buf + pl, value, vlen);
	return xsc_send(x, XS_WRITE, tx_id, buf, pl + vlen, fn, arg);
}
