/* SPDX-License-Identifier: MIT */
/*
 * Transaction scheduling (txn_sched.h; docs/transactions.md).
 *
 * A hot node, with transactions A and B of two connections incrementing
 * a counter /c that conflicted before:
 *
 *	A: READ /c	nobody holds /c: A reads it and holds it
 *	B: READ /c	A holds it: B waits in /c's line
 *	A: WRITE /c	(B still waits)
 *	A: END		applied; /c passes to B, whose READ runs again
 *			and returns A's value: B's commit will not conflict
 *
 * Without the wait both read the same value and one of them fails.  A
 * holder that ends without changing the node shows the node is not
 * contended the way it looked: it stops being hot and its line goes on.
 */
#include <event2/event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <time.h>

#include "conn.h"
#include "containers.h"
#include "log.h"
#include "txn.h"
#include "txn_sched.h"

/* After this many EAGAINs in a row a connection's transaction has priority. */
#define PRIORITY_AFTER 3
/* How long others' changes may wait for a priority transaction. */
#define PRIORITY_USEC 500000
/*
 * How long a holder may make others wait: a read-modify-write takes a
 * few round trips (well under a millisecond); one that takes longer is
 * not worth waiting for, and the next in line goes ahead.
 * XENSTORED_HOT_WAIT_MS overrides it (0: nobody waits; tests wait long).
 */
#define HOT_HOLD_USEC 10000
/* A read waits at most this many holds in all, however long its line. */
#define HOT_WAIT_HOLDS 10
/* Hot nodes remembered at most; the table is scanned whole. */
#define HOT_MAX 64

/* Microseconds of CLOCK_MONOTONIC. */
typedef int64_t usec_t;

struct waiter {
	TAILQ_ENTRY(waiter) link; /* in its hot node's line */
	struct txn *t;
	usec_t deadline; /* when it stops waiting in any case */
	bool expired;	 /* it has: it reads when it runs again */
};

/* A hot node: a talloc object; its waiters are its children. */
struct hot {
	RB_ENTRY(hot) link;
	char *path;
	struct txn *holder; /* read it first and has not ended; or NULL */
	usec_t held_since;
	TAILQ_HEAD(line, waiter) line; /* first come first */
};

static int
hot_cmp(const struct hot *a, const struct hot *b)
{
	return strcmp(a->path, b->path);
}

RB_HEAD(hot_nodes, hot);
RB_GENERATE_LOCAL(hot_nodes, hot, link, hot_cmp)

static struct txn *priority;
static struct event *priority_timer;
static struct hot_nodes hot_nodes = RB_INITIALIZER(&hot_nodes);
static unsigned nhot;
static struct event *hot_timer;
static usec_t hot_timer_due; /* when it goes off; 0: not set */

static usec_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (usec_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
priority_end(void)
{
	priority = NULL;
	if (priority_timer)
		evtimer_del(priority_timer);
	conn_retry_all_deferred();
}

static void
priority_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (priority)
		log_info("transaction priority of conn %lu expired",
			 txn_conn(priority)->id);
	priority_end();
}

void
sched_started(struct txn *t)
{
	struct timeval tv = {0, PRIORITY_USEC};
	struct conn *c = txn_conn(t);

	if (priority != NULL || txn_failures(c) < PRIORITY_AFTER)
		return;
	if (priority_timer == NULL)
		priority_timer = evtimer_new(conn_base(), priority_cb, NULL);
	if (priority_timer == NULL)
		return;
	priority = t;
	evtimer_add(priority_timer, &tv);
	log_info("conn %lu: transaction %u gets priority after %u conflicts",
		 c->id, txn_id(t), txn_failures(c));
}

bool
sched_must_wait(struct conn *c, const struct msg *m)
{
	if (priority == NULL || txn_conn(priority) == c)
		return false;
	/*
	 * Another loser waits in line for its own turn: starting now, without
	 * priority, it would only lose again to the current winner.
	 */
	if (m->hdr.type == XS_TRANSACTION_START)
		return txn_failures(c) >= PRIORITY_AFTER;
	return true;
}

