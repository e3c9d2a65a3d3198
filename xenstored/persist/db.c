/* SPDX-License-Identifier: MIT */
/*
 * The files behind the store (db.h): a tdb file of node records and,
 * beside it, an append-only journal (journal.h) of what changed since.
 *
 * Keys of the tdb file are node paths; values are NodeRecord messages
 * (record.proto).  Changes are collected as paths in a set and written at
 * db_flush, so a node changed ten times in one loop turn is written once.
 * The set is a tree of paths (containers.h) allocated from a talloc pool
 * kept for it, so that a turn's changes find memory even when the rest of
 * the daemon is short of it; a turn that fills the pool with no memory
 * left writes what it has as a journal record of its own and starts the
 * pool again (writing needs no memory: append_turn).  A path that cannot
 * be added all the same is not lost: the set is marked incomplete, and
 * the flush of that turn, before any reply goes out, folds the whole
 * store into the tdb file (a child writes every node and deletes every
 * record the store no longer has), which covers what the journal missed.
 *
 * Each loop turn that changed the store appends *one* journal record
 * (<db>.journal): the turn's changes as a Journal message, the full
 * current record of every path it names (or its removal), with a single
 * write.  That is all a turn costs (a microsecond or two), whatever the
 * size of the store; a tdb transaction cost ~55 us even for one change.
 * The write reaches the page cache before the turn's replies go out, so
 * a SIGKILL of the daemon loses nothing it acknowledged (--sync=fsync
 * adds fdatasync for a crash of the host).
 *
 * Folding.  When the journal holds fold_after entries (or FOLD_BYTES),
 * a forked child writes the current record of every path the journal
 * names into the tdb file, from its copy-on-write snapshot of the store,
 * in one tdb transaction that also sets DbMeta.folded to the number of the
 * last record it covers.  The loop goes on serving meanwhile, and appends
 * to the journal.  When the child has succeeded, the parent drops the
 * folded records from the journal: it copies the rest into a new file a
 * step a loop turn (drop_step), then renames it over the journal.
 * Example:
 *
 *	turn 1: WRITE /a 1, WRITE /b 2	-> journal #1 = {/a: 1, /b: 2}
 *	turn 2: RM /a			-> journal #2 = {/a: removed}
 *	fold (child, snapshot after #2)	-> tdb: /b = 2, delete /a,
 *					   folded = 2 (one transaction)
 *	turn 3: WRITE /c 3		-> journal #3 = {/c: 3}
 *	child done			-> journal = {#3}
 *
 * A crash at any point leaves a consistent pair: before the commit, the
 * tdb file has folded = 0 and the journal all three records; after the
 * commit but before the rename, loading skips records numbered <= 2.
 * Replaying a record twice would do no harm anyway: records carry whole
 * node states, so applying #1 and #2 again ends where the fold ended.
 *
 * The child maps the tdb file and exits; the parent opens it only to load
 * (a traverse, no transaction), so tdb's leaked map tails and its pages
 * never stay in the daemon's memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <talloc.h>
#include <tdb.h>
#include <unistd.h>

#include "containers.h"
#include "db.h"
#include "db_int.h"
#include "journal.h"
#include "log.h"
#include "record.pb-c.h"
#include "side.h"
#include "store.h"
#include "xs_wire.h"

/* 2: the journal has a file of its own and DbMeta says what is folded. */
#define DB_FORMAT 2
/*
 * Journal entries before a fold: a fold of 128k changes at 1M nodes
 * takes the child ~0.5 s; replaying as many at a restart, ~0.1 s.
 * XENSTORED_FOLD_AFTER overrides it (tests fold after a few).
 */
#define FOLD_AFTER 131072
/* ... or journal bytes: large values fill it with few entries. */
#define FOLD_BYTES (64 << 20)
/* How much nicer than the loop a fold's child runs. */
#define FOLD_NICE 10
/*
 * Bytes of the journal copied per loop turn after a fold (drop_step):
 * 1 MB is a millisecond or less of copying in the page cache.
 */
#define DROP_STEP (1u << 20)
/* Memory kept for a turn's changed paths: some 800 of them. */
#define DIRTY_POOL (64 << 10)
/* Hash chains: ~8 records a chain at 1M nodes, 512 kB of chain heads. */
#define HASH_SIZE 131071

const char db_meta_key[] = "\001meta";
const char db_legacy_prefix[] = "\002journal/";
const char db_side_prefix[] = "\003";

