/* SPDX-License-Identifier: MIT */
/*
 * Held commits (hold.h).  It owns the table of commits waiting for the
 * pool agent's verdict and the prefixes the agent asked for; the reply
 * itself waits in the connection's output (conn_reply_hold), so that it
 * is counted, saved and dumped like any other queued reply.
 *
 * A commit's group gets its number only when the turn's groups are
 * written (stream_flush), so a held commit is first known by a tag it
 * gives its group (stream_request_tag); the stream calls hold_numbered
 * with the number, before any reply of the turn goes out, and so before
 * the agent can read the group.  Worked example:
 *
 *	turn 1	conn 5: TRANSACTION_END T (sets /pool/n = 8)
 *		-> applied; "OK" queued, held; its group tagged 17
 *		stream_flush: group 42 written -> hold_numbered(17, 42)
 *	turn 2	agent: stream read 42	-> "42 h 1 ..." (h: a commit waits)
 *	...	agent: etcd txn for group 42; its compare fails (another
 *		host wrote /pool/n first); its watch applies that write
 *		here (/pool/n = 8 from the other host)
 *	turn 9	agent: stream verdict 42 lost
 *		-> conn 5 gets EAGAIN, retries, reads 8, commits 9
 *
 * A commit waits HOLD_WAIT_MS at most, then EIO is sent (logged): its
 * fate is not known yet (the change stays here, and the agent publishes
 * it later unless fenced), and "OK" there would acknowledge a change the
 * pool may still reject or undo; EAGAIN would make the client's retry
 * build on its own change, counted twice if that is published too.  The
 * agent's connection going (a restart) answers every held commit EIO at
 * once, for the same reason.  Only dom0's clients on its sockets are held: a
 * guest's requests never wait on the network, so a guest allowed to
 * write under /pool keeps last-writer-wins; and dom0's ring (a xenstore
 * domain's) carries every dom0 client at once, so one held reply there
 * would stop them all.  A client holds at most one: its connection
 * reads no request while its reply is held.  The table is a list
 * searched linearly: it holds one entry at most per connection
 * committing under the pool's prefixes at that moment.
 *
 * A live update waits for held commits as for open transactions, or,
 * forced, answers them EIO (hold_give_up): a held "OK" in the dump would
 * be answered by the new binary without a verdict.  The agent itself
 * goes over (lu_dump.c's OWN_POOL_AGENT, hold_agent).
 */
#include <errno.h>
#include <event2/event.h>
#include <string.h>
#include <talloc.h>
#include <time.h>

#include "conn.h"
#include "containers.h"
#include "domain.h"
#include "hold.h"
#include "log.h"
#include "stream.h"

struct held {
	TAILQ_ENTRY(held) link;
	struct conn *c; /* its parent */
	uint64_t tag;
	uint64_t seq; /* 0 until its group is written */
	time_t since;
	struct event *timer;
};

static TAILQ_HEAD(, held) helds = TAILQ_HEAD_INITIALIZER(helds);
static struct conn *agent;
static void *agent_mark; /* on agent: its going ends the verdicts */
static char *prefixes[HOLD_MAX_PREFIXES];
static unsigned nprefixes;
static unsigned wait_ms = HOLD_WAIT_MS;

static int
destroy_held(struct held *h)
{
	TAILQ_REMOVE(&helds, h, link);
	if (h->timer)
		event_free(h->timer);
	return 0;
}

/* The reply goes (errnum 0: "OK"); h is freed. */
static void
release(struct held *h, int errnum)
{
	conn_release_held(h->c, errnum);
	talloc_free(h);
}

static void
release_all(int errnum)
{
	struct held *h;

	while ((h = TAILQ_FIRST(&helds)) != NULL)
		release(h, errnum);
}

static void
forget_prefixes(void)
{
	unsigned i;

	for (i = 0; i < nprefixes; i++)
		talloc_free(prefixes[i]);
	nprefixes = 0;
}

static int
destroy_mark(void **m)
{
	(void)m;
	if (!TAILQ_EMPTY(&helds))
		log_warnx("pool agent gone: held commits are answered EIO "
			  "(the next agent publishes them, or not if fenced)");
	release_all(EIO);
	forget_prefixes();
	agent = NULL;
	agent_mark = NULL;
	return 0;
}