static usec_t
hot_hold(void)
{
	static usec_t usec = -1;
	const char *s;

	if (usec < 0) {
		s = getenv("XENSTORED_HOT_WAIT_MS");
		usec = s && *s ? strtoll(s, NULL, 10) * 1000 : HOT_HOLD_USEC;
		usec = usec < 0 ? HOT_HOLD_USEC : usec;
	}
	return usec;
}

/* Forget h, and its line with it. */
static void
forget_hot(struct hot *h)
{
	RB_REMOVE(hot_nodes, &hot_nodes, h);
	nhot--;
	talloc_free(h);
}

static struct waiter *
find_waiter(struct hot *h, const struct txn *t)
{
	struct waiter *w;

	TAILQ_FOREACH(w, &h->line, link)
		if (w->t == t)
			return w;
	return NULL;
}

static void
leave_line(struct hot *h, struct waiter *w)
{
	TAILQ_REMOVE(&h->line, w, link);
	talloc_free(w);
}

static struct hot *
find_hot(const char *path)
{
	struct hot key;

	key.path = (char *)(uintptr_t)path;
	return RB_FIND(hot_nodes, &hot_nodes, &key);
}

static bool
stale(const struct hot *h, usec_t now)
{
	return h->holder != NULL && now - h->held_since >= hot_hold();
}

/* The one request of t's connection that waits runs again soon. */
static void
wake(struct txn *t)
{
	conn_retry_soon(txn_conn(t));
}

/* The first in line still waiting holds h next; true if there is one. */
static bool
pass_on(struct hot *h, usec_t now)
{
	struct waiter *w;

	h->holder = NULL;
	TAILQ_FOREACH(w, &h->line, link) {
		if (!w->expired) {
			h->holder = w->t;
			h->held_since = now;
			leave_line(h, w);
			wake(h->holder);
			return true;
		}
	}
	return false;
}

/* Everyone in h's line reads now: h is about to be forgotten. */
static void
wake_line(struct hot *h)
{
	struct waiter *w;

	TAILQ_FOREACH(w, &h->line, link)
		wake(w->t);
}

static void hot_cb(evutil_socket_t fd, short what, void *arg);

/* Make sure the timer goes off by when. */
static void
arm_by(usec_t when)
{
	usec_t left = when - now_usec();
	struct timeval tv;

	if (hot_timer == NULL)
		hot_timer = evtimer_new(conn_base(), hot_cb, NULL);
	if (hot_timer == NULL || (hot_timer_due != 0 && hot_timer_due <= when))
		return;
	left = left > 0 ? left : 0;
	tv.tv_sec = (time_t)(left / 1000000);
	tv.tv_usec = (suseconds_t)(left % 1000000);
	evtimer_add(hot_timer, &tv);
	hot_timer_due = when;
}

/*
 * Set the timer for h's line to move on: when its holder is passed over
 * or its first still waiting gives up (the earliest to have come).
 */
static void
watch_line(const struct hot *h)
{
	const struct waiter *first = NULL, *w;
	usec_t when;

	TAILQ_FOREACH(w, &h->line, link)
		if (!w->expired) {
			first = w;
			break;
		}
	if (first == NULL)
		return;
	when = first->deadline;
	if (h->holder && h->held_since + hot_hold() < when)
		when = h->held_since + hot_hold();
	arm_by(when);
}

/*
 * Move the lines on at now: a waiter whose time is up runs again and
 * reads; a holder that held too long is passed over.
 */
static void
hot_cb(evutil_socket_t fd, short what, void *arg)
{
	usec_t now = now_usec();
	struct waiter *w;
	struct hot *h;

	(void)fd;
	(void)what;
	(void)arg;
	hot_timer_due = 0;
	RB_FOREACH(h, hot_nodes, &hot_nodes) {
		TAILQ_FOREACH(w, &h->line, link) {
			if (!w->expired && w->deadline <= now) {
				w->expired = true;
				wake(w->t);
			}
		}
		if (stale(h, now))
			pass_on(h, now);
		watch_line(h);
	}
}