static struct tdb_context *tdb; /* open to load, and in a fold's child */
static char *db_path;
static enum db_sync sync_mode;
/* A path changed in this loop turn. */
struct dirty {
	RB_ENTRY(dirty) link;
	const char *path; /* bytes, or a lookup's key */
	char bytes[];
};

static int
dirty_cmp(const struct dirty *a, const struct dirty *b)
{
	return strcmp(a->path, b->path);
}

RB_HEAD(dirty_set, dirty);
RB_GENERATE_LOCAL(dirty_set, dirty, link, dirty_cmp)

static struct dirty_set dirty = RB_INITIALIZER(&dirty);
static void *dirty_ctx; /* the entries' parent */
static size_t ndirty;
static bool dirty_lost; /* a change is missing from the set */
static bool fold_all;	/* the next fold writes the whole store */
static struct journal *journal;
static uint64_t folded;		/* the last journal record the tdb file holds */
static struct db_loaded legacy; /* legacy records still in the tdb file */
static size_t jentries;		/* entries in the journal file */
static size_t fold_after = FOLD_AFTER;
static size_t fold_retry_at; /* after a failed fold: entries to wait for */

/* db_open_current: the files are known good, skip tdb_check. */
static bool trusted;
/* ... and where the journal ends, if known (NULL: read it through). */
static const struct db_position *known;

/* The fold running in a child, if fold_pid is not 0. */
static pid_t fold_pid;
/* Set by SIGCHLD: only then is the child worth a waitpid. */
static volatile sig_atomic_t child_exited;
static uint64_t fold_seq; /* it folds the records up to this one */
static off_t fold_off;	  /* which end here in the journal */
static size_t fold_entries;

int
db_parse_sync(const char *s, enum db_sync *out)
{
	if (strcmp(s, "none") == 0)
		*out = DB_SYNC_NONE;
	else if (strcmp(s, "batch") == 0)
		*out = DB_SYNC_BATCH;
	else if (strcmp(s, "fsync") == 0)
		*out = DB_SYNC_FSYNC;
	else
		return -1;
	return 0;
}

enum db_sync
db_sync_mode(void)
{
	return sync_mode;
}

static TDB_DATA
key_of(const char *path)
{
	TDB_DATA k = {(unsigned char *)(uintptr_t)path, strlen(path)};

	return k;
}

static int
write_meta(uint64_t seq)
{
	DbMeta meta = DB_META__INIT;
	uint8_t buf[32];
	TDB_DATA v = {buf, 0};

	meta.has_format = meta.has_folded = 1;
	meta.format = DB_FORMAT;
	meta.folded = seq;
	v.dsize = db_meta__pack(&meta, buf);
	return tdb_store(tdb, key_of(db_meta_key), v, TDB_REPLACE);
}

/* The format and folded number of the file; -1 if unknown or damaged. */
static int
read_meta(uint32_t *format, uint64_t *seq)
{
	TDB_DATA v = tdb_fetch(tdb, key_of(db_meta_key));
	DbMeta *meta;
	int ret = -1;

	if (v.dptr == NULL)
		return -1;
	meta = db_meta__unpack(NULL, v.dsize, v.dptr);
	free(v.dptr);
	if (meta && meta->has_format && meta->format <= DB_FORMAT) {
		*format = meta->format;
		*seq = meta->has_folded ? meta->folded : 0;
		ret = 0;
	}
	if (meta)
		db_meta__free_unpacked(meta, NULL);
	return ret;
}

/*
 * Check the meta record, writing it into a new file, or upgrading an
 * older one so that an older daemon refuses the file rather than miss
 * the journal.
 */
static int
check_meta(void)
{
	uint32_t format = 0;
	bool fresh = tdb_exists(tdb, key_of(db_meta_key)) == 0;

	folded = 0;
	if (!fresh && read_meta(&format, &folded) != 0)
		return -1;
	if (format == DB_FORMAT)
		return 0;
	if (tdb_transaction_start(tdb) != 0)
		return -1;
	if (write_meta(folded) != 0 || tdb_transaction_commit(tdb) != 0) {
		tdb_transaction_cancel(tdb);
		return -1;
	}
	return 0;
}

static int
open_tdb(const char *path, bool create)
{
	int flags = TDB_INCOMPATIBLE_HASH |
		    (sync_mode == DB_SYNC_FSYNC ? 0 : TDB_NOSYNC);

	/* tdb would quietly re-initialise a damaged file opened O_CREAT. */
	tdb = tdb_open(path, HASH_SIZE, flags,
		       create ? O_RDWR | O_CREAT : O_RDWR, 0600);
	return tdb ? 0 : -1;
}

