/* SPDX-License-Identifier: MIT */
/*
 * Connections (conn.h): input framing, dispatch, the flush point; their
 * output queues are conn_out.c.
 *
 * Output is never written from a handler.  Queuing marks the connection
 * dirty; the main loop calls conn_flush_all() after each turn of libevent
 * callbacks, so every reply and event produced in a turn leaves in one
 * write per connection (Redis' beforeSleep idea), after the turn's changes
 * are persisted.  A socket's replies may leave earlier, right after its
 * input is handled (reply_early), once whatever changed is persisted.
 * The flush point frees closed connections and retries deferred
 * requests, so no callback ever frees another object.
 *
 * A reply may be held (conn_reply_hold: a commit waiting for the pool's
 * verdict): it is queued, counted and saved as any reply, but nothing
 * from it on is written, and the connection reads no further request,
 * until conn_release_held lets it go as it is or as an error.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "conn_int.h"
#include "frame.h"
#include "log.h"
#include "trace.h"

/* Stop reading a client whose unread output exceeds this. */
#define OUT_HIGH (4u << 20)

/*
 * Requests one connection may have handled in one loop turn before the
 * others get their turn: a client pipelining thousands of requests must
 * not make everyone else wait for all of them.
 */
#define TURN_BUDGET 64
/*
 * Watch events queued (on all connections) since the last flush after
 * which a connection's next request waits for the next turn: a WRITE
 * with 1000 watchers costs 1000 events, and 64 of them in one turn
 * (64000 events, then 1000 writes) stopped everyone else for ~90 ms.
 */
#define TURN_EVENTS 4096
/*
 * Milliseconds of requests in one loop turn after which a connection's
 * next request waits for the next turn, whatever made them slow (the
 * copy-on-write faults after a fold's fork made 64 WRITEs at 1M nodes
 * take 10-12 ms), so that no one waits much longer than that for a turn.
 */
#define TURN_MS 4
#define IN_CHUNK 65536
/* Other connections waiting in a turn for which a reply leaves early. */
#define EARLY_OTHERS 2

static struct event_base *base;
static conn_msg_cb msg_cb;
static const struct conn_hooks no_hooks;
static const struct conn_hooks *hooks = &no_hooks;
static struct conn *conns;
static struct conn *dirty;
static struct conn *backlog;	/* had more input than its turn allowed */
static struct conn *retry_list; /* conn_retry_soon */
static struct event *persist_retry;
static bool held_back; /* output waits for persist_retry */
static unsigned long last_id;
static unsigned long turn_events;  /* queued since the last flush */
static struct timespec turn_start; /* the turn's first request */
static bool turn_started;

static void process_input(struct conn *c);
static bool reading_paused(const struct conn *c);

static void
conn_persist_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	/* Nothing to do: the loop turn ends and conn_flush_all runs. */
}

int
conn_init(struct event_base *b, conn_msg_cb cb, const struct conn_hooks *h)
{
	base = b;
	msg_cb = cb;
	hooks = h ? h : &no_hooks;
	persist_retry = evtimer_new(base, conn_persist_retry_cb, NULL);
	return persist_retry ? 0 : -1;
}

struct event_base *
conn_base(void)
{
	return base;
}

struct conn *
conn_first(void)
{
	return conns;
}

void
conn_mark_dirty(struct conn *c)
{
	if (!c->dirty) {
		c->dirty = true;
		c->dirty_next = dirty;
		dirty = c;
	}
}

/*
 * Whether c's replies may leave now, before the loop turn ends: when
 * nothing waits to be persisted (a read), or when few other connections
 * wait in this turn, so that appending their changes separately costs
 * little.  A reply sent at once lets its client work on its next request
 * while we serve the others (4 clients with one request each in flight:
 * about twice the requests a second); with many clients waiting, one
 * journal record for all of them is cheaper.
 */
