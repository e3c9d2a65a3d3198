/* SPDX-License-Identifier: MIT */
/*
 * What a released domain leaves in the tree is cleaned a slice per loop
 * turn: the nodes it owned go (or pass to dom0 with -K), and entries
 * naming it go from other nodes' permissions.  Finding them means
 * visiting every node, longer at a million nodes than any loop turn may
 * take, so a release only queues the domain (release.c explains the
 * rules that keep this safe).
 */
#ifndef RELEASE_H
#define RELEASE_H

#include <stdbool.h>
#include <stddef.h>

struct domain;

/* Forget every queued domain and set the rules: -p and -K. */
void release_init(unsigned priv_domid, bool keep_orphans);

/*
 * d is released or dead and its connection gone: clean up after it.
 * Its record stays (d->releasing) until that is done, then goes.
 */
void release_queue(struct domain *d);

/*
 * Clean for about budget nodes' worth of work; true while some is left
 * for the next turn.
 */
bool release_step(size_t budget);

/*
 * Finish all of it now: before domid is introduced again (its new
 * incarnation must not lose what it makes), and before a live update
 * hands the state over.
 */
void release_finish(void);

/*
 * At start: the domains a stopped daemon had not finished cleaning up
 * after are queued again (their side records).
 */
void release_restore(void);

#endif /* RELEASE_H */