static void
close_tdb(void)
{
	if (tdb)
		tdb_close(tdb);
	tdb = NULL;
}

static char *
journal_path(const char *path)
{
	char *p;

	return asprintf(&p, "%s.journal", path) < 0 ? NULL : p;
}

/*
 * Hold the fold lock on path (a flock of the tdb file, apart from tdb's
 * own fcntl locks) until the returned descriptor is closed or the process
 * ends; -1 if there is no file.  A fold's child holds it, from the fork
 * (fold_start takes it), for its whole transaction.  Why: a daemon killed
 * mid-fold takes its child with it (PR_SET_PDEATHSIG), but not at once,
 * and tdb_open recovers an unfinished transaction without waiting for
 * its writer: a daemon restarted at once must wait for the child to be
 * gone.
 */
static int
lock_folds(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

/*
 * Whether the file passes tdb's whole-file check, repacked if need be.
 * A fold's transaction cut short by a kill is undone by tdb_open, but the
 * records it had written past the old end of the file stay there, on no
 * list, and tdb_check calls that corrupt ("hashes do not match").  A
 * repack (every record copied out and back, the rest made free) clears
 * that; a file that still fails, or cannot be read through, is damaged.
 */
static bool
check_tdb(const char *path)
{
	if (tdb_check(tdb, NULL, NULL) == 0)
		return true;
	if (tdb_repack(tdb) != 0 || tdb_check(tdb, NULL, NULL) != 0)
		return false;
	log_warnx("database %s: records a transaction cut short had left "
		  "beyond its end are dropped (repacked)",
		  path);
	return true;
}

/*
 * Open the tdb file and the journal; on failure *bad_journal tells which
 * one cannot be read.
 */
static int
try_open(const char *path, bool *bad_journal)
{
	struct stat st;
	char *jpath = journal_path(path);
	int lock_fd;

	*bad_journal = false;
	/* No fold of a daemon killed just now may still be writing. */
	lock_fd = lock_folds(path);
	if (lock_fd >= 0)
		close(lock_fd);
	if (jpath == NULL || open_tdb(path, stat(path, &st) != 0) != 0) {
		log_warn("database %s: cannot open", path);
		goto fail;
	}
	if (!trusted && !check_tdb(path)) {
		log_warnx("database %s: damaged: %s", path, tdb_errorstr(tdb));
		goto fail;
	}
	if (check_meta() != 0) {
		log_warnx("database %s: not a store of a known format", path);
		goto fail;
	}
	journal =
		known ? journal_open_known(
				jpath, folded, sync_mode == DB_SYNC_FSYNC,
				(off_t)known->journal_size, known->next_seq)
		      : journal_open(jpath, folded, sync_mode == DB_SYNC_FSYNC);
	if (journal == NULL) {
		*bad_journal = true;
		goto fail;
	}
	free(jpath);
	return 0;
fail:
	close_tdb();
	free(jpath);
	return -1;
}

/* db_open started empty after moving damaged files aside. */
static bool was_reset;

/* --reset-db: keep both files as <name>.damaged, start empty. */
static int
move_aside(const char *path)
{
	char *jpath = journal_path(path), *aside = NULL, *jaside = NULL;
	int ret = -1;

	if (jpath == NULL || asprintf(&aside, "%s.damaged", path) < 0 ||
	    asprintf(&jaside, "%s.damaged", jpath) < 0)
		goto out;
	if ((rename(path, aside) != 0 && errno != ENOENT) ||
	    (rename(jpath, jaside) != 0 && errno != ENOENT)) {
		log_warn("database %s: cannot move it aside", path);
		goto out;
	}
	log_warnx("database %s was damaged: kept as %s (and its journal as "
		  "%s), starting empty",
		  path, aside, jaside);
	ret = 0;
out:
	free(jpath);
	free(aside);
	free(jaside);
	return ret;
}

static void
read_settings(void)
{
	const char *s = getenv("XENSTORED_FOLD_AFTER");

	if (s && strtoul(s, NULL, 10) > 0)
		fold_after = strtoul(s, NULL, 10);
}

int
db_open(const char *path, enum db_sync sync, bool reset)
{
	const char *suffix;
	bool bad_journal;

	sync_mode = sync;
	db_path = strdup(path);
	dirty_ctx = talloc_pool(NULL, DIRTY_POOL);
	if (db_path == NULL || dirty_ctx == NULL)
		return -1;
	RB_INIT(&dirty);
	read_settings();
	if (try_open(path, &bad_journal) == 0)
		return 0;
	if (!reset) {
		suffix = bad_journal ? ".journal" : "";
		log_warnx(
			"refusing to start: %s%s holds the store and cannot "
			"be read; fix or move it, or start with --reset-db to "
			"start empty (the file is then kept as %s%s.damaged)",
			path, suffix, path, suffix);
		return -1;
	}
	if (move_aside(path) != 0)
		return -1;
	was_reset = true;
	return try_open(path, &bad_journal);
}

bool
db_was_reset(void)
{
	return was_reset;
}

int
db_open_current(const char *path, enum db_sync sync,
		const struct db_position *pos)
{
	int ret;

	trusted = true;
	known = pos;
	ret = db_open(path, sync, false);
	trusted = false;
	known = NULL;
	/* The fold comes when it would have come in the old binary. */
	if (ret == 0 && pos)
		jentries = (size_t)pos->entries;
	return ret;
}

int
db_position(struct db_position *pos)
{
	if (journal == NULL || db_folding() || journal_dropping(journal))
		return -1;
	pos->journal_size = (uint64_t)journal_size(journal);
	pos->next_seq = journal_next_seq(journal);
	pos->entries = jentries;
	return 0;
}

void
db_skip_load(void)
{
	close_tdb();
}

void
db_write_all(void)
{
	dirty_lost = true;
}

int
db_load(void)
{
	int ret = db_load_all(&tdb, journal, db_path, folded, &legacy);

	jentries = legacy.journal_entries;
	if (legacy.leftovers) {
		/* Their records go with a fold of the whole store. */
		log_info("database %s: %zu nodes of an unfinished removal "
			 "dropped",
			 db_path, legacy.leftovers);
		dirty_lost = true;
	}
	/* Legacy records are folded away at the first change. */
	if (legacy.legacy_next > legacy.legacy_first)
		jentries = fold_after;
	/* From now on, only a fold's child opens the file. */
	malloc_trim(0);
	return ret;
}

/* Add path to set, its entry on ctx: 1 if added, 0 if there, -1. */
static int
set_add(struct dirty_set *set, void *ctx, const char *path)
{
	struct dirty key, *d;
	size_t len;

	key.path = path;
	if (RB_FIND(dirty_set, set, &key) != NULL)
		return 0;
	len = strlen(path);
	d = talloc_size(ctx, sizeof(*d) + len + 1);
	if (d == NULL)
		return -1;
	talloc_set_name_const(d, "struct dirty");
	memcpy(d->bytes, path, len + 1);
	d->path = d->bytes;
	RB_INSERT(dirty_set, set, d);
	return 1;
}

/* The turn's changes are written: forget them. */
static void
dirty_clear(void)
{
	talloc_free_children(dirty_ctx);
	RB_INIT(&dirty);
	ndirty = 0;
}

static int append_turn(void);

/*
 * Past the pool, with no memory left, the changes so far are journaled
 * at once (a turn in two records: replay ends where one would) and the
 * pool starts again; only if that fails is the set given up on.  A node
 * read back from the file has nothing to write.
 */
void
db_observe(const struct store_change *ch)
{
	int r;

	if (journal == NULL || ch->loading || dirty_lost)
		return;
	r = set_add(&dirty, dirty_ctx, ch->path);
	if (r < 0 && append_turn() == 0) {
		dirty_clear();
		r = set_add(&dirty, dirty_ctx, ch->path);
	}
	if (r > 0)
		ndirty++;
	if (r >= 0)
		return;
	log_warnx("database %s: out of memory recording a change: the "
		  "whole store is written at this turn's end",
		  db_path);
	dirty_lost = true;
}

bool
db_pending(void)
{
	return journal && (ndirty > 0 || dirty_lost || side_pending());
}

/* Fill rec with n's data; ids and acc have room for n's permissions. */
static void
record_of(const struct node *n, NodeRecord *rec, uint32_t *ids, uint32_t *acc)
{
	const struct perm *p = node_perms(n);
	unsigned i;

	for (i = 0; i < n->nperms; i++) {
		ids[i] = p[i].id;
		acc[i] = p[i].access;
	}
	node_record__init(rec);
	rec->has_value = 1;
	rec->value.data = (uint8_t *)(uintptr_t)node_value(n);
	rec->value.len = n->vlen;
	rec->n_perm_id = rec->n_perm_access = n->nperms;
	rec->perm_id = ids;
	rec->perm_access = acc;
	rec->has_birth = 1;
	rec->birth = node_birth(n);
}

/* The packed NodeRecord of n, malloc'd; NULL on ENOMEM. */
uint8_t *
db_pack_node(const struct node *n, size_t *len)
{
	NodeRecord rec;
	uint32_t ids[n->nperms], acc[n->nperms];
	uint8_t *buf;

	record_of(n, &rec, ids, acc);
	*len = node_record__get_packed_size(&rec);
	buf = malloc(*len ? *len : 1);
	if (buf)
		node_record__pack(&rec, buf);
	return buf;
}

/*
 * A turn's journal record is written without building it in memory, so
 * that a daemon out of memory can still store what it acknowledges: the
 * bytes protobuf-c would make of the Journal message go to the journal
 * piece by piece (journal_put).  The two outer levels are encoded here:
 *
 *	Journal.entry (1, length-delimited): 0x0a, varint size, JournalEntry
 *	JournalEntry.path (1): 0x0a, varint size, the path
 *	JournalEntry.record (2): 0x12, varint size, the packed NodeRecord
 *
 * and the NodeRecord by node_record__pack_to_buffer, which writes through
 * the sink below without allocating.  A removed path has no record.
 */
#define TAG_ENTRY 0x0a
#define TAG_SIDE 0x12
#define TAG_PATH 0x0a
#define TAG_RECORD 0x12

struct jsink {
	ProtobufCBuffer base;
	int failed; /* errno of the first journal_put that failed */
};

static void
jsink_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct jsink *s = (struct jsink *)(void *)b;

	if (!s->failed && journal_put(journal, data, len) != 0)
		s->failed = errno ? errno : EIO;
}