static bool
reply_early(struct conn *c)
{
	if (c->out_head == NULL || c->closing || reading_paused(c))
		return false;
	if (hooks->before_output == NULL)
		return true;
	if (hooks->pending() &&
	    event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE) >
		    EARLY_OTHERS)
		return false;
	return hooks->before_output() == 0;
}

static void
conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	conn_input(c);
	if (reply_early(c))
		conn_write_out(c);
}

static void
conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_mark_dirty(arg);
}

static int
destroy_conn(struct conn *c)
{
	struct conn **pp;

	for (pp = &backlog; *pp; pp = &(*pp)->backlog_next)
		if (*pp == c) {
			*pp = c->backlog_next;
			break;
		}
	/* Ending its transactions may put others on the retry list. */
	if (hooks->release)
		hooks->release(c);
	for (pp = &retry_list; *pp; pp = &(*pp)->retry_next)
		if (*pp == c) {
			*pp = c->retry_next;
			break;
		}
	if (c->ev_read)
		event_free(c->ev_read);
	if (c->ev_write)
		event_free(c->ev_write);
	if (c->fd >= 0)
		close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	return 0;
}

struct conn *
conn_new(int fd, const struct conn_transport *t, struct domain *d,
	 unsigned domid, bool privileged, bool readonly)
{
	struct conn *c = talloc_zero(NULL, struct conn);

	if (c == NULL) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	c->fd = fd;
	c->transport = t;
	c->msg_cb = msg_cb;
	c->who.domid = domid;
	c->who.target = DOMID_INVALID;
	c->who.privileged = privileged;
	c->readonly = readonly;
	c->id = ++last_id;
	c->next = conns;
	if (conns)
		conns->prev = c;
	conns = c;
	talloc_set_destructor(c, destroy_conn);
	c->domain = d;
	c->home = talloc_asprintf(c, "/local/domain/%u", domid);
	if (fd >= 0) {
		c->ev_read = event_new(base, fd, EV_READ | EV_PERSIST,
				       conn_read_cb, c);
		c->ev_write = event_new(base, fd, EV_WRITE, conn_write_cb, c);
	}
	if (!c->home || (fd >= 0 && (!c->ev_read || !c->ev_write ||
				     event_add(c->ev_read, NULL) != 0))) {
		talloc_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

void
conn_close(struct conn *c, const char *reason)
{
	if (c->closing)
		return;
	if (reason)
		log_warnx("conn %lu (domain %u): closing: %s", c->id,
			  c->who.domid, reason);
	c->closing = true;
	if (c->ev_read) {
		event_del(c->ev_read);
		event_del(c->ev_write);
	}
	if (c->transport->closed)
		c->transport->closed(c, reason);
	conn_mark_dirty(c);
}

static bool
reading_paused(const struct conn *c)
{
	return c->closing || c->deferred != NULL || c->held != NULL ||
	       c->in_backlog || c->out_bytes > OUT_HIGH ||
	       (hooks->output_full && hooks->output_full(c));
}

/* m is handled (not deferred): tell the transport, free it. */
static void
answered(struct conn *c, struct msg *m)
{
	if (c->transport->answered && !c->closing)
		c->transport->answered(c, &m->hdr);
	talloc_free(m);
}

static void
dispatch_one(struct conn *c, const struct xsd_sockmsg *hdr,
	     const uint8_t *payload)
{
	struct msg *m = talloc(c, struct msg);

	if (m == NULL || !(m->body = talloc_size(m, hdr->len + 1))) {
		struct xsd_sockmsg err = *hdr;

		talloc_free(m);
		log_warnx("conn %lu (domain %u): out of memory: a request "
			  "gets ENOMEM",
			  c->id, c->who.domid);
		err.type = XS_ERROR;
		err.len = sizeof("ENOMEM");
		conn_queue_msg(c, &err, "ENOMEM", err.len, NULL, 0);
		if (c->transport->answered && !c->closing)
			c->transport->answered(c, hdr);
		return;
	}
	m->hdr = *hdr;
	m->txn = NULL;
	memcpy(m->body, payload, hdr->len);
	m->body[hdr->len] = '\0';
	trace_io(c, false, hdr, m->body);
	c->msg_cb(c, m);
	if (c->deferred != m)
		answered(c, m);
}

/* c broke the framing: its transport may flag it, then it goes. */
static void
violated(struct conn *c, const char *why)
{
	if (c->transport->violated)
		c->transport->violated(c);
	conn_close(c, why);
}

bool
conn_event_fits(struct conn *c, size_t len)
{
	return hooks->event_fits == NULL || hooks->event_fits(c, len);
}

void
conn_count_event(void)
{
	turn_events++;
}

/* Whether this loop turn has done its share of requests. */
static bool
turn_spent(void)
{
	struct timespec now;
	long ms;

	if (turn_events >= TURN_EVENTS)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - turn_start.tv_sec) * 1000 +
	     (now.tv_nsec - turn_start.tv_nsec) / 1000000;
	return ms >= TURN_MS;
}

/* Dispatch every whole message in c's input buffer, unless paused. */
static void
process_input(struct conn *c)
{
	struct xsd_sockmsg hdr;
	size_t off = 0;
	unsigned budget = TURN_BUDGET;
	ssize_t r;
	char why[96];

	/* The turn's time runs from its first request, not from the wait. */
	if (!turn_started) {
		clock_gettime(CLOCK_MONOTONIC, &turn_start);
		turn_started = true;
	}

	while (!reading_paused(c)) {
		r = frame_scan(c->in + off, c->in_len - off, &hdr);
		if (r == 0)
			break;
		/* One request at least, so that each turn makes progress. */
		if (budget-- == 0 ||
		    (budget < TURN_BUDGET - 1 && turn_spent())) {
			/* The rest waits for the end of this loop turn. */
			c->in_backlog = true;
			c->backlog_next = backlog;
			backlog = c;
			break;
		}
		if (r < 0) {
			memcpy(&hdr, c->in + off, sizeof(hdr));
			snprintf(why, sizeof(why),
				 "message of %u bytes exceeds the limit",
				 hdr.len);
			violated(c, why);
			return;
		}
		if (!frame_payload_ok(&hdr, (const char *)c->in + off +
						    FRAME_HDR_SIZE)) {
			snprintf(why, sizeof(why),
				 "%s request with unterminated strings",
				 frame_type_name(hdr.type));
			violated(c, why);
			return;
		}
		c->in_done = off + (size_t)r;
		dispatch_one(c, &hdr, c->in + off + FRAME_HDR_SIZE);
		off += (size_t)r;
	}
	c->in_done = 0;
	if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
}

static int
grow_input(struct conn *c)
{
	uint8_t *p;

	if (c->in_cap - c->in_len >= IN_CHUNK / 2)
		return 0;
	p = talloc_realloc(c, c->in, uint8_t, c->in_len + IN_CHUNK);
	if (p == NULL)
		return -1;
	c->in = p;
	c->in_cap = c->in_len + IN_CHUNK;
	return 0;
}

void
conn_input(struct conn *c)
{
	size_t space;
	ssize_t n;

	while (!reading_paused(c)) {
		if (grow_input(c) != 0) {
			conn_close(c, "out of memory reading input");
			return;
		}
		space = c->in_cap - c->in_len;
		n = c->transport->read(c, c->in + c->in_len, space);
		if (n == 0) {
			log_debug("conn %lu: end of file", c->id);
			conn_close(c, NULL);
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECONNRESET)
				conn_close(c, NULL);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(c, strerror(errno));
			break;
		}
		c->in_len += (size_t)n;
		process_input(c);
		if ((size_t)n < space)
			break;
	}
	if (reading_paused(c) && !c->closing && c->ev_read)
		event_del(c->ev_read);
}

