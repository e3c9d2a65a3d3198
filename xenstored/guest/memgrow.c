/* SPDX-License-Identifier: MIT */
/*
 * memgrow.h.  Only a daemon under a data limit asks (a xenstore
 * domain's; a daemon without one never runs short this way), and it
 * stops asking once refused: a domain at its maximum, or one whose
 * toolstack set no maximum above its size, stays as it is, and its
 * floods cost no hypercall each.
 *
 * What the limit holds (RLIMIT_DATA, the kernel's data_vm): the node
 * arena's writable part, which store.c keeps at half the limit, and the
 * heap, with everything else private and writable, in the other half.
 * So the two are looked at apart:
 *
 *   nodes  the arena's bump pointer against its writable size, every
 *          turn: two loads.  Freed blocks below the pointer count as
 *          taken, since they serve only nodes of their own size.
 *   heap   the process's data pages (/proc/self/statm, what the kernel
 *          holds against the limit) less the arena, against the other
 *          half.  glibc's own count (mallinfo2) walks every free chunk:
 *          10 ms for a heap of 100k of them, where statm is one read.
 *
 * Worked example, XENSTORE_DOMAIN_SIZE 8 and a flood of 3000-byte
 * nodes: the arena has 4 MiB; past 3 MiB (about 1025 nodes) the turn
 * asks for 4 MiB, the limit becomes 12 MiB and the arena 6 MiB, 1 MiB
 * of it still free when it asked: 340 more nodes that the turn's
 * requests (64 at most a connection, conn.c) had to spare.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "hyp.h"
#include "log.h"
#include "memgrow.h"
#include "store.h"

/* What a step asks for, in KiB; the hypervisor may grant less. */
#define STEP_KB 4096
/* A part past AHEAD_NUM / AHEAD_DEN asks for the next step. */
#define AHEAD_NUM 3
#define AHEAD_DEN 4
/* The heap is looked at once in this many milliseconds at most. */
#define HEAP_EVERY_MS 10

static bool refused;   /* by the hypervisor: at the domain's maximum */
static bool unlimited; /* no data limit: nothing to watch */
static rlim_t limit;   /* the soft data limit; 0 until read */
static int statm = -1;
static struct timespec heap_seen;

/* The limit as it is now, in *limit; false without one (or unreadable). */
static bool
read_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_DATA, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return false;
	limit = rl.rlim_cur;
	return true;
}

bool
mem_grow(const char *why)
{
	long kb;

	if (refused || !read_limit())
		return false;
	kb = hyp_grow(STEP_KB);
	if (kb <= 0 || !read_limit()) {
		refused = true;
		log_warnx("memory: the domain may not grow beyond %llu KiB",
			  (unsigned long long)limit >> 10);
		return false;
	}
	store_arena_grow();
	log_warnx("memory: the domain grew by %ld KiB to %llu KiB (%s)", kb,
		  (unsigned long long)limit >> 10, why);
	return true;
}

static bool
past(size_t used, size_t part)
{
	return used / AHEAD_NUM > part / AHEAD_DEN;
}

/* True at most once in HEAP_EVERY_MS (a coarse clock: no system call). */
static bool
heap_due(void)
{
	struct timespec now;
	long ms;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) != 0)
		return false;
	ms = (now.tv_sec - heap_seen.tv_sec) * 1000 +
	     (now.tv_nsec - heap_seen.tv_nsec) / 1000000;
	if (heap_seen.tv_sec != 0 && ms < HEAP_EVERY_MS)
		return false;
	heap_seen = now;
	return true;
}

/* Bytes the kernel counts against the limit (data and stack); 0 if unknown. */
static size_t
data_bytes(void)
{
	char buf[128];
	unsigned long pages;
	ssize_t n;

	if (statm == -1) /* opened once; -2: it cannot be */
		statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (statm < 0) {
		statm = -2;
		return 0;
	}
	if ((n = pread(statm, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%*u %*u %*u %*u %*u %lu", &pages) != 1)
		return 0;
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}

void
mem_grow_ahead(void)
{
	size_t top, arena, data;

	if (refused || unlimited)
		return;
	if (limit == 0 && !read_limit()) {
		unlimited = true;
		return;
	}
	store_arena_use(&top, &arena);
	if (arena >= limit) /* not under the limit: store.c set no part */
		return;
	if (past(top, arena)) {
		mem_grow("its nodes near their part");
		return;
	}
	if (!heap_due() || (data = data_bytes()) <= arena)
		return;
	if (past(data - arena, limit - arena))
		mem_grow("its heap near its part");
}
