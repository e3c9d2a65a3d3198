/* SPDX-License-Identifier: MIT */
/*
 * Headroom (mem.h): a trial allocation of what must stay free.  After
 * the first such block is freed, glibc serves the next from the heap's
 * top (its mmap threshold rises above the block), so a check costs a
 * split and a merge of the top chunk, not a system call.
 */
#include <errno.h>
#include <stdlib.h>

#include "mem.h"

/*
 * AddressSanitizer keeps every freed block in quarantine: each trial
 * would take a fresh 256 kB, and the daemon would grow by the size of the
 * quarantine.  There is no limit to keep headroom under anyway (ASan's
 * shadow maps rule out ulimit -v), so the trial is left out.
 */
#if defined(__SANITIZE_ADDRESS__)
#define TRIAL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRIAL 0
#endif
#endif
#ifndef TRIAL
#define TRIAL 1
#endif

int
mem_headroom(void)
{
	void *p;

	if (!TRIAL)
		return 0;
	p = malloc(MEM_HEADROOM);

	if (p == NULL)
		return ENOMEM;
	free(p);
	return 0;
}