void
conn_kick(struct conn *c)
{
	if (c->closing)
		return;
	conn_input(c);
	if (c->out_head)
		conn_mark_dirty(c);
}

static void
resume_reading(struct conn *c)
{
	if (reading_paused(c))
		return;
	process_input(c);
	if (reading_paused(c))
		return;
	if (c->ev_read)
		event_add(c->ev_read, NULL);
	else
		conn_input(c); /* a ring: what came meanwhile is waiting */
}

/* Dispatch c's deferred request again, then carry on reading. */
static void
retry_deferred(struct conn *c)
{
	struct msg *m = c->deferred;

	if (m == NULL || c->closing)
		return;
	c->deferred = NULL;
	c->msg_cb(c, m);
	if (c->deferred != m)
		answered(c, m);
	resume_reading(c);
}

void
conn_wake(struct conn *c)
{
	if (c->in_backlog || c->closing)
		return;
	c->in_backlog = true;
	c->backlog_next = backlog;
	backlog = c;
}

void
conn_retry_soon(struct conn *c)
{
	if (c->retry_soon || c->closing)
		return;
	c->retry_soon = true;
	c->retry_next = retry_list;
	retry_list = c;
}

void
conn_retry_all_deferred(void)
{
	struct conn *c;

	for (c = conns; c; c = c->next)
		if (c->deferred)
			conn_retry_soon(c);
}

