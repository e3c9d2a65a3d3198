/* SPDX-License-Identifier: MIT */
/*
 * A domain's memory (Xen's max_mem and increase_reservation): the
 * toolstack sets its size and the most it may grow to; the domain asks
 * for more in steps.  The size is enforced on the process that runs the
 * domain, as its data limit (soft: its size; hard: its maximum), which
 * only the hypervisor raises.
 */
#ifndef XENHYP_MEMORY_H
#define XENHYP_MEMORY_H

#include <stdint.h>
#include <sys/types.h>

#include "domain.h"

/* The most one increase grants, in KiB. */
#define MEM_STEP_KB (4 * 1024)

/*
 * Set d's size and maximum (KiB), applied to process pid (0: none, the
 * size is only recorded); 0 or an errno.
 */
int mem_set(struct domain *d, pid_t pid, uint64_t mem_kb, uint64_t max_kb);

/* Grow d by up to want_kb (at most MEM_STEP_KB); 0 or an errno. */
int mem_increase(struct domain *d, uint64_t want_kb);

#endif