static size_t
varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t
varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* The size of path's JournalEntry, and of its NodeRecord (0: removed). */
static size_t
entry_size(const char *path, const struct node *n, size_t *rlen)
{
	size_t plen = strlen(path), size = 1 + varint_size(plen) + plen;
	NodeRecord rec;

	*rlen = 0;
	if (n) {
		uint32_t ids[n->nperms], acc[n->nperms];

		record_of(n, &rec, ids, acc);
		*rlen = node_record__get_packed_size(&rec);
		size += 1 + varint_size(*rlen) + *rlen;
	}
	return size;
}

/* Journal.entry for path, as it is in the store now, into the record. */
static void
put_entry(struct jsink *s, const char *path)
{
	const struct node *n = store_lookup(path);
	size_t plen = strlen(path), rlen, k = 0;
	size_t size = entry_size(path, n, &rlen);
	uint8_t head[3 + 3 * 10];
	NodeRecord rec;

	head[k++] = TAG_ENTRY;
	k += varint_put(head + k, size);
	head[k++] = TAG_PATH;
	k += varint_put(head + k, plen);
	jsink_append(&s->base, k, head);
	jsink_append(&s->base, plen, (const uint8_t *)path);
	if (n == NULL)
		return;
	k = 0;
	head[k++] = TAG_RECORD;
	k += varint_put(head + k, rlen);
	jsink_append(&s->base, k, head);
	{
		uint32_t ids[n->nperms], acc[n->nperms];

		record_of(n, &rec, ids, acc);
		node_record__pack_to_buffer(&rec, &s->base);
	}
}

