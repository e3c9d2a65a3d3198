/* SPDX-License-Identifier: MIT */
/*
 * Migration of a guest between the hosts of a pool (docs/pool.md,
 * "Migration"), xl's `migrate` in the simulator's manner: the source
 * pauses the guest and asks its pool agent to hand the guest over (one
 * compare-and-swap in etcd); the target's receiver rebuilds it from its
 * configuration with the same uuid and /vm/<uuid>; then the source
 * destroys its copy.  xsim speaks only to its own xenstored: the agents
 * carry the request and the report through etcd.
 */
#ifndef MIGRATE_H
#define MIGRATE_H

/*
 * Move the guest which (name or id) to host target, in bounded time:
 * with no answer from the agent, etcd settles it (pool_settle).  0 once
 * it runs there and its copy here is gone; -1 after a message: refused
 * (not in a pool, unknown or dead host, another migration won, not
 * handed over by etcd's word), in which case the guest runs here as
 * before; or failed on the target after the hand-over (resumed here if
 * handed back, else its copy here destroyed); or etcd unreachable as
 * well as the agent (the guest stays paused here).
 */
int migrate_out(const char *which, const char *target);

/*
 * The receiver of a pool host (`xsim migrate-receive`, started by
 * `xsim start --pool`): rebuilds each guest its agent notes in
 * /tool/pool/incoming and reports back.  Runs until killed; returns -1
 * only if xenstored cannot be reached.
 */
int migrate_receive(void);

#endif /* MIGRATE_H */
