/* SPDX-License-Identifier: MIT */
/*
 * How the daemon's modules are wired together: what the store reports
 * goes to persistence, accounting and watches, and the connections get
 * their persistence, quota and teardown hooks.  main.c and the
 * in-process test harness both wire through here, so that tests run the
 * modules exactly as the daemon does.
 */
#ifndef WIRING_H
#define WIRING_H

#include <stdbool.h>

struct event_base;

/* Register the store's observers (after store_init).  0 or -1. */
int wiring_store(void);

/*
 * Set up the connections on base, requests going to the dispatcher.
 * With persist, a turn's output waits until its changes are written;
 * with persist_after, they are written after the output (--sync=none,
 * on tmpfs); with neither, there is no database.  0 or -1.
 */
int wiring_connections(struct event_base *base, bool persist,
		       bool persist_after);

/*
 * End a loop turn: free a step of the nodes that removals left for later
 * (store_reap), then persist and send the turn's output
 * (conn_flush_all), and grow a xenstore domain's memory if it nears its
 * limit (memgrow.h).  True if removals still have nodes to free: the next
 * turn must not block.
 */
bool wiring_end_turn(void);

/*
 * Open the change stream beside the database at db_path, once the store
 * is loaded (stream.h), started over if the store was reset (--reset-db
 * started it empty); 0 or -1 (logged: the daemon runs without one).
 */
int wiring_stream(const char *db_path, bool store_reset);

/* Write its last groups and close it (shutdown). */
void wiring_stream_close(void);

#endif /* WIRING_H */