static bool
holds_any(const struct txn *t)
{
	struct hot *h;

	RB_FOREACH(h, hot_nodes, &hot_nodes)
		if (h->holder == t)
			return true;
	return false;
}

/*
 * True if t should wait for o: o is of another connection, and privileged
 * or of t's own domain.  A guest never makes dom0 or another guest wait
 * by holding a node it may only read.
 */
static bool
worth_waiting_for(const struct txn *o, const struct txn *t)
{
	const struct conn *oc = txn_conn(o), *tc = txn_conn(t);

	return oc != tc &&
	       (oc->who.privileged || oc->who.domid == tc->who.domid);
}

/*
 * True if t may read h's node now.  Waiting is only ever for a holder
 * that is not itself waiting (a transaction that holds something never
 * waits), so no two transactions can wait for each other.
 */
static bool
may_read(struct hot *h, struct txn *t, struct waiter *w, usec_t now)
{
	struct txn *o = h->holder;

	return o == t || t == priority || !worth_waiting_for(o, t) ||
	       holds_any(t) ||
	       (w != NULL && (w->expired || now >= w->deadline));
}

bool
sched_read_waits(struct txn *t, const char *path)
{
	struct hot *h = find_hot(path);
	struct waiter *w;
	usec_t now;

	if (h == NULL)
		return false;
	now = now_usec();
	if (stale(h, now))
		pass_on(h, now);
	if (h->holder == NULL) {
		h->holder = t;
		h->held_since = now;
	}
	w = find_waiter(h, t);
	if (may_read(h, t, w, now)) {
		if (w)
			leave_line(h, w);
		return false;
	}
	if (w == NULL) {
		/* Without memory for a place in line, t reads at once. */
		if ((w = talloc_zero(h, struct waiter)) == NULL)
			return false;
		w->t = t;
		w->deadline = now + HOT_WAIT_HOLDS * hot_hold();
		TAILQ_INSERT_TAIL(&h->line, w, link);
		watch_line(h);
	}
	return true;
}

void
sched_conflict(const char *path)
{
	struct hot *h;

	if (find_hot(path) != NULL)
		return;
	if (nhot >= HOT_MAX) {
		/* Forget one nobody waits for and nobody holds (any more). */
		RB_FOREACH(h, hot_nodes, &hot_nodes)
			if (TAILQ_EMPTY(&h->line) &&
			    (h->holder == NULL || stale(h, now_usec()))) {
				forget_hot(h);
				break;
			}
		if (nhot >= HOT_MAX)
			return;
	}
	/* Without memory the node is not hot: a fairness, not a state. */
	h = talloc_zero(NULL, struct hot);
	if (h == NULL || (h->path = talloc_strdup(h, path)) == NULL) {
		talloc_free(h);
		return;
	}
	TAILQ_INIT(&h->line);
	RB_INSERT(hot_nodes, &hot_nodes, h);
	nhot++;
	log_info("%s is hot: transactions reading it take turns", path);
}

/*
 * t's hold on h ends.  Returns true to forget h: t did not change the
 * node, so whoever waits for it waited for nothing and reads now.
 * Otherwise the first in line still waiting holds it next.
 */
static bool
release(struct hot *h, struct txn *t, bool committed)
{
	if (!committed || !txn_changed(t, h->path)) {
		wake_line(h);
		return true;
	}
	if (pass_on(h, now_usec()))
		watch_line(h);
	return false;
}

void
sched_gone(struct txn *t, bool committed)
{
	struct hot *h, *next;
	struct waiter *w;

	if (priority == t)
		priority_end();
	RB_FOREACH_SAFE(h, hot_nodes, &hot_nodes, next) {
		if ((w = find_waiter(h, t)) != NULL)
			leave_line(h, w);
		if (h->holder == t && release(h, t, committed))
			forget_hot(h);
	}
}
