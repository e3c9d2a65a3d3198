/* SPDX-License-Identifier: MIT */
/*
 * xs-bench's side of the wire: one buffered unix-socket connection per
 * struct xsb_conn, requests queued and written in batches (so that a
 * workload can keep D requests in flight), replies parsed with the
 * project's framer.  No workload logic and no timing here.
 *
 * The fd is non-blocking so that a poll loop over many connections can
 * read whatever arrived; the blocking helpers wait with poll().
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "frame.h"
#include "unix.h"
#include "xsb.h"

#define RBUF_INIT 8192
#define WBUF_INIT 2048

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		xsb_die("out of memory");
	return p;
}

struct xsb_conn *
xsb_connect(const char *path)
{
	struct xsb_conn *c = calloc(1, sizeof(*c));
	int fl;

	if (c == NULL)
		xsb_die("out of memory");
	c->fd = unix_connect(path);
	if (c->fd < 0)
		xsb_die("connect %s: %s", path, strerror(errno));
	fl = fcntl(c->fd, F_GETFL);
	if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) < 0)
		xsb_die("fcntl: %s", strerror(errno));
	c->rcap = RBUF_INIT;
	c->rbuf = xrealloc(NULL, c->rcap);
	c->wcap = WBUF_INIT;
	c->wbuf = xrealloc(NULL, c->wcap);
	c->next_id = 1;
	return c;
}

void
xsb_close(struct xsb_conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->rbuf);
	free(c->wbuf);
	free(c);
}

size_t
xsb_args(char *buf, size_t cap, const char *a, const char *b, bool b_nul)
{
	size_t la = strlen(a) + 1, lb = b ? strlen(b) + (b_nul ? 1 : 0) : 0;

	if (la + lb > cap)
		xsb_die("payload too long for %s", a);
	memcpy(buf, a, la);
	if (b)
		memcpy(buf + la, b, lb);
	return la + lb;
}

uint32_t
xsb_queue(struct xsb_conn *c, uint32_t type, uint32_t tx, const void *payload,
	  size_t len)
{
	struct xsd_sockmsg h;
	size_t need = c->wlen + sizeof(h) + len;

	if (len > XENSTORE_PAYLOAD_MAX)
		xsb_die("request payload of %zu bytes", len);
	if (need > c->wcap) {
		while (need > c->wcap)
			c->wcap *= 2;
		c->wbuf = xrealloc(c->wbuf, c->wcap);
	}
	h.type = type;
	h.req_id = c->next_id++;
	h.tx_id = tx;
	h.len = (uint32_t)len;
	memcpy(c->wbuf + c->wlen, &h, sizeof(h));
	if (len)
		memcpy(c->wbuf + c->wlen + sizeof(h), payload, len);
	c->wlen = need;
	return h.req_id;
}

static void
wait_fd(int fd, short what)
{
	struct pollfd p = {.fd = fd, .events = what};

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			xsb_die("poll: %s", strerror(errno));
}

void
xsb_flush(struct xsb_conn *c)
{
	size_t off = 0;
	ssize_t n;

	while (off < c->wlen) {
		n = write(c->fd, c->wbuf + off, c->wlen - off);
		if (n > 0) {
			off += (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			/*
			 * The daemon is not reading: it may be blocked
			 * writing replies we have not read yet.  Reading
			 * them into our buffer breaks that deadlock.
			 */
			struct pollfd p = {.fd = c->fd,
					   .events = POLLIN | POLLOUT};
			if (poll(&p, 1, -1) > 0 && (p.revents & POLLIN))
				xsb_fill(c);
		} else {
			xsb_die("write to daemon: %s",
				n == 0 ? "short write" : strerror(errno));
		}
	}
	c->wlen = 0;
}