/* The size of a side record's JournalEntry (in Journal.side). */
static size_t
side_entry_size(const char *key, const void *data, size_t len)
{
	size_t klen = strlen(key), size = 1 + varint_size(klen) + klen;

	if (data)
		size += 1 + varint_size(len) + len;
	return size;
}

static void
side_size_cb(const char *key, const void *data, size_t len, void *arg)
{
	size_t *total = arg, size = side_entry_size(key, data, len);

	*total += 1 + varint_size(size) + size;
}

/* Journal.side for a side record put this turn, into the record. */
static void
side_put_cb(const char *key, const void *data, size_t len, void *arg)
{
	struct jsink *s = arg;
	size_t klen = strlen(key), k = 0;
	uint8_t head[3 + 3 * 10];

	head[k++] = TAG_SIDE;
	k += varint_put(head + k, side_entry_size(key, data, len));
	head[k++] = TAG_PATH;
	k += varint_put(head + k, klen);
	jsink_append(&s->base, k, head);
	jsink_append(&s->base, klen, (const uint8_t *)key);
	if (data == NULL)
		return;
	k = 0;
	head[k++] = TAG_RECORD;
	k += varint_put(head + k, len);
	jsink_append(&s->base, k, head);
	jsink_append(&s->base, len, data);
}