int
hold_prefixes(struct conn *c, const char **p, unsigned n)
{
	unsigned i;

	if (!stream_is_reader(c))
		return EACCES;
	if (n > HOLD_MAX_PREFIXES)
		return EINVAL;
	for (i = 0; i < n; i++)
		if (p[i][0] != '/' || strlen(p[i]) > 1024)
			return EINVAL;
	if (agent != c) {
		talloc_free(agent_mark); /* another agent's: it went */
		agent_mark = talloc(c, void *);
		if (agent_mark == NULL)
			return ENOMEM;
		talloc_set_destructor((void **)agent_mark, destroy_mark);
		agent = c;
	}
	forget_prefixes();
	for (i = 0; i < n; i++) {
		prefixes[i] = talloc_strdup(agent_mark, p[i]);
		if (prefixes[i] == NULL)
			return ENOMEM;
		nprefixes++;
	}
	return 0;
}

static void
hold_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct held *h = arg;

	(void)fd;
	(void)what;
	log_warnx("group %llu: no verdict from the pool agent in %u ms: "
		  "conn %lu (domain %u) is answered EIO (its fate in the pool "
		  "is not known yet)",
		  (unsigned long long)h->seq, wait_ms, h->c->id,
		  h->c->who.domid);
	release(h, EIO);
}

static bool
under_prefixes(void)
{
	unsigned i;

	for (i = 0; i < nprefixes; i++)
		if (stream_request_under(prefixes[i]))
			return true;
	return false;
}

void
hold_commit(struct conn *c, const struct msg *m)
{
	static uint64_t last_tag;
	struct timeval tv = {wait_ms / 1000, (wait_ms % 1000) * 1000};
	struct held *h;

	/* Guests never wait on the network; dom0's one ring must not. */
	if (agent == NULL || c == agent || c->who.domid != 0 ||
	    (c->domain != NULL && c->domain->conn == c) || !under_prefixes())
		goto now;
	h = talloc_zero(c, struct held);
	if (h == NULL)
		goto now;
	h->timer = evtimer_new(conn_base(), hold_timeout_cb, h);
	if (h->timer == NULL || evtimer_add(h->timer, &tv) != 0 ||
	    conn_reply_hold(c, m, "OK") != 0) {
		if (h->timer)
			event_free(h->timer);
		talloc_free(h);
		goto now;
	}
	h->c = c;
	h->since = time(NULL);
	h->tag = ++last_tag;
	stream_request_tag(h->tag);
	TAILQ_INSERT_TAIL(&helds, h, link);
	talloc_set_destructor(h, destroy_held);
	/* A transaction of the agent's held back by a live update may go now.
	 */
	if (agent->deferred)
		conn_retry_soon(agent);
	return;
now:
	conn_reply_str(c, m, "OK");
}

void
hold_numbered(uint64_t tag, uint64_t seq)
{
	struct held *h;

	TAILQ_FOREACH(h, &helds, link)
		if (h->tag == tag) {
			if (seq == 0) /* not in the stream: never published */
				release(h, 0);
			else
				h->seq = seq;
			return;
		}
}

static struct held *
find(uint64_t seq)
{
	struct held *h;

	TAILQ_FOREACH(h, &helds, link)
		if (seq && h->seq == seq)
			return h;
	return NULL;
}

bool
hold_waits(uint64_t seq)
{
	return find(seq) != NULL;
}

int
hold_verdict(struct conn *c, uint64_t first, uint64_t last, bool ok)
{
	struct held *h, *next;

	if (c != agent || c == NULL)
		return EACCES;
	if (first == 0 || last < first)
		return EINVAL;
	for (h = TAILQ_FIRST(&helds); h != NULL; h = next) {
		next = TAILQ_NEXT(h, link);
		if (h->seq >= first && h->seq <= last)
			release(h, ok ? 0 : EAGAIN);
	}
	return 0;
}

time_t
hold_since(const struct conn *c)
{
	struct held *h;

	TAILQ_FOREACH(h, &helds, link)
		if (h->c == c)
			return h->since;
	return 0;
}

bool
hold_for(const struct conn *c)
{
	return c == agent && c != NULL && !TAILQ_EMPTY(&helds);
}

void
hold_give_up(const char *why)
{
	struct held *h;

	while ((h = TAILQ_FIRST(&helds)) != NULL) {
		log_warnx("%s: a commit waiting for its verdict is answered "
			  "EIO (group %llu, conn %lu, domain %u: its fate in "
			  "the pool is not known yet)",
			  why, (unsigned long long)h->seq, h->c->id,
			  h->c->who.domid);
		release(h, EIO);
	}
}

const struct conn *
hold_agent(const char *const **p, unsigned *n)
{
	*p = (const char *const *)prefixes;
	*n = nprefixes;
	return agent;
}

void
hold_set_wait(unsigned ms)
{
	wait_ms = ms;
}
