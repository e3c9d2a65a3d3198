/* SPDX-License-Identifier: MIT */
/*
 * Held commits: the replies to transaction commits under the pool's
 * shared prefixes, held until the pool agent says whether etcd took the
 * commit (docs/pool.md, "No lost update").  The commit is applied
 * locally at once, as any other; only its reply waits: "OK" once the
 * agent has published it, EAGAIN if it lost to a newer write in the pool
 * (the local tree then holds the winner, and the client's retry reads
 * it), EIO if no verdict comes within HOLD_WAIT_MS or the agent goes
 * (its fate in the pool is not known yet: never "OK" without etcd's).
 *
 * Only the agent's requests decide: it asks for verdicts on prefixes
 * (hold_prefixes) and gives them (hold_verdict).  Only dom0's commits
 * are held: never the agent's own, nor a guest's (guests never wait on
 * the network), nor plain requests, nor commits outside the prefixes.
 */
#ifndef HOLD_H
#define HOLD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct conn;
struct msg;

/* The longest a commit's reply waits for its verdict, in ms. */
#define HOLD_WAIT_MS 2000
/* Prefixes the agent may ask verdicts for. */
#define HOLD_MAX_PREFIXES 4

/*
 * The agent (the change stream's registered reader, stream.h) asks for
 * verdicts on commits that change something at or under the prefixes
 * (absolute paths), until its connection goes or it asks again.  0, or
 * EACCES (agent is not the registered reader), EINVAL, ENOMEM.
 */
int hold_prefixes(struct conn *agent, const char **p, unsigned n);

/*
 * Reply "OK" to m, a commit that has just been applied (within its
 * request, whose change-stream group is still open): held for the
 * agent's verdict if c is dom0's and the commit changed something under
 * the agent's prefixes, at once otherwise (also when holding would need
 * memory there is not).
 */
void hold_commit(struct conn *c, const struct msg *m);

/* The stream's numbered hook (stream.h): the held commit tag is seq. */
void hold_numbered(uint64_t tag, uint64_t seq);

/* Whether a held commit waits for the verdict on group seq. */
bool hold_waits(uint64_t seq);

/*
 * The agent's verdict on groups first to last (a fenced agent's "lost"
 * covers every group it will not publish): each held commit's reply
 * goes, "OK" if ok, else EAGAIN.  0 (also when nobody waits for them:
 * timed out, client gone), EINVAL (an empty range), or EACCES if agent
 * is not the one that asked.
 */
int hold_verdict(struct conn *agent, uint64_t first, uint64_t last, bool ok);

/*
 * A live update waits for held commits as for open transactions
 * (lu.c): when c's commit began to wait, 0 if none of c's waits.
 */
time_t hold_since(const struct conn *c);

/*
 * Whether c is the agent and a commit waits for its verdict: its own
 * transactions (the winners a "lost" verdict waits for) must then not
 * wait behind a live update that waits for that verdict.
 */
bool hold_for(const struct conn *c);

/*
 * Answer every held commit EIO now (its fate in the pool is not known),
 * logged with why: a live update forced past them (-F), which must not
 * carry a held "OK" into the new binary.
 */
void hold_give_up(const char *why);

/*
 * The agent that asked for verdicts and its prefixes (*p, *n), for a
 * live update to hand over; NULL if none asked.
 */
const struct conn *hold_agent(const char *const **p, unsigned *n);

/* Change the longest wait (tests; HOLD_WAIT_MS otherwise). */
void hold_set_wait(unsigned ms);

#endif /* HOLD_H */
