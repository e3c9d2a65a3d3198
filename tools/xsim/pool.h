/* SPDX-License-Identifier: MIT */
/*
 * The host in a pool (docs/pool.md): xsim start --pool ENDPOINTS --host
 * NAME runs the pool agent (xs-pool-agent) beside xenstored, as the
 * daemon RUNDIR/pool-agent.pid with its log in RUNDIR/pool-agent.log,
 * and the migration receiver (migrate.h), RUNDIR/migrate-receiver.pid
 * and .log.  RUNDIR/pool-etcd keeps the endpoints, for pool_settle.
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

/*
 * Settle migration request req (guest uuid, from this host, me, to
 * target) in etcd when no agent answers it: `xs-pool-agent --settle`,
 * whose log is appended to RUNDIR/pool-agent.log.  After it, the
 * request can no longer land.  0 with etcd's owner of the guest in
 * owner ("-" for none) and the outcome in result, in the words of
 * /tool/pool/migrate-result/<req>; -1 if etcd did not answer (nothing
 * is known; the log says why).
 */
int pool_settle(const char *me, const char *uuid, const char *req,
		const char *target, char *owner, size_t olen, char *result,
		size_t rlen);

/* Stop the receiver and the agent, if they run; 0 or -1. */
int pool_stop(void);

/*
 * Print the pool's hosts and its guests with the host each runs on, as
 * the agent sees them, if in a pool.
 */
void pool_list(struct xs_handle *xsh);

#endif /* XSIM_POOL_H */