/* This turn's changes, and its side records, as one journal record. */
static int
append_turn(void)
{
	struct jsink s = {{jsink_append}, 0};
	size_t total = 0, size, rlen;
	struct dirty *d;

	RB_FOREACH(d, dirty_set, &dirty) {
		size = entry_size(d->path, store_lookup(d->path), &rlen);
		total += 1 + varint_size(size) + size;
	}
	side_each_put(false, side_size_cb, &total);
	if (journal_begin(journal, total) != 0)
		goto fail;
	RB_FOREACH(d, dirty_set, &dirty)
		put_entry(&s, d->path);
	side_each_put(false, side_put_cb, &s);
	if (s.failed) {
		errno = s.failed;
		goto fail;
	}
	if (journal_commit(journal) != 0)
		return -1;
	jentries += ndirty;
	side_written();
	return 0;
fail:
	journal_cancel(journal);
	return -1;
}

/*
 * Make the record of path what the store holds now.  A node without a
 * record yet is stored with TDB_INSERT, which walks its hash chain once
 * instead of twice (TDB_REPLACE looks for an old record to update, then
 * for one to delete); if a record is there after all (in_db is only set
 * by a load), replace it.
 */
static int
write_path(const char *path)
{
	struct node *n = store_lookup(path);
	TDB_DATA v;
	size_t len;
	int ret;

	if (n == NULL) {
		if (tdb_delete(tdb, key_of(path)) != 0 &&
		    tdb_error(tdb) != TDB_ERR_NOEXIST)
			return -1;
		return 0;
	}
	v.dptr = db_pack_node(n, &len);
	v.dsize = len;
	if (v.dptr == NULL)
		return -1;
	ret = tdb_store(tdb, key_of(path), v,
			n->in_db ? TDB_REPLACE : TDB_INSERT);
	if (ret != 0 && tdb_error(tdb) == TDB_ERR_EXISTS)
		ret = tdb_store(tdb, key_of(path), v, TDB_REPLACE);
	free(v.dptr);
	return ret;
}

/* The paths a fold writes; in the child. */
struct fold_set {
	struct dirty_set paths;
	void *ctx;
};

/* Add the paths of one journal record to the set. */
static int
collect_paths(uint64_t seq, const uint8_t *data, size_t len, void *arg)
{
	Journal *j = journal__unpack(NULL, len, data);
	struct fold_set *set = arg;
	size_t i;
	int ret = 0;

	(void)seq;
	if (j == NULL)
		return -1;
	for (i = 0; i < j->n_entry && ret == 0; i++)
		if (j->entry[i]->path &&
		    set_add(&set->paths, set->ctx, j->entry[i]->path) < 0)
			ret = -1;
	journal__free_unpacked(j, NULL);
	return ret;
}

/* Add the paths of legacy record seq to the set, and delete it. */
static int
fold_legacy_record(uint64_t seq, struct fold_set *set)
{
	char kbuf[64];
	TDB_DATA v;
	int ret;

	snprintf(kbuf, sizeof(kbuf), "%s%" PRIu64, db_legacy_prefix, seq);
	v = tdb_fetch(tdb, key_of(kbuf));
	if (v.dptr == NULL)
		return 0;
	ret = collect_paths(seq, v.dptr, v.dsize, set);
	free(v.dptr);
	return ret == 0 ? tdb_delete(tdb, key_of(kbuf)) : -1;
}

/* Delete a record whose node the store no longer has; in the child. */
static int
drop_stale(struct tdb_context *t, TDB_DATA k, TDB_DATA v, void *arg)
{
	char path[XENSTORE_PAYLOAD_MAX + 1];
	bool *failed = arg;

	(void)v;
	if (k.dsize == strlen(db_meta_key) &&
	    memcmp(k.dptr, db_meta_key, k.dsize) == 0)
		return 0;
	/* Legacy records and anything not a path go too. */
	if (k.dsize < sizeof(path)) {
		memcpy(path, k.dptr, k.dsize);
		path[k.dsize] = '\0';
		if (strlen(path) == k.dsize && store_lookup(path) != NULL)
			return 0;
	}
	if (tdb_delete(t, k) != 0) {
		*failed = true;
		return -1;
	}
	return 0;
}

