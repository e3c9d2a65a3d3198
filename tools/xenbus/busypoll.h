/* SPDX-License-Identifier: MIT */
/*
 * An event loop that polls a little before it sleeps, when sleeping has
 * lately been short (busypoll.c).
 */
#ifndef BUSYPOLL_H
#define BUSYPOLL_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;

/* The poll window and its bound, in nanoseconds. */
struct busypoll {
	uint64_t max_ns; /* 0: never poll */
	uint64_t window_ns;
	/* Work found in shared memory without a system call, or NULL. */
	bool (*peek)(void);
};

/* The window starts at this, and doubles from there. */
#define BUSYPOLL_GROW_START_NS 10000

void busypoll_init(struct busypoll *bp, uint64_t max_ns);
/* After a wait of waited_ns that the poll did not end: grow or reset. */
void busypoll_adapt(struct busypoll *bp, uint64_t waited_ns);
/* Called by every event callback that did some work. */
void busypoll_note(void);
/* event_base_dispatch() with polling; 0 once broken, -1 on error. */
int busypoll_dispatch(struct event_base *base, struct busypoll *bp);

#endif /* BUSYPOLL_H */
