/* SPDX-License-Identifier: MIT */
/*
 * The handle: opening and closing a connection, sending requests one at
 * a time and matching their replies, the queue of watch events with its
 * pollable pipe, and the reader thread.  Everything that touches the
 * connection or the queues lives here; xs_calls.c only builds payloads.
 *
 * Who reads the connection.  Until the first xs_watch() there is no
 * reader thread: a requester (holding request_lock) reads until its reply
 * arrives and queues any event read on the way.  From the first watch
 * on, the reader thread is the only reader, for the rest of the handle's
 * life; requesters then sleep on reply_cond.  The input buffer belongs
 * to whoever is the reader, so it needs no lock.
 *
 * Locks.  request_lock serialises requests (and, without a reader thread,
 * reading).  lock protects the reply slot, the event queue, the pipe
 * state and the dead flag.  Order: request_lock, then lock.
 *
 * Death.  Any read or write failure, end of stream, oversized or
 * unexpected message (a reply nobody waits for, a second reply, a reply
 * of the wrong type, an event with fewer than two strings) kills
 * the handle: waiters wake, later requests fail with EBADF, and the
 * event pipe is made readable so that pollers notice.  The transport is
 * only closed by xs_close(), so that the reader never races a close.
 *
 * Restart.  A handle opened on the daemon's socket by xs_open() survives
 * the daemon's restart instead of dying on end of stream: whoever notices
 * the loss (the reader, or a requester reading or writing) marks it
 * broken, and the connection is made again by whoever holds
 * request_lock: the reader (which parks, taking request_lock) or a
 * requester (which then waits until the reader has parked, and reads its
 * own replies while it stays parked).  Making it again means opening the
 * socket with backoff, sending every kept watch again (each fires once,
 * as a new watch does) and losing the open transactions; then the
 * request in flight is repeated or answered as xs_resume.c decides.
 * XENSTORE_RECONNECT_TIMEOUT (seconds, default 30; 0: never, as Xen's
 * library) bounds the wait; a socket that stays missing for 2 s is a
 * daemon that was stopped, not restarted.  xs_open() waits the same
 * way when the socket refuses (a daemon killed, not yet back).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "xs_handle.h"
#include "xs_resume.h"

/* The reader's stack: small, as in Xen, unless a sanitizer needs room. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define READER_STACK 0
#else
#define READER_STACK (64 * 1024)
#endif

struct xs_msg {
	struct xs_msg *next;
	struct xsd_sockmsg hdr;
	char *body; /* hdr.len bytes and a NUL */
};

struct xs_handle {
	struct xs_transport *tp;
	bool unwatch_filter;

	pthread_mutex_t request_lock;
	uint32_t next_req_id;
	bool reader_running; /* set under both locks, never cleared */
	pthread_t reader;
	int wake[2]; /* xs_close() tells the reader to stop */

