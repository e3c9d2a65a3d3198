/* SPDX-License-Identifier: MIT */
/*
 * Persistence: the committed tree mirrored in a tdb file, one record per
 * node (record.proto), so that a restarted daemon has every acknowledged
 * write.  The only file that includes <tdb.h>.
 *
 * The store reports each changed or removed node (db_node_changed,
 * db_node_removed); db_flush writes everything changed since the last
 * flush in one tdb transaction.  The daemon calls it once per loop turn,
 * before any reply of that turn is sent (--sync=batch, fsync), or after
 * (--sync=none).
 */
#ifndef DB_H
#define DB_H

#include <stdbool.h>

enum db_sync {
	DB_SYNC_NONE,  /* written after the replies, never fsync'd */
	DB_SYNC_BATCH, /* written before the replies, not fsync'd */
	DB_SYNC_FSYNC, /* written and fsync'd before the replies */
};

/* Parse "none", "batch" or "fsync"; 0 or -1. */
int db_parse_sync(const char *s, enum db_sync *out);

/*
 * Open (creating if needed) the file at path.  A damaged file makes this
 * fail with a message naming it, unless reset: then the damaged file is
 * moved aside to <path>.damaged and an empty one started.  Returns 0 or
 * -1 (the reason is logged).
 */
int db_open(const char *path, enum db_sync sync, bool reset);

/*
 * Load the tree from the file into the (empty) store.  Returns 1 if the
 * file held a tree, 0 if it was empty, -1 if a record is damaged (logged).
 */
int db_load(void);

/* Record that the node at path changed (or was created). */
void db_node_changed(const char *path);

/* Record that the node at path was removed. */
void db_node_removed(const char *path);

/* True if changes are waiting for db_flush. */
bool db_pending(void);

/* Write all pending changes in one transaction; 0 or -1 (logged). */
int db_flush(void);

/* The sync mode given to db_open. */
enum db_sync db_sync_mode(void);

/* Close the file (shutdown). */
void db_close(void);

#endif /* DB_H */
