/* SPDX-License-Identifier: MIT */
/*
 * The host in a pool (docs/pool.md): xsim start --pool ENDPOINTS --host
 * NAME runs the pool agent (xs-pool-agent) beside xenstored, as the
 * daemon RUNDIR/pool-agent.pid with its log in RUNDIR/pool-agent.log,
 * and the migration receiver (migrate.h), RUNDIR/migrate-receiver.pid
 * and .log.
 */
#ifndef XSIM_POOL_H
#define XSIM_POOL_H

struct xs_handle;

/*
 * Start the agent and wait (a few seconds) until it has joined: 0, or -1
 * after saying why (bad options: the agent's own message).  An agent that
 * cannot reach etcd yet keeps trying; that is a warning, and 0.
 */
int pool_start(const char *endpoints, const char *name);

/* Stop the receiver and the agent, if they run; 0 or -1. */
int pool_stop(void);

/*
 * Print the pool's hosts and its guests with the host each runs on, as
 * the agent sees them, if in a pool.
 */
void pool_list(struct xs_handle *xsh);

#endif /* XSIM_POOL_H */