static int
write_node(struct node *n, void *arg)
{
	char path[XENSTORE_PAYLOAD_MAX + 1];

	(void)arg;
	node_path(n, path, sizeof(path));
	return write_path(path);
}

/*
 * Make the file hold exactly the store (when the set of changed paths
 * missed one); in the child.
 */
static int
fold_everything(void)
{
	static const char *const roots[] = {"/", "@introduceDomain",
					    "@releaseDomain"};
	struct node *n;
	bool failed = false;
	unsigned i;

	if (tdb_traverse(tdb, drop_stale, &failed) < 0 || failed)
		return -1;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if ((n = store_lookup(roots[i])) != NULL &&
		    store_walk(n, write_node, NULL) != 0)
			return -1;
	return 0;
}

/* Write the paths of the transaction's journal records; in the child. */
static int
fold_paths(uint64_t done)
{
	struct fold_set set = {RB_INITIALIZER(&set.paths), talloc_new(NULL)};
	struct dirty *d;
	uint64_t seq;
	int ret = -1;

	if (set.ctx == NULL ||
	    journal_foreach(journal, done, fold_off, collect_paths, &set) != 0)
		goto out;
	/* Newest first: each freed record then merges with free space. */
	for (seq = legacy.legacy_next; seq-- > legacy.legacy_first;)
		if (fold_legacy_record(seq, &set) != 0)
			goto out;
	RB_FOREACH(d, dirty_set, &set.paths)
		if (write_path(d->path) != 0)
			goto out;
	ret = 0;
out:
	talloc_free(set.ctx);
	return ret;
}

/* A side record into the tdb file, or its removal; in the child. */
static void
fold_side(const char *key, const void *data, size_t len, void *arg)
{
	char kbuf[256];
	bool *failed = arg;
	TDB_DATA v = {(unsigned char *)(uintptr_t)data, len};
	int n = snprintf(kbuf, sizeof(kbuf), "%s%s", db_side_prefix, key);

	if (n < 0 || (size_t)n >= sizeof(kbuf))
		return; /* keys are short names: never */
	if (data ? tdb_store(tdb, key_of(kbuf), v, TDB_REPLACE) != 0
		 : tdb_delete(tdb, key_of(kbuf)) != 0 &&
			    tdb_error(tdb) != TDB_ERR_NOEXIST)
		*failed = true;
}

static int
fold_sides(void)
{
	bool failed = false;

	side_each_put(true, fold_side, &failed);
	return failed ? -1 : 0;
}

/*
 * The child's work: one transaction writes the records of everything the
 * journal names up to fold_seq, as the snapshot holds them, and the new
 * folded number.  A fold that finds the file further on already (a fold
 * of a daemon killed meanwhile) does nothing.
 */
static int
fold_child(void)
{
	uint32_t format;
	uint64_t done;

	if (open_tdb(db_path, false) != 0 || tdb_transaction_start(tdb) != 0)
		return -1;
	if (read_meta(&format, &done) != 0)
		goto cancel;
	/* A whole fold writes what the journal lacks: it always runs. */
	if (fold_all ? done > fold_seq : done >= fold_seq) {
		tdb_transaction_cancel(tdb);
		return 0;
	}
	if ((fold_all ? fold_everything() : fold_paths(done)) != 0 ||
	    fold_sides() != 0 || write_meta(fold_seq) != 0 ||
	    tdb_transaction_commit(tdb) != 0)
		goto cancel;
	return 0;
cancel:
	log_warnx("database %s: fold failed: %s", db_path, tdb_errorstr(tdb));
	tdb_transaction_cancel(tdb);
	return -1;
}

static void
sigchld(int sig)
{
	(void)sig;
	child_exited = 1;
}

