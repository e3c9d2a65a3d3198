/* SPDX-License-Identifier: MIT */
/*
 * Adaptive busy-polling for xsim-xenbus's event loop (busypoll.h), as
 * KVM polls a halted vCPU before it sleeps (halt_poll_ns) and Linux's
 * sockets poll their device (net.core.busy_poll).
 *
 * Why.  A request of a dom0 client to a xenstore domain wakes this
 * process twice: once for the client's request, once for the daemon's
 * reply.  Each sleep and wake-up is a task switch, and a CPU with
 * nothing else to run goes idle in between, which a virtual machine
 * pays dearly for (an exit to the host and back, some 9 us here against
 * 1 us for a system call).  A client that sends its next request soon
 * after its reply finds us still awake if we keep polling for a moment.
 *
 * How.  Each wait first polls the loop without blocking (yielding the
 * CPU between polls, so that the daemon, on the same CPU or not, runs
 * as soon as it has work) for the current window, then sleeps.  The
 * window adapts to how long waits last, as KVM's does:
 *
 *   - an event found while polling: the window was right, kept;
 *   - a wait that ended within the bound (max_ns) after sleeping: the
 *     window was too short, doubled (from BUSYPOLL_GROW_START_NS);
 *   - a wait longer than the bound: the peer is slow or gone, and
 *     polling for it wastes the CPU: the window drops to 0.
 *
 * Worked through with max 50 us: a client sending a request every
 * 20 us sleeps in its first two waits (window 0, then 10 us), and from
 * the third on (window 20, then 40 us) is found while polling.  An idle
 * host never polls: polling happens only at the start of a wait that
 * follows a short one, and the first long wait resets the window.  The
 * most a burst of traffic costs after it ends is one window, max_ns.
 *
 * A peek function, if set, looks at shared memory at each poll: xsim-
 * xenbus's finds the daemon's reply on the ring, and forwards it before
 * it takes the event (two system calls) that came with it.
 */
#include <sched.h>
#include <stdbool.h>
#include <time.h>

#include <event2/event.h>

#include "busypoll.h"

/* Work done by the callbacks, counted to tell a poll that found some. */
static unsigned long activity;

void
busypoll_init(struct busypoll *bp, uint64_t max_ns)
{
	bp->max_ns = max_ns;
	bp->window_ns = 0;
	bp->peek = NULL;
}

void
busypoll_adapt(struct busypoll *bp, uint64_t waited_ns)
{
	if (waited_ns > bp->max_ns)
		bp->window_ns = 0;
	else if (bp->window_ns == 0)
		bp->window_ns = BUSYPOLL_GROW_START_NS < bp->max_ns
					? BUSYPOLL_GROW_START_NS
					: bp->max_ns;
	else if (bp->window_ns < bp->max_ns / 2)
		bp->window_ns *= 2;
	else
		bp->window_ns = bp->max_ns;
}

void
busypoll_note(void)
{
	activity++;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Run what is ready until until (ns); whether work or a break came.
 * The peek comes first: work it finds (a reply on a ring) is done
 * before the event that announces it is taken, which the next turn
 * does, off the requester's path.
 */
static bool
poll_until(struct event_base *base, const struct busypoll *bp, uint64_t until)
{
	unsigned long seen = activity;

	do {
		/* Whoever we wait for may need this CPU to answer. */
		sched_yield();
		if (bp->peek && bp->peek())
			return true;
		/* An error: the blocking loop that follows reports it. */
		if (event_base_loop(base, EVLOOP_NONBLOCK) < 0)
			return false;
		if (event_base_got_break(base) || activity != seen)
			return true;
	} while (now_ns() < until);
	return false;
}

int
busypoll_dispatch(struct event_base *base, struct busypoll *bp)
{
	uint64_t start;

	while (!event_base_got_break(base)) {
		start = now_ns();
		if (bp->window_ns > 0 &&
		    poll_until(base, bp, start + bp->window_ns))
			continue;
		if (event_base_loop(base, EVLOOP_ONCE) < 0)
			return -1;
		busypoll_adapt(bp, now_ns() - start);
	}
	return 0;
}
