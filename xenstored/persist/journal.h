/* SPDX-License-Identifier: MIT */
/*
 * An append-only journal file: numbered, checksummed records, each one
 * written with a single pwritev at the end of the file.  It knows nothing
 * of what the records hold (db.c puts one turn's changes in each).
 *
 * A record is a 20-byte header and the payload:
 *
 *	offset	size	field
 *	0	4	magic "XSJ1"
 *	4	4	payload length, little-endian
 *	8	8	sequence number, little-endian; each record's is the
 *			previous one's + 1
 *	16	4	CRC-32 (zlib) of bytes 4..15 and of the payload
 *	20	len	payload
 *
 * A record is either wholly in the page cache or not at all once the
 * write returns, so a killed daemon leaves whole records; a crash of the
 * host (or a kill during a write that spans pages) may leave a torn one at
 * the end, which opening drops.  A bad record followed by a good one is
 * damage, not a tear: opening refuses the file.
 */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define JOURNAL_HDR_SIZE 20

struct journal;

/*
 * Open (creating if needed) the journal at path and check it: a torn or
 * garbled tail is logged and cut off; a damaged record followed by good
 * ones, or a gap in the numbering, makes this fail with a message naming
 * the file (errno EBADMSG).  Records numbered <= folded are already in
 * the database (db.c): they are dropped (a fold that was cut short
 * before journal_drop_before); the first one after them must be
 * folded + 1.
 * durable: fdatasync every append.  Returns the journal or NULL with
 * errno (logged).
 */
struct journal *journal_open(const char *path, uint64_t folded, bool durable);

/*
 * journal_open for a file this daemon (the old binary of a live update)
 * has just written: if it is still size bytes long, its records are not
 * read again and the next one is numbered next_seq; else it is checked
 * as journal_open does.
 */
struct journal *journal_open_known(const char *path, uint64_t folded,
				   bool durable, off_t size, uint64_t next_seq);

/* Close the file and free j (NULL is fine). */
void journal_close(struct journal *j);

/*
 * Append one record holding data; 0, or -1 with errno, and then the file
 * is as it was (a partial write is cut off again).
 */
int journal_append(struct journal *j, const void *data, size_t len);

/*
 * Append one record of len bytes given in pieces: journal_begin, then
 * journal_put until len bytes are given, then journal_commit, which
 * makes it the same record journal_append would have written; nothing is
 * allocated.  Each returns 0 or -1 with errno; after a failure of begin
 * or put, call journal_cancel; commit cancels by itself.  A cancelled
 * record leaves the file as it was.
 */
int journal_begin(struct journal *j, size_t len);
int journal_put(struct journal *j, const void *data, size_t len);
int journal_commit(struct journal *j);
void journal_cancel(struct journal *j);

/* The number the next record gets. */
uint64_t journal_next_seq(const struct journal *j);

/* The size of the file: where the next record starts. */
off_t journal_size(const struct journal *j);

typedef int (*journal_fn)(uint64_t seq, const uint8_t *data, size_t len,
			  void *arg);

/*
 * Call fn on each record numbered above after, up to file offset limit
 * (journal_size for all), in order; stop at the first non-0 return and
 * return it.  The records were checked by journal_open or written by
 * journal_append.  -1 with errno if the file cannot be read.
 */
int journal_foreach(struct journal *j, uint64_t after, off_t limit,
		    journal_fn fn, void *arg);

/*
 * A number that changes whenever records already in j's file move (a
 * drop, journal_drop_before) and that no other journal of this process
 * has had: a record's offset learnt under one value stays valid while
 * it lasts.
 */
uint64_t journal_gen(const struct journal *j);

/*
 * The file offset of record seq, from its headers alone: 0, or -1 with
 * errno (ENOENT: no such record in the file).
 */
int journal_locate(struct journal *j, uint64_t seq, off_t *off);

/*
 * Call fn on the one record at file offset off, which journal_locate,
 * or a previous call's *next, gave under the current journal_gen; *next
 * is where the record after it starts.  So a reader going forward one
 * record at a time does not walk the file from its start each time.
 * fn's return, or -1 with errno (EINVAL: no record there; ENOMEM).
 */
int journal_read_at(struct journal *j, off_t off, journal_fn fn, void *arg,
		    off_t *next);

/*
 * Drop the records before file offset off (they are in the database now):
 * the records after it are copied to a new file that replaces the
 * journal by rename, so a crash leaves either file whole.  0, or -1 with
 * errno (logged; the journal is as it was).
 */
int journal_drop_before(struct journal *j, off_t off);

/*
 * The same in steps, so that no loop turn copies megabytes: start it
 * (0, or -1 logged), then call journal_drop_step once a turn; appends go
 * on meanwhile, to the journal as it is, and offsets (journal_size) stay
 * those of the old file until the drop ends.  A step copies budget bytes,
 * or what was appended since the previous step if that is more (so it
 * always catches up).  Returns 1 when the drop is done (or none was under
 * way), 0 while it goes on, -1 if it failed (logged; the journal is as it
 * was and no drop is under way).  journal_close abandons a drop.
 */
int journal_drop_start(struct journal *j, off_t off);
int journal_drop_step(struct journal *j, size_t budget);

/* Whether a drop is under way. */
bool journal_dropping(const struct journal *j);

#endif /* JOURNAL_H */