bool
xsb_fill(struct xsb_conn *c)
{
	ssize_t n;

	if (c->roff > 0 && (c->roff == c->rlen || c->rcap - c->rlen < 4096)) {
		memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
		c->rlen -= c->roff;
		c->roff = 0;
	}
	if (c->rcap - c->rlen < 4096 + FRAME_HDR_SIZE) {
		c->rcap *= 2;
		c->rbuf = xrealloc(c->rbuf, c->rcap);
	}
	n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
	if (n > 0) {
		c->rlen += (size_t)n;
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	xsb_die("daemon closed the connection%s%s", n ? ": " : "",
		n ? strerror(errno) : "");
}

bool
xsb_next(struct xsb_conn *c, struct xsb_msg *m)
{
	ssize_t n = frame_scan(c->rbuf + c->roff, c->rlen - c->roff, &m->hdr);

	if (n < 0)
		xsb_die("daemon sent an oversized message");
	if (n == 0)
		return false;
	m->body = c->rbuf + c->roff + FRAME_HDR_SIZE;
	c->roff += (size_t)n;
	return true;
}

void
xsb_recv(struct xsb_conn *c, struct xsb_msg *m)
{
	while (!xsb_next(c, m))
		if (!xsb_fill(c))
			wait_fd(c->fd, POLLIN);
}

void
xsb_reply(struct xsb_conn *c, struct xsb_msg *m)
{
	for (;;) {
		xsb_recv(c, m);
		if (m->hdr.type != XS_WATCH_EVENT)
			return;
		c->events++;
	}
}

void
xsb_call(struct xsb_conn *c, uint32_t type, uint32_t tx, const void *payload,
	 size_t len, struct xsb_msg *m)
{
	uint32_t id = xsb_queue(c, type, tx, payload, len);

	xsb_flush(c);
	xsb_reply(c, m);
	if (m->hdr.req_id != id)
		xsb_die("reply to request %u carries id %u", id, m->hdr.req_id);
}

int
xsb_error(const struct xsb_msg *m)
{
	char name[32];
	size_t n;

	if (m->hdr.type != XS_ERROR)
		return 0;
	n = m->hdr.len < sizeof(name) - 1 ? m->hdr.len : sizeof(name) - 1;
	memcpy(name, m->body, n);
	name[n] = '\0';
	return frame_error_errno(name);
}

static void
check_ok(const struct xsb_msg *m, uint32_t type, const char *what,
	 const char *path)
{
	int err = xsb_error(m);

	if (err)
		xsb_die("%s %s: %s", what, path, frame_error_name(err));
	if (m->hdr.type != type)
		xsb_die("%s %s: reply of type %u", what, path, m->hdr.type);
}

void
xsb_write(struct xsb_conn *c, const char *path, const char *value)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	struct xsb_msg m;

	xsb_call(c, XS_WRITE, 0, buf,
		 xsb_args(buf, sizeof(buf), path, value, false), &m);
	check_ok(&m, XS_WRITE, "WRITE", path);
}

void
xsb_mkdir(struct xsb_conn *c, const char *path)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	struct xsb_msg m;

	xsb_call(c, XS_MKDIR, 0, buf,
		 xsb_args(buf, sizeof(buf), path, NULL, false), &m);
	check_ok(&m, XS_MKDIR, "MKDIR", path);
}

void
xsb_read(struct xsb_conn *c, const char *path, char *out, size_t cap)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	struct xsb_msg m;
	size_t n;

	xsb_call(c, XS_READ, 0, buf,
		 xsb_args(buf, sizeof(buf), path, NULL, false), &m);
	check_ok(&m, XS_READ, "READ", path);
	n = m.hdr.len < cap - 1 ? m.hdr.len : cap - 1;
	memcpy(out, m.body, n);
	out[n] = '\0';
}

void
xsb_fill_nodes(struct xsb_conn *c, unsigned long count, unsigned window,
	       void (*name)(unsigned long, char *, size_t),
	       void (*value)(unsigned long, char *, size_t))
{
	char path[256], val[256], buf[XENSTORE_PAYLOAD_MAX];
	unsigned long sent = 0, done = 0;
	struct xsb_msg m;

	while (done < count) {
		while (sent < count && sent - done < window) {
			name(sent, path, sizeof(path));
			value(sent, val, sizeof(val));
			xsb_queue(c, XS_WRITE, 0, buf,
				  xsb_args(buf, sizeof(buf), path, val, false));
			sent++;
		}
		xsb_flush(c);
		xsb_reply(c, &m);
		check_ok(&m, XS_WRITE, "WRITE", "(fill)");
		done++;
		/* Refill only when half the window is free: fewer writes. */
		while (done < sent && sent - done > window / 2) {
			if (!xsb_next(c, &m)) {
				if (!xsb_fill(c))
					break;
				continue;
			}
			if (m.hdr.type == XS_WATCH_EVENT)
				continue;
			check_ok(&m, XS_WRITE, "WRITE", "(fill)");
			done++;
		}
	}
}
