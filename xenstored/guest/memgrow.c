/* SPDX-License-Identifier: MIT */
/*
 * memgrow.h.  Only a daemon under a data limit asks (a xenstore
 * domain's; a daemon without one never runs short this way), and it
 * stops asking once refused: a domain at its maximum, or one whose
 * toolstack set no maximum above its size, stays as it is, and its
 * floods cost no hypercall each.
 */
#include <stdint.h>
#include <sys/resource.h>

#include "hyp.h"
#include "log.h"
#include "memgrow.h"
#include "store.h"

/* What a step asks for, in KiB; the hypervisor may grant less. */
#define STEP_KB 4096

static bool refused;

bool
mem_grow(void)
{
	struct rlimit rl;
	long kb;

	if (refused || getrlimit(RLIMIT_DATA, &rl) != 0 ||
	    rl.rlim_cur == RLIM_INFINITY)
		return false;
	kb = hyp_grow(STEP_KB);
	if (kb <= 0 || getrlimit(RLIMIT_DATA, &rl) != 0) {
		refused = true;
		log_warnx("memory: the domain may not grow beyond %llu KiB",
			  (unsigned long long)rl.rlim_cur >> 10);
		return false;
	}
	store_arena_grow();
	log_warnx("memory: the domain grew by %ld KiB to %llu KiB", kb,
		  (unsigned long long)rl.rlim_cur >> 10);
	return true;
}
