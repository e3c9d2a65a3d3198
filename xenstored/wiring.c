/* SPDX-License-Identifier: MIT */
/*
 * The modules wired together (wiring.h).  Nothing here decides anything:
 * each hook and observer is the function of the module that owns the
 * decision.
 */
#include <stddef.h>
#include <stdlib.h>

#include "conn.h"
#include "db.h"
#include "dispatch.h"
#include "domain.h"
#include "guest_state.h"
#include "hold.h"
#include "memgrow.h"
#include "release.h"
#include "ring_conn.h"
#include "store.h"
#include "stream.h"
#include "txn.h"
#include "watch.h"
#include "wiring.h"

/*
 * The turn's changes and the guests' records that go with them, in one
 * journal record; then the requests it saved are given back.
 */
static int
persist_turn(void)
{
	int r;

	guest_state_save();
	if ((r = db_flush()) == 0)
		guest_state_saved();
	return r;
}

static void
persist_after_cb(void)
{
	persist_turn();
}

/* The stream's groups go first: stream_open undoes a turn the db lacks. */
static int
flush_before(void)
{
	stream_flush();
	return persist_turn();
}

/*
 * Without a database (or on tmpfs), the stream still goes first.  A
 * failed write is logged and the next group marked lost: the replies
 * are not held back for the pool.
 */
static int
stream_flush_before(void)
{
	stream_flush();
	return 0;
}

/* A connection's watches and transactions go with it. */
static void
release_conn(struct conn *c)
{
	watch_remove_all(c);
	txn_abort_all(c);
}

static struct conn_hooks conn_hooks = {
	.pending = db_pending,
	.output_full = domain_output_full,
	.event_fits = domain_event_fits,
	.release = release_conn,
};

/*
 * Nodes a turn frees for removals left for later: about 2 ms at 1M
 * nodes, inside the turn that TURN_MS bounds (conn.c).
 */
#define REAP_STEP 512

/*
 * Nodes a turn visits to clean up after released domains (release.c,
 * which counts a node it changes as 256): visiting 1M nodes took 4.6 ms
 * in all here, so a step is well under 1 ms.
 */
#define RELEASE_STEP 65536

int
wiring_store(void)
{
	/* In this order: persisted, accounted, watched. */
	if (store_observe(db_observe) || store_observe(domain_account) ||
	    store_observe(watch_observe) || store_observe(stream_observe))
		return -1;
	return 0;
}

int
wiring_connections(struct event_base *base, bool persist, bool persist_after)
{
	conn_hooks.before_output = persist ? flush_before : stream_flush_before;
	ring_conn_saving(persist);
	conn_hooks.after_output = persist_after ? persist_after_cb : NULL;
	return conn_init(base, dispatch_message, &conn_hooks);
}

bool
wiring_end_turn(void)
{
	bool reaping = store_reap(REAP_STEP);
	bool releasing = release_step(RELEASE_STEP);

	ring_conn_kick_waiting();
	conn_flush_all();
	ring_conn_notify_owed();
	mem_grow_ahead(); /* before the next turn's requests run short */
	return reaping || releasing || ring_conn_any_waiting();
}

/* Held commits learn their group's number from the stream. */
int
wiring_stream(const char *db_path, bool store_reset)
{
	const char *wait = getenv("XENSTORED_HOLD_WAIT_MS");

	/* Tests that need a wait outlasting an agent's fence set it. */
	if (wait && strtoul(wait, NULL, 10) > 0)
		hold_set_wait((unsigned)strtoul(wait, NULL, 10));
	stream_set_numbered(hold_numbered);
	return stream_open(db_path, store_reset);
}

void
wiring_stream_close(void)
{
	stream_close();
}