/* Give each connection with more input waiting its next turn. */
static void
run_backlog(void)
{
	struct conn *c, *list = backlog;

	backlog = NULL;
	while ((c = list) != NULL) {
		list = c->backlog_next;
		c->in_backlog = false;
		resume_reading(c);
	}
}

static void
retry_listed(void)
{
	struct conn *c, *list = retry_list;

	retry_list = NULL;
	while ((c = list) != NULL) {
		list = c->retry_next;
		c->retry_soon = false;
		retry_deferred(c);
	}
}

void
conn_flush_all(void)
{
	struct timeval soon = {0, 100000};
	struct conn *c, *list;
	bool was_paused;

again:
	if (retry_list)
		retry_listed();
	held_back = hooks->before_output && hooks->before_output() != 0;
	if (held_back) {
		/* Nothing may be acknowledged before it is stored. */
		evtimer_add(persist_retry, &soon);
		return;
	}
	while ((list = dirty) != NULL) {
		dirty = NULL;
		while ((c = list) != NULL) {
			list = c->dirty_next;
			c->dirty = false;
			was_paused = reading_paused(c);
			conn_write_out(c);
			if (c->closing && !c->dirty)
				talloc_free(c);
			else if (was_paused)
				resume_reading(c);
		}
	}
	turn_events = 0;
	turn_started = false;
	if (hooks->after_output)
		hooks->after_output();
	/* Freeing a connection may end a transaction others wait for. */
	if (retry_list)
		goto again;
	run_backlog();
}

/*
 * The loop may sleep only when the flush point has nothing left: the
 * backlog it just ran may have queued replies (or deferred requests may
 * be due) that no descriptor event will ever announce.
 */
bool
conn_busy(void)
{
	if (held_back)
		return false; /* persist_retry wakes the loop */
	return backlog != NULL || dirty != NULL || retry_list != NULL;
}

const uint8_t *
conn_unread_input(const struct conn *c, size_t *len)
{
	*len = c->in_len - c->in_done;
	return c->in + c->in_done;
}

int
conn_restore(struct conn *c, const uint8_t *in, size_t in_len,
	     const uint8_t *out, size_t out_len, size_t resp_len)
{
	if (in_len) {
		c->in = talloc_size(c, in_len + IN_CHUNK);
		if (c->in == NULL)
			goto nomem;
		memcpy(c->in, in, in_len);
		c->in_len = in_len;
		c->in_cap = in_len + IN_CHUNK;
	}
	if (conn_restore_output(c, out, out_len, resp_len))
		goto nomem;
	conn_wake(c);
	return 0;
nomem:
	conn_close(c, "out of memory restoring the connection");
	return ENOMEM;
}

void
conn_shutdown(void)
{
	while (conns)
		talloc_free(conns);
	dirty = NULL;
}