/* Start a fold of the journal as it is now in a child. */
static void
fold_start(void)
{
	struct sigaction sa = {.sa_handler = sigchld,
			       .sa_flags = SA_RESTART | SA_NOCLDSTOP};
	pid_t parent = getpid(), pid;
	int lock_fd;

	if (sigaction(SIGCHLD, &sa, NULL) != 0) {
		log_warn("%s: sigaction", __func__);
		return;
	}

	/*
	 * The fold lock is taken here and passes to the child with the
	 * descriptor (a flock belongs to the open file, shared across fork),
	 * so that from the fork on a daemon restarted after a kill waits
	 * for the child: taken by the child itself, it left a moment in
	 * which a new daemon opened the file while the child began writing.
	 * Busy: a fold of a daemon killed earlier still runs; try later.
	 */
	lock_fd = open(db_path, O_RDONLY | O_CLOEXEC);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (lock_fd >= 0)
			close(lock_fd);
		fold_retry_at = jentries + fold_after;
		return;
	}
	fold_seq = journal_next_seq(journal) - 1;
	fold_off = journal_size(journal);
	fold_entries = jentries;
	pid = fork();
	if (pid != 0)
		close(lock_fd); /* the child's copy holds the lock */
	if (pid < 0) {
		log_warn("database %s: cannot fork to fold the journal",
			 db_path);
		fold_retry_at = jentries + fold_after;
		return;
	}
	if (pid == 0) {
		/* Our signals are the parent's loop's: not the child's. */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/* A transaction cut short leaves the file as it was. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
		    getppid() != parent)
			_exit(1);
		/*
		 * The loop comes first: on a CPU shared with it (one vcpu,
		 * or a pinned daemon) the fold must not delay its turns.
		 */
		setpriority(PRIO_PROCESS, 0,
			    getpriority(PRIO_PROCESS, 0) + FOLD_NICE);
		_exit(fold_child() == 0 ? 0 : 1);
	}
	fold_pid = pid;
}

/*
 * Copy a step of what the journal keeps after a fold (journal.h): a fold
 * of a busy daemon leaves megabytes appended meanwhile, and copying them
 * all at once stopped the loop for milliseconds.
 */
static void
drop_step(size_t budget)
{
	if (journal_dropping(journal) &&
	    journal_drop_step(journal, budget) == 1)
		jentries -= fold_entries;
}

/*
 * The fold's child has ended (or, if wait, end it): take its result.
 * True if it folded.
 */
static bool
fold_reap(bool wait)
{
	int status;
	pid_t r;

	/* Cleared first: a child that ends after the waitpid sets it again. */
	child_exited = 0;
	do
		r = waitpid(fold_pid, &status, wait ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	fold_pid = 0;
	if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_warnx("database %s: folding the journal failed; it keeps "
			  "every change and grows until a fold succeeds",
			  db_path);
		fold_retry_at = jentries + fold_after;
		return false;
	}
	folded = fold_seq;
	legacy.legacy_first = legacy.legacy_next = 0;
	fold_retry_at = 0;
	/* If this fails the records stay, and a load skips them. */
	if (journal_drop_start(journal, fold_off) == 0)
		drop_step(DROP_STEP);
	return true;
}

static void
maybe_fold(void)
{
	/* Offsets of the journal change when a drop ends: one at a time. */
	if (fold_pid == 0 && !journal_dropping(journal) &&
	    jentries >= fold_retry_at &&
	    (jentries >= fold_after || journal_size(journal) >= FOLD_BYTES))
		fold_start();
}

/*
 * The set missed a change: fold the whole store, now, as it stands after
 * every journal record so far.  0, or -1 to try again at the next flush.
 */
static int
fold_whole(void)
{
	bool done = false;

	if (fold_pid)
		fold_reap(true);
	/* A fold's offsets are those after a drop: finish one under way. */
	drop_step(SIZE_MAX);
	fold_all = true;
	fold_start();
	if (fold_pid)
		done = fold_reap(true);
	fold_all = false;
	if (!done) {
		log_warnx("database %s: cannot write the whole store yet",
			  db_path);
		return -1;
	}
	dirty_lost = false;
	dirty_clear();
	side_written();
	return 0;
}

const char *
db_file(void)
{
	return db_path;
}

bool
db_folding(void)
{
	if (fold_pid && child_exited)
		fold_reap(false);
	return fold_pid != 0;
}

int
db_flush(void)
{
	if (journal == NULL)
		return 0; /* no database (--internal-db) */
	if (fold_pid && child_exited)
		fold_reap(false);
	drop_step(DROP_STEP);
	if (!db_pending())
		return 0;
	if (dirty_lost)
		return fold_whole();
	if (append_turn() != 0) {
		log_warn("database %s: cannot write the journal", db_path);
		return -1;
	}
	dirty_clear();
	maybe_fold();
	return 0;
}

void
db_close(void)
{
	if (fold_pid)
		fold_reap(true);
	drop_step(SIZE_MAX);
	journal_close(journal);
	journal = NULL;
	close_tdb();
}
