/* SPDX-License-Identifier: MIT */
/*
 * Persistence: the committed tree mirrored in a tdb file, one record per
 * node (record.proto), and a journal file beside it (<file>.journal) of
 * the changes since, so that a restarted daemon has every acknowledged
 * write.  db.c and db_load.c are the only files that include <tdb.h>.
 *
 * The store reports each changed or removed node (db_observe); db_flush appends
 * everything changed since the last flush to the journal in one record.  The
 * daemon calls it once per loop turn, before any reply of that turn is sent
 * (--sync=batch, fsync), or after (--sync=none).  From time to time a child
 * process folds the journal into the tdb file (db.c explains it).
 */
#ifndef DB_H
#define DB_H

#include <stdbool.h>
#include <stdint.h>

enum db_sync {
	DB_SYNC_NONE,  /* written after the replies, never fsync'd */
	DB_SYNC_BATCH, /* written before the replies, not fsync'd */
	DB_SYNC_FSYNC, /* written and fsync'd before the replies */
};

/* Parse "none", "batch" or "fsync"; 0 or -1. */
int db_parse_sync(const char *s, enum db_sync *out);

/*
 * Open (creating if needed) the file at path and its journal.  A torn
 * record at the journal's end is logged and dropped.  A damaged file (or
 * a journal damaged before its end) makes this fail with a message
 * naming it, unless reset: then both files are moved aside to
 * <name>.damaged and empty ones started.  Returns 0 or -1 (logged).
 */
int db_open(const char *path, enum db_sync sync, bool reset);

/* Whether db_open moved damaged files aside and started empty. */
bool db_was_reset(void);

/*
 * Where the files stand after a db_flush: the journal's length, the
 * number of its next record, and the entries it holds since the last
 * fold.  A live update's old binary hands it to the new one.
 */
struct db_position {
	uint64_t journal_size, next_seq, entries;
};

/*
 * The files' position now; 0, or -1 while a fold or a drop of folded
 * records is under way (the position is about to change).
 */
int db_position(struct db_position *pos);

/*
 * db_open for files the daemon itself has just written and flushed (the
 * old binary of a live update, ours): the whole-file check of a damaged
 * file is skipped, as it costs tens of milliseconds per 100k nodes, and
 * so is the reading of the journal if pos (NULL: unknown) says where it
 * ends and the file is still that long.
 */
int db_open_current(const char *path, enum db_sync sync,
		    const struct db_position *pos);

/*
 * Instead of db_load, when the store comes from elsewhere (a live
 * update): the tdb file, open since db_open, is closed, as db_load
 * leaves it, so that a fold's child can open it (tdb refuses a file
 * open twice in one process: every fold failed after an update).
 */
void db_skip_load(void);

/*
 * The store came from elsewhere than these files (a live update's image
 * with files started anew): write the whole store at the next flush.
 */
void db_write_all(void);

/*
 * Load the tree from the file into the (empty) store.  Returns 1 if the
 * file held a tree, 0 if it was empty, -1 if a record is damaged (logged).
 */
int db_load(void);

/*
 * The store's observer (store_observe): record that the node at the
 * change's path was created, changed or removed.
 */
struct store_change;
void db_observe(const struct store_change *ch);

/* True if changes are waiting for db_flush. */
bool db_pending(void);

/*
 * True while a fold runs in a child: a process that opened the files now
 * would wait for it (a live update waits instead).
 */
bool db_folding(void);

/*
 * Append all pending changes to the journal in one record (and start a
 * fold if the journal is large); 0 or -1 (logged), and then they stay
 * pending.
 */
int db_flush(void);

/* The path given to db_open. */
const char *db_file(void);

/* The sync mode given to db_open. */
enum db_sync db_sync_mode(void);

/* Wait for a fold under way, close the files (shutdown). */
void db_close(void);

#endif /* DB_H */
