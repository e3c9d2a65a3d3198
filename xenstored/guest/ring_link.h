/* SPDX-License-Identifier: MIT */
/*
 * What ring_conn.c (the transport) and ring_save.c (saves and restarts)
 * share of a ring connection; private to the two.
 */
#ifndef RING_LINK_H
#define RING_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "conn.h"
#include "domain.h"

/* Answered requests whose replies are not all on the ring yet. */
#define MARKS 32

struct ring_link {
	struct domain *d;
	XENSTORE_RING_IDX peek; /* the next request byte to read */
	XENSTORE_RING_IDX done; /* the end of the last answered request */
	uint64_t written;	/* output bytes put on the ring */
	struct {
		uint64_t out; /* its reply ends at this much output */
		XENSTORE_RING_IDX end;
	} marks[MARKS];
	unsigned nmarks;
	uint64_t saved;	  /* output up to here is in a save */
	uint64_t save_to; /* output a save must keep: a message waits on it */
	uint32_t tag;	  /* of its ring cursor (ring_cursor.h) */
	bool dirty;
	bool save_in; /* a long request's start is saved, then given back */
	bool owed; /* on the owed list: an index moved since the last event */
	bool waiting; /* on the waiting list: a save is wanted */
	LIST_ENTRY(ring_link) owed_link;
	LIST_ENTRY(ring_link) waiting_link;
};

static inline struct ring_link *
link_of(const struct conn *c)
{
	return c->transport_data;
}

/* Move req_cons to to; the guest is owed an event for it. */
void ring_link_give_back(struct ring_link *l, XENSTORE_RING_IDX to);

/* l's guest is no longer owed an event (none will be sent). */
void ring_link_not_owed(struct ring_link *l);

#endif /* RING_LINK_H */
