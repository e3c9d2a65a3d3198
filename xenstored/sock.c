/* SPDX-License-Identifier: MIT */
/*
 * Unix-socket listeners and their connections' transport (sock.h).
 * Accepting stops for a second on EMFILE or ENFILE, rather than spin on a
 * listener that stays readable.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <talloc.h>
#include <unistd.h>

#include "conn.h"
#include "domain.h"
#include "log.h"
#include "sock.h"
#include "unix.h"

struct listener {
	int fd;
	bool readonly;
	unsigned domid;
	struct event *ev, *pause;
};

/* The read-write and the read-only listener, for live update. */
static struct listener *listeners[2];

static ssize_t
sock_read(struct conn *c, void *buf, size_t len)
{
	return read(c->fd, buf, len);
}

static ssize_t
sock_writev(struct conn *c, const struct iovec *iov, int iovcnt)
{
	return writev(c->fd, iov, iovcnt);
}

static const struct conn_transport sock_transport = {
	.name = "socket",
	.read = sock_read,
	.writev = sock_writev,
};

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listener *l = arg;

	(void)fd;
	(void)what;
	event_add(l->ev, NULL);
}

static void
accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listener *l = arg;
	struct timeval one_second = {1, 0};
	int cfd;

	(void)what;
	while ((cfd = unix_accept(fd)) >= 0) {
		if (conn_new(cfd, &sock_transport, domain_find(l->domid),
			     l->domid, true, l->readonly) == NULL)
			log_warn("%s: connection", __func__);
	}
	if (errno == EMFILE || errno == ENFILE) {
		log_warn("%s: accept", __func__);
		event_del(l->ev);
		evtimer_add(l->pause, &one_second);
	}
}

static int
serve(struct event_base *base, int fd, bool readonly, unsigned priv_domid,
      const char *path)
{
	struct listener *l = talloc_zero(NULL, struct listener);

	if (l == NULL) {
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->readonly = readonly;
	l->domid = priv_domid;
	l->ev = event_new(base, l->fd, EV_READ | EV_PERSIST, accept_cb, l);
	l->pause = evtimer_new(base, resume_cb, l);
	if (l->ev == NULL || l->pause == NULL || event_add(l->ev, NULL)) {
		log_warnx("cannot watch %s", path);
		return -1;
	}
	listeners[readonly] = l;
	return 0;
}

int
sock_listen(struct event_base *base, const char *path, bool readonly,
	    unsigned priv_domid)
{
	int fd = unix_listen(path, 0600);

	if (fd < 0) {
		log_warn("cannot listen on %s", path);
		return -1;
	}
	return serve(base, fd, readonly, priv_domid, path);
}

int
sock_adopt_listener(struct event_base *base, int fd, bool readonly,
		    unsigned priv_domid)
{
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		log_warn("inherited listener %d", fd);
		return -1;
	}
	return serve(base, fd, readonly, priv_domid, "inherited listener");
}

int
sock_listener_fd(bool readonly)
{
	return listeners[readonly] ? listeners[readonly]->fd : -1;
}

struct conn *
sock_adopt_conn(int fd, bool readonly, unsigned priv_domid)
{
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
		return NULL;
	return conn_new(fd, &sock_transport, domain_find(priv_domid),
			priv_domid, true, readonly);
}

bool
sock_is_conn(const struct conn *c)
{
	return c->transport == &sock_transport;
}
