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

int
mem_headroom(void)
{
	void *p = malloc(MEM_HEADROOM);

	if (p == NULL)
		return ENOMEM;
	free(p);
	return 0;
}
