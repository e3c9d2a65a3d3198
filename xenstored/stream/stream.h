/* SPDX-License-Identifier: MIT */
/*
 * The change stream: the committed changes under a few prefixes (/pool,
 * /vm), in commit order, grouped as they were committed, each group
 * numbered, kept in a file beside the database until the one client that
 * follows them (the pool agent, docs/pool.md) says it has them.
 *
 * A group is what one request committed (a WRITE with the parents it
 * made, an RM as the top of what it removed, a transaction's commit), or
 * what the daemon changed by itself in a loop turn (a released domain's
 * nodes).  Groups get consecutive numbers from 1, kept across restarts:
 * a reader that remembers the last number it handled resumes after it,
 * whoever of the two restarted.  Each group is written to <db>.stream
 * before the database's journal record of the same loop turn, and so
 * before any reply that depends on it; stream_open undoes a last turn
 * that the journal never got.
 *
 * The agent registers once (stream_register): the prefixes it follows
 * are kept in <db>.stream-prefixes, so that changes made while it is
 * away are kept too.  Changes made by its own connection are marked, so
 * it does not send back what it has just applied.  Groups it has
 * acknowledged (stream_ack) may be dropped; if it stays away past
 * STREAM_KEEP groups, the oldest go and it must read the tree again (as
 * after a group marked lost).
 */
#ifndef STREAM_H
#define STREAM_H

#include <stdbool.h>
#include <stdint.h>

/* Groups kept unacknowledged before the oldest are dropped. */
#define STREAM_KEEP 65536
/* Prefixes a reader may follow. */
#define STREAM_MAX_PREFIXES 8

struct stream_change {
	const char *path;
	const void *value;
	uint32_t vlen;
	bool removed;
};

struct stream_group {
	uint64_t seq;
	bool agent; /* made by the registered reader's connection */
	bool lost;  /* changes are missing here: read the tree again */
	unsigned n;
	struct stream_change *changes;
};

/*
 * Open (creating if needed) <db_path>.stream and its prefixes, after the
 * store is loaded: a last loop turn whose changes the store does not
 * hold (the daemon died between the two writes) is cut off.
 *
 * store_reset: the store started empty (--reset-db).  The old groups
 * describe a tree that is gone, and a reader resuming from its cursor
 * would publish them against the new one.  The file is moved aside to
 * <db_path>.stream.damaged; numbering goes on after its last group (a
 * reader's cursor, which may be that last group, never points into new
 * ones), and the first new group is a "lost" one, written at once: the
 * reader reads the tree again.  0 or -1 (logged; the daemon then runs
 * without a stream).
 */
int stream_open(const char *db_path, bool store_reset);

/* Close the file (shutdown); the stream is off until stream_open. */
void stream_close(void);

/* The store's observer: collect changes under the prefixes. */
struct store_change;
void stream_observe(const struct store_change *ch);

/*
 * Bracket one request: the changes between them form one group, marked
 * as the agent's if who is the registered reader's owner.
 */
void stream_request_begin(const void *who);
void stream_request_end(void);

/*
 * Whether the current request's group has a change at or under prefix
 * and is not the registered reader's (whose own changes are never held
 * for it: docs/pool.md, verdicts).
 */
bool stream_request_under(const char *prefix);

/*
 * Ask for the number of the current request's group: the numbered hook
 * gets (tag, its number) when stream_flush writes it, or (tag, 0) if it
 * could not be written.  tag is not 0; false if the request has no group.
 */
bool stream_request_tag(uint64_t tag);

/* Set the hook stream_request_tag calls back (wiring.c). */
typedef void stream_numbered_fn(uint64_t tag, uint64_t seq);
void stream_set_numbered(stream_numbered_fn *fn);

/* Whether who is the registered reader's owner. */
bool stream_is_reader(const void *who);

/* Append the groups of this turn to the file; 0 or -1 (logged). */
int stream_flush(void);

/*
 * Follow the prefixes (absolute paths, at most STREAM_MAX_PREFIXES) from
 * now on, as owner: a talloc context (the agent's connection) whose
 * freeing ends its registration.  0, or EINVAL, ENOSYS (no stream
 * file), EBUSY (another owner is registered), EIO.
 */
int stream_register(void *owner, const char **prefixes, unsigned n);

/*
 * After a live update: who, the registered reader's connection handed
 * over, is registered again, with the prefixes the file keeps (which
 * may be opened after it).  0, or EBUSY, ENOMEM.
 */
int stream_reattach(void *who);

/* The numbers of the first and the last group kept (0, 0: none yet). */
void stream_bounds(uint64_t *first, uint64_t *last);

/*
 * Group seq, allocated on ctx: 0, or ENOENT (not written yet), ENOSPC
 * (dropped: read the tree again), ENOSYS, ENOMEM, EIO.
 */
int stream_read(void *ctx, uint64_t seq, struct stream_group **out);

/* The reader has handled every group up to seq: they may go.  0 or errno. */
int stream_ack(uint64_t seq);

#endif /* STREAM_H */