	/* The reader's input buffer: up to one whole message. */
	char in[FRAME_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
	size_t in_len;

	pthread_mutex_t lock;
	pthread_cond_t reply_cond;
	pthread_cond_t watch_cond;
	bool awaiting; /* a requester waits for its reply */
	struct xs_msg *reply;
	struct xs_msg *events;
	struct xs_msg **events_tail;
	int pipe[2];	/* created by xs_fileno() */
	bool pipe_full; /* one byte sits in the pipe */
	bool dead;

	bool features_valid;
	unsigned int features;

	/* Restart (see the top): path NULL for a handle that cannot. */
	char *path;
	struct xs_resume *resume;
	bool broken;	    /* under lock: the connection was lost */
	bool reader_parked; /* under lock: the reader waits, reading nothing */
};

static void
free_msg(struct xs_msg *m)
{
	if (m != NULL) {
		free(m->body);
		free(m);
	}
}

/*
 * Keep the pipe readable exactly while events are queued or the handle
 * is dead.  Called with lock held after every change of either.
 */
static void
sync_pipe(struct xs_handle *h)
{
	bool want = h->events != NULL || h->dead;
	char c = 0;

	if (h->pipe[0] < 0 || want == h->pipe_full)
		return;
	if (want) {
		if (write(h->pipe[1], &c, 1) == 1)
			h->pipe_full = true;
	} else if (read(h->pipe[0], &c, 1) == 1) {
		h->pipe_full = false;
	}
}

/* With lock held. */
static void
mark_dead(struct xs_handle *h)
{
	if (h->dead)
		return;
	h->dead = true;
	pthread_cond_broadcast(&h->reply_cond);
	pthread_cond_broadcast(&h->watch_cond);
	sync_pipe(h);
}

/*
 * Read until one whole message is buffered and return it, or NULL with
 * errno: EBADF at the end of the stream, EMSGSIZE for an oversized
 * header, ECANCELED if wake_fd became readable, or the transport's error.
 */
static struct xs_msg *
read_msg(struct xs_handle *h, int wake_fd)
{
	struct xs_transport *tp = h->tp;
	struct xsd_sockmsg hdr;
	struct pollfd pfd[2];
	struct xs_msg *m;
	ssize_t whole, n;

	for (;;) {
		whole = frame_scan(h->in, h->in_len, &hdr);
		if (whole < 0)
			return NULL;
		if (whole > 0)
			break;
		n = tp->ops->recv(tp, h->in + h->in_len,
				  sizeof(h->in) - h->in_len);
		if (n > 0) {
			h->in_len += (size_t)n;
			continue;
		}
		if (n == 0) {
			errno = EBADF;
			return NULL;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return NULL;
		pfd[0].fd = tp->ops->pollfd(tp);
		pfd[0].events = POLLIN;
		pfd[1].fd = wake_fd;
		pfd[1].events = POLLIN;
		if (poll(pfd, wake_fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			return NULL;
		if (wake_fd >= 0 && (pfd[1].revents & POLLIN)) {
			errno = ECANCELED;
			return NULL;
		}
	}
	m = malloc(sizeof(*m));
	if (m == NULL)
		return NULL;
	m->body = malloc(hdr.len + 1);
	if (m->body == NULL) {
		free(m);
		return NULL;
	}
	m->next = NULL;
	m->hdr = hdr;
	memcpy(m->body, h->in + FRAME_HDR_SIZE, hdr.len);
	m->body[hdr.len] = '\0';
	h->in_len -= (size_t)whole;
	memmove(h->in, h->in + whole, h->in_len);
	return m;
}

/*
 * File one message read from the connection: an event on the queue, a
 * reply in the slot of the waiting requester.  With lock held.  Returns
 * 0, 1 for a reply (the caller broadcasts reply_cond once it has let go
 * of lock, so that the requester it wakes does not wait for the lock
 * straight away), or -1 if the message breaks the protocol (the handle
 * is then dead).
 */
static int
deliver(struct xs_handle *h, struct xs_msg *m)
{
	if (m->hdr.type == XS_WATCH_EVENT) {
		if (frame_count_strings(m->body, m->hdr.len) < 2)
			goto bad;
		*h->events_tail = m;
		h->events_tail = &m->next;
		sync_pipe(h);
		pthread_cond_broadcast(&h->watch_cond);
		return 0;
	}
	/*
	 * The reply's req_id is not checked: a xenbus device may hand back
	 * ids of its own, and requests go one at a time anyway.
	 */
	if (!h->awaiting || h->reply != NULL)
		goto bad;
	h->reply = m;
	return 1;
bad:
	free_msg(m);
	mark_dead(h);
	return -1;
}

static int
send_all(struct xs_transport *tp, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = tp->ops->send(tp, buf, len);
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * After a failed read_msg: whether the connection was lost (to be made
 * again) rather than broken by the daemon (an oversized message kills).
 */
static bool
lost(const struct xs_handle *h)
{
	return h->path != NULL && errno != EMSGSIZE;
}

/* With lock held: a lost connection, to be made again (see the top). */
static void
mark_broken(struct xs_handle *h)
{
	if (h->path == NULL) {
		mark_dead(h);
		return;
	}
	h->broken = true;
	pthread_cond_broadcast(&h->reply_cond);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Sleep ms; true if wake_fd (if any) became readable meanwhile. */
static bool
nap(int wake_fd, int ms)
{
	struct pollfd pfd = {wake_fd, POLLIN, 0};

	return poll(&pfd, 1, ms) > 0 && (pfd.revents & POLLIN);
}

static long
reconnect_timeout_ms(void)
{
	const char *s = getenv("XENSTORE_RECONNECT_TIMEOUT");

	return s != NULL ? strtol(s, NULL, 10) * 1000L : 30000L;
}

/*
 * Open path, with backoff while the daemon is away (refused: its socket
 * is there but nobody listens yet; missing, for up to 2 s: being made
 * again); NULL with errno when giving up, or ECANCELED if wake_fd (if
 * any) becomes readable.
 */
static struct xs_transport *
open_backoff(const char *path, int wake_fd)
{
	long start = now_ms(), limit = reconnect_timeout_ms();
	struct xs_transport *tp;
	int delay = 5;

	for (;;) {
		if ((tp = xs_transport_open_path(path)) != NULL)
			return tp;
		if (now_ms() - start >= limit ||
		    (errno == ENOENT && now_ms() - start >= 2000))
			return NULL;
		if (nap(wake_fd, delay)) {
			errno = ECANCELED;
			return NULL;
		}
		delay = delay < 200 ? delay * 2 : 250;
	}
}

static struct xs_transport *
open_again(struct xs_handle *h, int wake_fd)
{
	return open_backoff(h->path, wake_fd);
}

/*
 * Send one request on the new connection and read up to its reply,
 * queueing the events met on the way.  0, or -1 if the connection broke
 * again.  The reply's outcome does not matter: a watch the new daemon
 * refuses is not ours to keep.
 */
static int
sync_request(struct xs_handle *h, uint32_t type, const char *payload,
	     size_t len)
{
	char buf[FRAME_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr = {.type = type, .len = (uint32_t)len};
	struct xs_msg *m;

	hdr.req_id = ++h->next_req_id;
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + FRAME_HDR_SIZE, payload, len);
	if (send_all(h->tp, buf, FRAME_HDR_SIZE + len) != 0)
		return -1;
	while ((m = read_msg(h, -1)) != NULL) {
		if (m->hdr.type != XS_WATCH_EVENT) {
			free_msg(m);
			return 0;
		}
		pthread_mutex_lock(&h->lock);
		deliver(h, m);
		pthread_mutex_unlock(&h->lock);
	}
	return -1;
}

/*
 * Make the connection again and register the kept watches; with
 * request_lock held and no reader reading.  0, or -1 with errno.
 */
static int
reconnect(struct xs_handle *h, int wake_fd)
{
	struct xs_transport *tp;
	const char *w;
	size_t len;
	unsigned i;

	for (;;) {
		if ((tp = open_again(h, wake_fd)) == NULL)
			return -1;
		h->tp->ops->close(h->tp);
		h->tp = tp;
		h->in_len = 0;
		for (i = 0; (w = xs_resume_watch(h->resume, i, &len)); i++)
			if (sync_request(h, XS_WATCH, w, len) != 0)
				break;
		if (w == NULL)
			break;
	}
	xs_resume_lose_transactions(h->resume);
	pthread_mutex_lock(&h->lock);
	h->broken = false;
	pthread_mutex_unlock(&h->lock);
	return 0;
}

/* The reader lost the connection: park, and make it again if nobody has. */
static int
reader_recover(struct xs_handle *h)
{
	int r = 0;

	pthread_mutex_lock(&h->lock);
	h->broken = true;
	h->reader_parked = true;
	pthread_cond_broadcast(&h->reply_cond);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_lock(&h->request_lock);
	if (h->broken && !h->dead)
		r = reconnect(h, h->wake[0]);
	pthread_mutex_lock(&h->lock);
	h->reader_parked = false;
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&h->request_lock);
	return r;
}

static void *
reader_main(void *arg)
{
	struct xs_handle *h = arg;
	struct xs_msg *m;
	int r;

	for (;;) {
		m = read_msg(h, h->wake[0]);
		if (m == NULL && errno == ECANCELED)
			return NULL;
		if (m == NULL && lost(h)) {
			if (reader_recover(h) == 0)
				continue;
			if (errno == ECANCELED)
				return NULL;
		}
		pthread_mutex_lock(&h->lock);
		if (m == NULL) {
			mark_dead(h);
			r = -1;
		} else {
			r = deliver(h, m);
		}
		pthread_mutex_unlock(&h->lock);
		if (r > 0)
			pthread_cond_broadcast(&h->reply_cond);
		if (r < 0)
			return NULL;
	}
}

int
xs_handle_start_reader(struct xs_handle *h)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int r = 0;

	pthread_mutex_lock(&h->request_lock);
	if (h->reader_running)
		goto out;
	if (pipe2(h->wake, O_CLOEXEC) != 0) {
		r = -1;
		goto out;
	}
	pthread_attr_init(&attr);
	if (READER_STACK > 0 && READER_STACK >= PTHREAD_STACK_MIN)
		pthread_attr_setstacksize(&attr, READER_STACK);
	/* The reader must never run a signal handler of the application. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&h->reader, &attr, reader_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		close(h->wake[0]);
		close(h->wake[1]);
		h->wake[0] = h->wake[1] = -1;
		errno = r;
		r = -1;
		goto out;
	}
	pthread_mutex_lock(&h->lock);
	h->reader_running = true;
	pthread_mutex_unlock(&h->lock);
out:
	pthread_mutex_unlock(&h->request_lock);
	return r;
}

/* Whether this thread reads its own replies; with lock held. */
static bool
reads_itself(const struct xs_handle *h)
{
	return !h->reader_running || h->reader_parked;
}

/*
 * Wait for the reply to the request just sent; with request_lock held.
 * NULL if the connection died or broke.
 */
static struct xs_msg *
wait_reply(struct xs_handle *h)
{
	struct xs_msg *m;
	bool done, self;
	int r;

	pthread_mutex_lock(&h->lock);
	self = reads_itself(h);
	pthread_mutex_unlock(&h->lock);
	if (self) {
		do {
			m = read_msg(h, -1);
			r = 0;
			pthread_mutex_lock(&h->lock);
			if (m == NULL && lost(h))
				mark_broken(h);
			else if (m == NULL)
				mark_dead(h);
			else
				r = deliver(h, m);
			done = h->reply != NULL || h->dead || h->broken;
			pthread_mutex_unlock(&h->lock);
			if (r > 0)
				pthread_cond_broadcast(&h->reply_cond);
		} while (!done);
	}
	pthread_mutex_lock(&h->lock);
	while (h->reply == NULL && !h->dead && !h->broken)
		pthread_cond_wait(&h->reply_cond, &h->lock);
	m = h->reply;
	h->reply = NULL;
	h->awaiting = false;
	pthread_mutex_unlock(&h->lock);
	return m;
}

/*
 * A requester found the connection broken: wait for the reader to park
 * (it is the reader's to notice the loss too), then make it again.
 * With request_lock held; 0, or -1 with the handle dead.
 */
static int
requester_recover(struct xs_handle *h)
{
	pthread_mutex_lock(&h->lock);
	while (!reads_itself(h) && !h->dead)
		pthread_cond_wait(&h->reply_cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	if (h->dead)
		return -1;
	if (reconnect(h, -1) == 0)
		return 0;
	pthread_mutex_lock(&h->lock);
	mark_dead(h);
	pthread_mutex_unlock(&h->lock);
	return -1;
}

/* Send the request in buf (header filled here) and wait for its reply. */
static struct xs_msg *
exchange(struct xs_handle *h, char *buf, size_t total, uint32_t type,
	 uint32_t tx)
{
	struct xsd_sockmsg hdr = {.type = type, .tx_id = tx};

	pthread_mutex_lock(&h->lock);
	hdr.req_id = ++h->next_req_id;
	hdr.len = (uint32_t)(total - FRAME_HDR_SIZE);
	h->awaiting = true;
	pthread_mutex_unlock(&h->lock);
	memcpy(buf, &hdr, sizeof(hdr));
	if (send_all(h->tp, buf, total) != 0) {
		pthread_mutex_lock(&h->lock);
		h->awaiting = false;
		mark_broken(h);
		pthread_mutex_unlock(&h->lock);
		return NULL;
	}
	return wait_reply(h);
}

static struct xs_msg *
fake_reply(uint32_t type, const char *s)
{
	struct xs_msg *m = calloc(1, sizeof(*m));

	if (m == NULL || (m->body = strdup(s)) == NULL) {
		free(m);
		return NULL;
	}
	m->hdr.type = type;
	m->hdr.len = (uint32_t)strlen(s) + 1;
	return m;
}

/*
 * One request, through restarts of the daemon; with request_lock held.
 * The reply, or NULL with errno.
 */
static struct xs_msg *
talk_locked(struct xs_handle *h, uint32_t type, uint32_t tx, char *buf,
	    size_t total)
{
	const char *payload = buf + FRAME_HDR_SIZE;
	bool in_flight = false, dead, broken;
	struct xs_msg *m;

	for (;;) {
		pthread_mutex_lock(&h->lock);
		dead = h->dead;
		broken = h->broken;
		pthread_mutex_unlock(&h->lock);
		if (dead || (broken && requester_recover(h) != 0)) {
			errno = EBADF;
			return NULL;
		}
		switch (h->resume ? xs_resume_plan(h->resume, type, tx,
						   in_flight, *payload == 'F')
				  : XS_RESUME_SEND) {
		case XS_RESUME_FAKE_OK:
			if (type == XS_TRANSACTION_END)
				xs_resume_end(h->resume, tx);
			return fake_reply(type, "OK");
		case XS_RESUME_EAGAIN:
			xs_resume_end(h->resume, tx);
			return fake_reply(XS_ERROR, "EAGAIN");
		case XS_RESUME_FAIL:
			errno = ECONNRESET;
			return NULL;
		case XS_RESUME_SEND_NO_TX:
			tx = 0;
			break;
		case XS_RESUME_SEND:
			break;
		}
		if ((m = exchange(h, buf, total, type, tx)) != NULL)
			break;
		pthread_mutex_lock(&h->lock);
		broken = h->broken && !h->dead;
		pthread_mutex_unlock(&h->lock);
		if (!broken) {
			errno = EBADF;
			return NULL;
		}
		in_flight = true;
	}
	if (h->resume)
		xs_resume_note(h->resume, type, tx, payload,
			       total - FRAME_HDR_SIZE,
			       m->hdr.type == XS_ERROR ? NULL : m->body);
	/* A repeated RM or RELEASE that finds nothing: the first did it. */
	if (in_flight && (type == XS_RM || type == XS_RELEASE) &&
	    m->hdr.type == XS_ERROR && strcmp(m->body, "ENOENT") == 0) {
		free_msg(m);
		return fake_reply(type, "OK");
	}
	return m;
}

char *
xs_talk(struct xs_handle *h, uint32_t type, xs_transaction_t t,
	const struct xs_iov *iov, unsigned n, unsigned int *len)
{
	struct xs_msg *m;
	char *buf, *body;
	size_t total = 0;
	unsigned i;
	int err;

	for (i = 0; i < n; i++) {
		if (iov[i].len > XENSTORE_PAYLOAD_MAX ||
		    (total += iov[i].len) > XENSTORE_PAYLOAD_MAX) {
			errno = E2BIG;
			return NULL;
		}
	}
	buf = malloc(FRAME_HDR_SIZE + total + 1);
	if (buf == NULL)
		return NULL;
	for (i = 0, total = FRAME_HDR_SIZE; i < n; i++) {
		/* An empty piece may be NULL (xs_control_command(h, c, NULL,
		 * 0)). */
		if (iov[i].len)
			memcpy(buf + total, iov[i].base, iov[i].len);
		total += iov[i].len;
	}
	buf[total] = '\0';

	pthread_mutex_lock(&h->request_lock);
	m = talk_locked(h, type, t, buf, total);
	err = errno;
	pthread_mutex_unlock(&h->request_lock);
	free(buf);

	if (m == NULL) {
		errno = err;
		return NULL;
	}
	if (m->hdr.type == XS_ERROR) {
		err = frame_error_errno(m->body);
		free_msg(m);
		errno = err;
		return NULL;
	}
	if (m->hdr.type != type) {
		free_msg(m);
		pthread_mutex_lock(&h->lock);
		mark_dead(h);
		pthread_mutex_unlock(&h->lock);
		errno = EBADF;
		return NULL;
	}
	body = m->body;
	if (len != NULL)
		*len = m->hdr.len;
	free(m);
	/*
	 * As Xen's library: a request that succeeds leaves errno 0, whatever
	 * a failed call or our non-blocking reads left there.  Programs rely
	 * on it: test-xenstore returns errno after a successful xs_write.
	 */
	errno = 0;
	return body;
}

static struct xs_handle *
handle_new(struct xs_transport *tp)
{
	struct xs_handle *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->tp = tp;
	h->wake[0] = h->wake[1] = -1;
	h->pipe[0] = h->pipe[1] = -1;
	h->events_tail = &h->events;
	pthread_mutex_init(&h->request_lock, NULL);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->reply_cond, NULL);
	pthread_cond_init(&h->watch_cond, NULL);
	return h;
}

struct xs_handle *
xs_handle_open(struct xs_transport *tp, unsigned long flags)
{
	struct xs_handle *h = handle_new(tp);

	if (h == NULL) {
		tp->ops->close(tp);
		errno = ENOMEM;
		return NULL;
	}
	h->unwatch_filter = (flags & XS_UNWATCH_FILTER) != 0;
	return h;
}

/* The xenbus device, when the socket fails: no restart to survive. */
static struct xs_handle *
open_device(unsigned long flags)
{
	struct xs_transport *tp;
	struct xs_handle *h;
	int saved = errno;

	tp = xs_transport_open_path(xs_transport_device_path());
	if (tp == NULL)
		return NULL;
	h = xs_handle_open(tp, flags);
	if (h != NULL)
		errno = saved;
	return h;
}

struct xs_handle *
xs_open(unsigned long flags)
{
	struct xs_transport *tp;
	struct xs_handle *h;
	int saved = errno;

	/* A missing socket is no failure when the device answers. */
	tp = xs_transport_open_path(xs_daemon_socket());
	if (tp == NULL && errno == ENOENT)
		return open_device(flags);
	/*
	 * A daemon restarting (killed, and its socket refuses until the
	 * new one listens) is waited for as a broken handle waits for it.
	 */
	if (tp == NULL && (errno == ECONNREFUSED || errno == EAGAIN) &&
	    reconnect_timeout_ms() > 0)
		tp = open_backoff(xs_daemon_socket(), -1);
	if (tp == NULL)
		return NULL;
	h = xs_handle_open(tp, flags);
	if (h == NULL)
		return NULL;
	if (reconnect_timeout_ms() > 0) {
		/* Without memory for them, the handle dies as Xen's does. */
		h->resume = xs_resume_new();
		h->path = h->resume ? strdup(xs_daemon_socket()) : NULL;
	}
	errno = saved;
	return h;
}

struct xs_handle *
xs_daemon_open(void)
{
	return xs_open(0);
}

struct xs_handle *
xs_domain_open(void)
{
	return xs_open(0);
}

struct xs_handle *
xs_daemon_open_readonly(void)
{
	return xs_open(0);
}

/* Free everything but the locks, which a forked child must not touch. */
static void
free_handle(struct xs_handle *h)
{
	struct xs_msg *m;

	free_msg(h->reply);
	while ((m = h->events) != NULL) {
		h->events = m->next;
		free_msg(m);
	}
	if (h->pipe[0] >= 0) {
		close(h->pipe[0]);
		close(h->pipe[1]);
	}
	if (h->wake[0] >= 0) {
		close(h->wake[0]);
		close(h->wake[1]);
	}
	h->tp->ops->close(h->tp);
	xs_resume_free(h->resume);
	free(h->path);
	free(h);
}

void
xs_daemon_destroy_postfork(struct xs_handle *h)
{
	int saved = errno;

	free_handle(h);
	errno = saved;
}

/* Closing cannot fail, so errno comes back as the caller left it. */
void
xs_daemon_close(struct xs_handle *h)
{
	char c = 0;
	int saved = errno;

	if (h->reader_running) {
		while (write(h->wake[1], &c, 1) < 0 && errno == EINTR)
			;
		pthread_join(h->reader, NULL);
	}
	pthread_mutex_destroy(&h->request_lock);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->reply_cond);
	pthread_cond_destroy(&h->watch_cond);
	free_handle(h);
	errno = saved;
}

void
xs_close(struct xs_handle *h)
{
	if (h != NULL)
		xs_daemon_close(h);
}

int
xs_fileno(struct xs_handle *h)
{
	int fd, saved = errno;

	pthread_mutex_lock(&h->lock);
	if (h->pipe[0] < 0 && pipe2(h->pipe, O_CLOEXEC | O_NONBLOCK) == 0)
		sync_pipe(h);
	fd = h->pipe[0];
	pthread_mutex_unlock(&h->lock);
	if (fd >= 0)
		errno = saved;
	return fd;
}

/* Turn a queued event into the caller's array: pointers, then strings. */
static char **
event_array(struct xs_msg *m, unsigned int *num)
{
	unsigned n = frame_count_strings(m->body, m->hdr.len), i;
	char **ret, *s;

	ret = malloc(n * sizeof(char *) + m->hdr.len);
	if (ret == NULL) {
		free_msg(m);
		return NULL;
	}
	s = (char *)(ret + n);
	memcpy(s, m->body, m->hdr.len);
	for (i = 0; i < n; i++) {
		ret[i] = s;
		s += strlen(s) + 1;
	}
	free_msg(m);
	if (num != NULL)
		*num = n;
	return ret;
}

static char **
next_event(struct xs_handle *h, unsigned int *num, bool block)
{
	struct xs_msg *m;
	bool dead;

	pthread_mutex_lock(&h->lock);
	while (block && h->events == NULL && !h->dead)
		pthread_cond_wait(&h->watch_cond, &h->lock);
	m = h->events;
	if (m != NULL) {
		h->events = m->next;
		if (h->events == NULL)
			h->events_tail = &h->events;
		sync_pipe(h);
	}
	dead = h->dead;
	pthread_mutex_unlock(&h->lock);
	if (m == NULL) {
		errno = dead ? EBADF : EAGAIN;
		return NULL;
	}
	return event_array(m, num);
}

char **
xs_check_watch(struct xs_handle *h)
{
	return next_event(h, NULL, false);
}

char **
xs_read_watch(struct xs_handle *h, unsigned int *num)
{
	return next_event(h, num, true);
}

/*
 * With XS_UNWATCH_FILTER: drop the queued events of the watch (path,
 * token) just removed.
 */
static void
filter_events(struct xs_handle *h, const char *path, const char *token)
{
	struct xs_msg **pp, *m;
	const char *epath, *etoken;

	pthread_mutex_lock(&h->lock);
	pp = &h->events;
	h->events_tail = &h->events;
	while ((m = *pp) != NULL) {
		epath = m->body;
		etoken = epath + strlen(epath) + 1;
		if (strcmp(etoken, token) == 0 &&
		    xs_path_is_subpath(path, epath)) {
			*pp = m->next;
			free_msg(m);
			continue;
		}
		h->events_tail = &m->next;
		pp = &m->next;
	}
	sync_pipe(h);
	pthread_mutex_unlock(&h->lock);
}

bool
xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	struct xs_iov iov[2] = {
		{path, strlen(path) + 1},
		{token, strlen(token) + 1},
	};
	char *r = xs_talk(h, XS_UNWATCH, XBT_NULL, iov, 2, NULL);
	int err = errno;

	if (h->unwatch_filter)
		filter_events(h, path, token);
	free(r);
	errno = err;
	return r != NULL;
}

bool
xs_handle_features(struct xs_handle *h, unsigned int *features)
{
	bool valid;

	pthread_mutex_lock(&h->lock);
	valid = h->features_valid;
	*features = h->features;
	pthread_mutex_unlock(&h->lock);
	return valid;
}

void
xs_handle_set_features(struct xs_handle *h, unsigned int features)
{
	pthread_mutex_lock(&h->lock);
	h->features = features;
	h->features_valid = true;
	pthread_mutex_unlock(&h->lock);
}
