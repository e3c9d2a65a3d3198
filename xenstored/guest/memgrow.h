/* SPDX-License-Identifier: MIT */
/*
 * A xenstore domain's memory grows on demand (Xen's balloon): the
 * daemon boots under its domain's size and, when a request runs out of
 * memory, asks the hypervisor for more, up to the domain's maximum.
 */
#ifndef MEMGROW_H
#define MEMGROW_H

#include <stdbool.h>

/*
 * Grow the daemon's memory by a step, if it runs under a limit and its
 * domain may still grow.  True if it grew (a request refused ENOMEM may
 * then be tried again); false for good once the hypervisor refused.
 */
bool mem_grow(void);

#endif
