/* SPDX-License-Identifier: MIT */
/*
 * A seam in the I/O path for crash tests (tdb's run-die-during-transaction
 * idea): the program linking die.c gets its own pwrite, pwritev, write,
 * fsync, fdatasync, msync, ftruncate, posix_fallocate, rename and unlink,
 * which count every call that changes a file ("a step") and, when armed,
 * end the process at step N as a crash would, before that step happens
 * (or, torn, after a write went as far as a sector boundary inside it:
 * a write within one sector happens whole, then the process ends).  The
 * definitions are the program's own, so they also stand in for libc in libtdb
 * and in every process forked afterwards: the steps of a fold's child count on
 * the same counter (shared memory), and once one process died, every other dies
 * at its next step too, as a host that lost power.
 *
 * Writable shared maps of files are refused while the seam is armed, so
 * that tdb writes with pwrite (its fallback) rather than through a map,
 * where no step could be seen.
 */
#ifndef DIE_H
#define DIE_H

#include <stdbool.h>

/* The exit status of a process the seam ended. */
#define DIE_STATUS 77

/* Set the seam up (before any fork); 0 or -1. */
int die_init(void);

/* From now on count steps, and end the process at step n (1: the next). */
void die_arm(unsigned n, bool torn);

/* What step n since die_arm was ("pwrite of 4096"), for reports. */
const char *die_step_name(unsigned n);

/* Steps counted since die_arm. */
unsigned die_steps(void);

/* True if a process ended at its step since die_arm. */
bool die_died(void);

#endif /* DIE_H */
