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
 * polls; a side drains one only when it was written (kicked, roomed),
 * which spares the usual request two system calls.  For example: the reader
 * polls; a 3000-byte WRITE is being sent; the daemon consumes 1024 bytes and
 * notifies; the reader wakes first, acks, finds no reply, writes room; the
 * sender wakes on room, writes more.  Later the daemon writes the reply and
 * notifies: whoever acks it, the reader wakes.
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
	pthread_mutex_t lock;	  /* the ring indexes we write, ev.notify */
	pthread_mutex_t ack_lock; /* ev.ack, which runs outside lock */
	int epfd;		  /* the pollfd: ev.fd() and kick */
	int kick;		  /* wakes the reader */
	int room;		  /* wakes a sender waiting for room */
	bool kicked, roomed;	  /* kick or room was written, not drained */
	bool owed;		  /* rsp_cons moved since our last event */
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

static void
drain(int fd)
{
	uint64_t count;

	while (read(fd, &count, sizeof(count)) > 0)
		;
}

static void
wake(struct ring_transport *rt, int fd, bool *flag)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		rt->broken = true;
	*flag = true;
}

/* Drain fd if it was written; with lock held. */
static void
drain_if(int fd, bool *flag)
{
	if (*flag)
		drain(fd);
	*flag = false;
}

/* Consume pending events, serialised with other acks only; -1 broken. */
static int
ack_unlocked(struct ring_transport *rt)
{
	int n;

	pthread_mutex_lock(&rt->ack_lock);
	n = rt->ev.ack(rt->ev.arg);
	pthread_mutex_unlock(&rt->ack_lock);
	return n;
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
		drain_if(rt->room, &rt->roomed);
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
		else if (n > 0)
			rt->owed = false; /* this event announces both */
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
		pthread_mutex_unlock(&rt->lock);
		r = ack_unlocked(rt);
		pthread_mutex_lock(&rt->lock);
		if (r < 0)
			rt->broken = true;
		else if (r > 0)
			wake(rt, rt->kick, &rt->kicked);
		pthread_mutex_unlock(&rt->lock);
	}
}

/* Read the response ring; with lock held.  Bytes, 0, or -1 (broken). */
static ssize_t
take(struct ring_transport *rt, void *buf, size_t len)
{
	ssize_t n = ring_read(rt->intf, RING_CLIENT, buf, len);

	if (n < 0)
		rt->broken = true;
	else if (n > 0)
		rt->owed = true;
	return n;
}

/*
 * What is on the ring first: a reply that came with an event is read
 * without acking it (the ack takes system calls, and the requester
 * waiting for the reply would wait for our lock meanwhile).  The event
 * is acked, outside the lock, when the ring is found empty, and the
 * ring looked at again before anyone waits.  The daemon's event for the
 * space we freed is sent then, or with our next request, whichever
 * comes first: a requester woken by this reply usually sends its next
 * request before we get there, and one event says both.
 */
static ssize_t
ring_recv(struct xs_transport *tp, void *buf, size_t len)
{
	struct ring_transport *rt = (struct ring_transport *)tp;
	ssize_t n;
	int acked;

	pthread_mutex_lock(&rt->lock);
	drain_if(rt->kick, &rt->kicked);
	n = take(rt, buf, len);
	pthread_mutex_unlock(&rt->lock);
	if (n == 0) {
		acked = ack_unlocked(rt);
		pthread_mutex_lock(&rt->lock);
		if (acked < 0)
			rt->broken = true;
		else if (acked > 0 && rt->senders_waiting > 0)
			wake(rt, rt->room, &rt->roomed);
		n = take(rt, buf, len);
		if (n == 0 && rt->owed) {
			rt->owed = false;
			if (rt->ev.notify(rt->ev.arg) < 0)
				rt->broken = true;
		}
		/* Deliver what arrived before an error; then report it. */
		if (n == 0 && ring_dead(rt))
			n = -1;
		pthread_mutex_unlock(&rt->lock);
	}
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
	pthread_mutex_destroy(&rt->ack_lock);
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
	pthread_mutex_init(&rt->ack_lock, NULL);
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
