/* SPDX-License-Identifier: MIT */
/*
 * The shared-ring transport (xs_ring.h): the client end of a guest's
 * xenstore page behind the struct xs_transport operations, so that the
 * request engine of xs_handle.c runs over a ring as over a socket.  Owns
 * its lock and its wake-up descriptors; the page and the event channel
 * are the caller's.  Knows nothing about messages: transport/ring.c moves
 * the bytes and validates the indexes, frame.c does the framing.
 *
 * Wake-ups.  An event says "the daemon moved an index": it may announce
 * a reply for the reader and room for a sender at once, but whoever acks
 * it consumes it for both.  So each side, when it acks, passes the news
 * on through an eventfd of the other side:
 *
 *   - pollfd() (what the request engine's reader polls) is an epoll
 *     descriptor over the event channel's descriptor and "kick"; a sender
 *     that acked events while waiting for room writes kick, and the reader
 *     wakes and looks at the ring;
 *   - a sender waiting for room polls the event channel's descriptor and
 *     "room"; recv() writes room when it acked events while a sender
 *     waits.
 *
 * Both eventfds are drained under the lock before the ring is looked at,
 * so a kick written after the look is still pending when the waiter
 * polls.  For example: the reader polls; a 3000-byte WRITE is being sent;
 * the daemon consumes 1024 bytes and notifies; the reader wakes first,
 * acks, finds no reply, writes room; the sender wakes on room, writes
 * more.  Later the daemon writes the reply and notifies: whoever acks it,
 * the reader wakes.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ring.h"
#include "xs_handle.h"
#include "xs_ring.h"
#include "xs_transport.h"

/* A safety net only: how long a sender waits before looking anyway. */
#define SEND_RECHECK_MS 1000

struct ring_transport {
	struct xs_transport tp; /* first: the generic head */
	struct xenstore_domain_interface *intf;
	struct xs_ring_evtchn ev;
	pthread_mutex_t lock; /* the ring indexes we write, and ev */
	int epfd;	      /* the pollfd: ev.fd() and kick */
	int kick;	      /* wakes the reader */
	int room;	      /* wakes a sender waiting for room */
	unsigned senders_waiting;
	bool broken;
};

/* The daemon gave up on us, or the page is nonsense.  With lock held. */
static bool
ring_dead(struct ring_transport *rt)
{
	if (!rt->broken && rt->intf->error != XENSTORE_ERROR_NONE)
		rt->broken = true;
	return rt->broken;
}

/* Consume pending events; with lock held.  Returns how many, or -1. */
static int
ack_events(struct ring_transport *rt)
{
	int n = rt->ev.ack(rt->ev.arg);

	if (n < 0)
		rt->broken = true;
	return n;
}

static void
drain(int fd)
{
	uint64_t count;

	while (read(fd, &count, sizeof(count)) > 0)
		;
}

static void
wake(struct ring_transport *rt, int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		rt->broken = true;
}

static ssize_t
ring_send(struct xs_transport *tp, const void *buf, size_t len)
{
	struct ring_transport *rt = (struct ring_transport *)tp;
	struct pollfd pfd[2] = {
		{.fd = rt->ev.fd(rt->ev.arg), .events = POLLIN},
		{.fd = rt->room, .events = POLLIN},
	};
	ssize_t n;
	int r, err;

	for (;;) {
		pthread_mutex_lock(&rt->lock);
		drain(rt->room);
		if (ring_dead(rt)) {
			pthread_mutex_unlock(&rt->lock);
			errno = EBADF;
			return -1;
		}
		n = ring_write(rt->intf, RING_CLIENT, buf, len);
		if (n < 0)
			rt->broken = true;
		else if (n > 0 && rt->ev.notify(rt->ev.arg) < 0)
			rt->broken = true;
		if (n == 0)
			rt->senders_waiting++;
		pthread_mutex_unlock(&rt->lock);
		if (n > 0)
			return n;
		if (n < 0) {
			errno = EBADF;
			return -1;
		}
		/* Full: wait for the daemon to consume and notify. */
		r = poll(pfd, 2, SEND_RECHECK_MS);
		err = errno;
		pthread_mutex_lock(&rt->lock);
		rt->senders_waiting--;
		if (r < 0 && err != EINTR) {
			pthread_mutex_unlock(&rt->lock);
			errno = err;
			return -1;
		}
		if (ack_events(rt) > 0)
			wake(rt, rt->kick);
		pthread_mutex_unlock(&rt->lock);
	}
}

static ssize_t
ring_recv(struct xs_transport *tp, void *buf, size_t len)
{
	struct ring_transport *rt = (struct ring_transport *)tp;
	ssize_t n;

	pthread_mutex_lock(&rt->lock);
	drain(rt->kick);
	if (ack_events(rt) > 0 && rt->senders_waiting > 0)
		wake(rt, rt->room);
	n = ring_read(rt->intf, RING_CLIENT, buf, len);
	if (n < 0)
		rt->broken = true;
	else if (n > 0 && rt->ev.notify(rt->ev.arg) < 0)
		rt->broken = true;
	/* Deliver what arrived before an error; then report it. */
	if (n == 0 && ring_dead(rt))
		n = -1;
	pthread_mutex_unlock(&rt->lock);
	if (n > 0)
		return n;
	errno = n == 0 ? EAGAIN : EBADF;
	return -1;
}

static int
ring_pollfd(struct xs_transport *tp)
{
	return ((struct ring_transport *)tp)->epfd;
}

static void
ring_close(struct xs_transport *tp)
{
	struct ring_transport *rt = (struct ring_transport *)tp;

	close(rt->epfd);
	close(rt->kick);
	close(rt->room);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

static const struct xs_transport_ops ring_ops = {
	.send = ring_send,
	.recv = ring_recv,
	.pollfd = ring_pollfd,
	.close = ring_close,
};

static int
watch_fd(int epfd, int fd)
{
	struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e);
}

struct xs_handle *
xs_ring_open(struct xenstore_domain_interface *intf,
	     const struct xs_ring_evtchn *ev, unsigned long flags)
{
	struct ring_transport *rt;
	int saved;

	if (intf == NULL || ev == NULL || ev->notify == NULL ||
	    ev->fd == NULL || ev->ack == NULL) {
		errno = EINVAL;
		return NULL;
	}
	rt = calloc(1, sizeof(*rt));
	if (rt == NULL)
		return NULL;
	rt->tp.ops = &ring_ops;
	rt->intf = intf;
	rt->ev = *ev;
	rt->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rt->room = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rt->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rt->kick < 0 || rt->room < 0 || rt->epfd < 0 ||
	    watch_fd(rt->epfd, rt->kick) < 0 ||
	    watch_fd(rt->epfd, ev->fd(ev->arg)) < 0)
		goto fail;
	pthread_mutex_init(&rt->lock, NULL);
	/* On failure the request engine has closed rt already. */
	return xs_handle_open(&rt->tp, flags);
fail:
	saved = errno;
	if (rt->kick >= 0)
		close(rt->kick);
	if (rt->room >= 0)
		close(rt->room);
	if (rt->epfd >= 0)
		close(rt->epfd);
	free(rt);
	errno = saved;
	return NULL;
}
