/* SPDX-License-Identifier: MIT */
/*
 * A xenstore domain's memory grows (Xen's balloon): the daemon boots
 * under its domain's size and asks the hypervisor for more, up to the
 * domain's maximum, before it runs short: the main loop looks, once a
 * turn, at how far its nodes and its heap have taken their parts of the
 * limit.  A turn that takes more than was left (a large transaction's
 * commit, many guests at once) runs a request out all the same: that
 * request asks too, and runs again.
 */
#ifndef MEMGROW_H
#define MEMGROW_H

#include <stdbool.h>

/*
 * Grow the daemon's memory by a step, if it runs under a limit and its
 * domain may still grow; why ends the log line.  True if it grew (a
 * request refused ENOMEM may then be tried again); false for good once
 * the hypervisor refused.
 */
bool mem_grow(const char *why);

/*
 * Once a loop turn: grow by a step if the node arena is past 3/4 of its
 * part of the limit, or the heap past 3/4 of the rest (looked at every
 * few milliseconds at most: it costs a system call).  Nothing without a
 * limit, nor once the hypervisor refused.
 */
void mem_grow_ahead(void);

#endif
