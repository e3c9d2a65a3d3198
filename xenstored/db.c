/* SPDX-License-Identifier: MIT */
/*
 * The tdb file behind the store (db.h).
 *
 * Keys are node paths; values are NodeRecord messages (record.proto).
 * Changes are collected as paths in a set and written at db_flush, so a
 * node changed ten times in one loop turn is written once.
 *
 * Why a journal.  A tdb transaction has costs that grow with the file, not
 * with the change: tdb_transaction_start copies every hash-chain head and,
 * on an mmap'd file, unmaps and maps the whole file again, so every page
 * the transaction then touches faults back in; writing the records of a
 * turn one by one touches a hash-chain block per record.  At 1M nodes and
 * 64 writes per turn that was ~3 ms per turn.  So each turn stores *one*
 * record, its changes packed as a Journal (key "\002journal/<n>"), in a
 * transaction on the file read with pread (TDB_NOMMAP: nothing to unmap,
 * and the file's pages stay out of our RSS).  When the journal holds
 * COMPACT_AFTER entries, one transaction on the mmap'd file (where tdb's
 * many small reads are cheap) writes the current record of every path the
 * journal names and deletes the journal.  Either way each turn is one tdb
 * transaction, so it is all or nothing after a crash.  Example:
 *
 *	turn 1: WRITE /a 1, WRITE /b 2	-> \002journal/0 = {/a: 1, /b: 2}
 *	turn 2: RM /a			-> \002journal/1 = {/a: removed}
 *	...
 *	turn k: journal full		-> one transaction: /b = 2 (current),
 *					   delete /a, delete journal/0..k-1
 *
 * A restart after turn 2 reads the node records, then applies journal/0
 * and journal/1 in order: /b exists, /a does not.
 *
 * Loading reads every record into one buffer, sorts by depth and birth
 * (parents first, siblings in creation order) and creates the nodes.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <tdb.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "path.h"
#include "record.pb-c.h"
#include "store.h"

#define DB_FORMAT 1
/* Journal entries folded in one go: a 32k fold takes ~30-60 ms. */
#ifndef COMPACT_AFTER
#define COMPACT_AFTER 32768
#endif
/* Hash chains: ~8 records a chain at 1M nodes, 512 kB of chain heads. */
#ifndef HASH_SIZE
#define HASH_SIZE 131071
#endif
static const char meta_key[] = "\001meta";
static const char journal_prefix[] = "\002journal/";

static struct tdb_context *tdb;
static char *db_path;
static enum db_sync sync_mode;
static GHashTable *dirty; /* path -> GINT_TO_POINTER(1) */
static uint64_t journal_first, journal_next; /* records [first, next) */
static size_t journal_entries;

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
	TDB_DATA k = { (unsigned char *)(uintptr_t)path, strlen(path) };

	return k;
}

static int
check_meta(void)
{
	TDB_DATA k = key_of(meta_key), v = tdb_fetch(tdb, k);
	DbMeta *meta, fresh = DB_META__INIT;
	uint8_t buf[16];
	int ret = 0;

	if (v.dptr == NULL) {
		fresh.has_format = 1;
		fresh.format = DB_FORMAT;
		v.dsize = db_meta__pack(&fresh, buf);
		v.dptr = buf;
		return tdb_store(tdb, k, v, TDB_REPLACE) == 0 ? 0 : -1;
	}
	meta = db_meta__unpack(NULL, v.dsize, v.dptr);
	if (meta == NULL || !meta->has_format || meta->format > DB_FORMAT)
		ret = -1;
	if (meta)
		db_meta__free_unpacked(meta, NULL);
	free(v.dptr);
	return ret;
}

static int
try_open(const char *path)
{
	int flags = TDB_INCOMPATIBLE_HASH |
		    (sync_mode == DB_SYNC_FSYNC ? 0 : TDB_NOSYNC);
	struct stat st;
	/* tdb would quietly re-initialise a damaged file opened O_CREAT. */
	int oflags = stat(path, &st) == 0 ? O_RDWR : O_RDWR | O_CREAT;

	/* mmap'd for the load; db_load switches to pread (map_for_bulk). */
	tdb = tdb_open(path, HASH_SIZE, flags, oflags, 0600);
	if (tdb == NULL) {
		log_warn("database %s: cannot open", path);
		return -1;
	}
	if (tdb_check(tdb, NULL, NULL) != 0) {
		log_warnx("database %s: damaged: %s", path,
			  tdb_errorstr(tdb));
		tdb_close(tdb);
		tdb = NULL;
		return -1;
	}
	if (check_meta() != 0) {
		log_warnx("database %s: not a store of a known format", path);
		tdb_close(tdb);
		tdb = NULL;
		return -1;
	}
	return 0;
}

int
db_open(const char *path, enum db_sync sync, bool reset)
{
	char *aside;

	sync_mode = sync;
	db_path = strdup(path);
	dirty = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (try_open(path) == 0)
		return 0;
	if (!reset) {
		log_warnx("refusing to start: %s holds the store and cannot be "
			  "read; fix or move it, or start with --reset-db to "
			  "start empty (the file is then kept as %s.damaged)",
			  path, path);
		return -1;
	}
	if (asprintf(&aside, "%s.damaged", path) < 0 ||
	    rename(path, aside) != 0) {
		log_warn("database %s: cannot move it aside", path);
		return -1;
	}
	log_warnx("database %s was damaged: kept as %s, starting empty", path,
		  aside);
	free(aside);
	return try_open(path);
}

void
db_close(void)
{
	if (tdb)
		tdb_close(tdb);
	tdb = NULL;
}

void
db_node_changed(const char *path)
{
	if (tdb)
		g_hash_table_replace(dirty, g_strdup(path), GINT_TO_POINTER(1));
}

void
db_node_removed(const char *path)
{
	db_node_changed(path);
}

bool
db_pending(void)
{
	return tdb && g_hash_table_size(dirty) > 0;
}

/*
 * Whether the next transaction maps the file.  tdb maps or unmaps at
 * tdb_transaction_start, which re-reads the file's size and maps it again
 * (or not, under TDB_NOMMAP) every time, so the flag takes effect there.
 */
static void
map_for_bulk(bool map)
{
	if (map)
		tdb_remove_flags(tdb, TDB_NOMMAP);
	else
		tdb_add_flags(tdb, TDB_NOMMAP);
}

/* The packed NodeRecord of n, malloc'd; NULL on ENOMEM. */
static uint8_t *
pack_node(const struct node *n, size_t *len)
{
	NodeRecord rec = NODE_RECORD__INIT;
	uint32_t ids[n->nperms], acc[n->nperms];
	const struct perm *p = node_perms(n);
	uint8_t *buf;
	unsigned i;

	for (i = 0; i < n->nperms; i++) {
		ids[i] = p[i].id;
		acc[i] = p[i].access;
	}
	rec.has_value = 1;
	rec.value.data = (uint8_t *)(uintptr_t)node_value(n);
	rec.value.len = n->vlen;
	rec.n_perm_id = rec.n_perm_access = n->nperms;
	rec.perm_id = ids;
	rec.perm_access = acc;
	rec.has_birth = 1;
	rec.birth = node_birth(n);
	*len = node_record__get_packed_size(&rec);
	buf = malloc(*len ? *len : 1);
	if (buf)
		node_record__pack(&rec, buf);
	return buf;
}

/*
 * Make the record of path what the store holds now.  A node without a
 * record yet is stored with TDB_INSERT, which walks its hash chain once
 * instead of twice (TDB_REPLACE looks for an old record to update, then
 * for one to delete); if a record is there after all (the node was
 * removed and created again since its record was written), replace it.
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
	v.dptr = pack_node(n, &len);
	v.dsize = len;
	if (v.dptr == NULL)
		return -1;
	ret = tdb_store(tdb, key_of(path), v,
			n->in_db ? TDB_REPLACE : TDB_INSERT);
	if (ret != 0 && tdb_error(tdb) == TDB_ERR_EXISTS)
		ret = tdb_store(tdb, key_of(path), v, TDB_REPLACE);
	free(v.dptr);
	if (ret == 0)
		n->in_db = 1;
	return ret;
}

static void
journal_key(char *buf, size_t size, uint64_t seq)
{
	snprintf(buf, size, "%s%" PRIu64, journal_prefix, seq);
}

/* This turn's changes as one journal record. */
static int
append_journal(void)
{
	size_t n = g_hash_table_size(dirty), i = 0, len;
	JournalEntry *ents = calloc(n, sizeof(*ents));
	JournalEntry **ptrs = calloc(n, sizeof(*ptrs));
	Journal j = JOURNAL__INIT;
	GHashTableIter it;
	gpointer key;
	char kbuf[64];
	TDB_DATA v = { NULL, 0 };
	int ret = -1;

	if (ents == NULL || ptrs == NULL)
		goto out;
	g_hash_table_iter_init(&it, dirty);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		const struct node *node = store_lookup(key);

		journal_entry__init(&ents[i]);
		ents[i].path = key;
		if (node) {
			ents[i].record.data = pack_node(node, &len);
			ents[i].record.len = len;
			ents[i].has_record = 1;
			if (ents[i].record.data == NULL)
				goto out;
		}
		ptrs[i] = &ents[i];
		i++;
	}
	j.n_entry = n;
	j.entry = ptrs;
	v.dsize = journal__get_packed_size(&j);
	if ((v.dptr = malloc(v.dsize)) == NULL)
		goto out;
	journal__pack(&j, v.dptr);
	journal_key(kbuf, sizeof(kbuf), journal_next);
	map_for_bulk(false);
	if (tdb_transaction_start(tdb) != 0)
		goto out;
	if (tdb_store(tdb, key_of(kbuf), v, TDB_INSERT) != 0 ||
	    tdb_transaction_commit(tdb) != 0) {
		tdb_transaction_cancel(tdb);
		goto out;
	}
	journal_next++;
	journal_entries += n;
	ret = 0;
out:
	while (ents && i > 0)
		free(ents[--i].record.data);
	free(v.dptr);
	free(ents);
	free(ptrs);
	return ret;
}

/* Add the paths of journal record seq to set, and delete the record. */
static int
fold_journal_record(uint64_t seq, GHashTable *set)
{
	char kbuf[64];
	TDB_DATA v;
	Journal *j;
	size_t i;

	journal_key(kbuf, sizeof(kbuf), seq);
	v = tdb_fetch(tdb, key_of(kbuf));
	if (v.dptr == NULL)
		return 0;
	j = journal__unpack(NULL, v.dsize, v.dptr);
	free(v.dptr);
	if (j == NULL)
		return -1;
	for (i = 0; i < j->n_entry; i++)
		if (j->entry[i]->path)
			g_hash_table_add(set, g_strdup(j->entry[i]->path));
	journal__free_unpacked(j, NULL);
	return tdb_delete(tdb, key_of(kbuf));
}

/*
 * Unmap what tdb left mapped of the file.  tdb 1.4 leaks part of its map
 * when a transaction on a mapped file grows the file: it sets map_size
 * back to the size before the transaction and then unmaps only that many
 * bytes of a map made at the grown size, so the tail stays mapped (and its
 * pages in our RSS) for good.  Called only while tdb has no map of its own
 * (TDB_NOMMAP after a transaction start), so every map of the file left in
 * /proc/self/maps is such a tail.
 */
static void
unmap_leaked_tails(void)
{
	struct stat st;
	unsigned long start, end, ino, maj, mnr;
	char line[512];
	FILE *f;

	if (fstat(tdb_fd(tdb), &st) != 0 ||
	    (f = fopen("/proc/self/maps", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %*s %lx:%lx %lu", &start, &end,
			   &maj, &mnr, &ino) != 5)
			continue;
		if (ino == st.st_ino && maj == major(st.st_dev) &&
		    mnr == minor(st.st_dev))
			munmap((void *)start, end - start);
	}
	fclose(f);
}

/*
 * Go back to pread and give back what the bulk work left in our RSS: the
 * file's pages (an empty transaction makes tdb unmap it) and the heap that
 * tdb's transaction blocks and the load's buffers grew.
 */
static void
drop_map(void)
{
	map_for_bulk(false);
	if (tdb_transaction_start(tdb) == 0) {
		tdb_transaction_cancel(tdb);
		unmap_leaked_tails();
	}
	malloc_trim(0);
}

/*
 * Fold the journal and this turn's changes into the node records, in one
 * transaction on the mapped file, then unmap it again.
 */
static int
compact(void)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal,
						g_free, NULL);
	GHashTableIter it;
	gpointer key;
	uint64_t seq;
	int ret = -1;

	map_for_bulk(true);
	if (tdb_transaction_start(tdb) != 0)
		goto out;
	/* Newest first: each freed record then merges with free space. */
	for (seq = journal_next; seq-- > journal_first;)
		if (fold_journal_record(seq, set) != 0)
			goto cancel;
	g_hash_table_iter_init(&it, dirty);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_hash_table_add(set, g_strdup(key));
	g_hash_table_iter_init(&it, set);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (write_path(key) != 0)
			goto cancel;
	if (tdb_transaction_commit(tdb) != 0)
		goto cancel;
	journal_first = journal_next;
	journal_entries = 0;
	ret = 0;
	goto out;
cancel:
	tdb_transaction_cancel(tdb);
out:
	/* An empty transaction drops the mapping and its pages from RSS. */
	drop_map();
	g_hash_table_destroy(set);
	return ret;
}

int
db_flush(void)
{
	int ret;

	if (!db_pending())
		return 0;
	if (journal_entries + g_hash_table_size(dirty) >= COMPACT_AFTER)
		ret = compact();
	else
		ret = append_journal();
	if (ret != 0) {
		log_warnx("database %s: write failed: %s", db_path,
			  tdb_errorstr(tdb));
		return -1;
	}
	g_hash_table_remove_all(dirty);
	return 0;
}

/*
 * Loading: every record, then sorted so that parents come first.  Paths
 * and packed records are copied into one buffer (the file is mapped, so
 * the copy is cheap and tdb's memory is not held).
 */
struct loaded {
	size_t off;  /* of the path (NUL-terminated) in the buffer */
	size_t roff; /* of the packed record */
	size_t rlen;
	unsigned depth;
	bool removed; /* by the journal */
	bool in_db;   /* has a node record (not only journal entries) */
	uint64_t birth;
};

struct jrec {
	uint64_t seq;
	size_t off, len; /* of the packed Journal in the buffer */
};

struct load_state {
	GByteArray *bytes;
	GArray *items;
	GArray *journal;
	bool bad;
};

static bool
is_journal_key(TDB_DATA k, uint64_t *seq)
{
	size_t plen = sizeof(journal_prefix) - 1;
	char digits[24];

	if (k.dsize <= plen || k.dsize - plen >= sizeof(digits) ||
	    memcmp(k.dptr, journal_prefix, plen) != 0)
		return false;
	memcpy(digits, k.dptr + plen, k.dsize - plen);
	digits[k.dsize - plen] = '\0';
	*seq = strtoull(digits, NULL, 10);
	return true;
}

/* A record's birth, or -1 if it is damaged. */
static int
record_birth(const uint8_t *data, size_t len, uint64_t *birth)
{
	NodeRecord *rec = node_record__unpack(NULL, len, data);
	int ret = 0;

	if (rec == NULL || rec->n_perm_id == 0 ||
	    rec->n_perm_id != rec->n_perm_access)
		ret = -1;
	else
		*birth = rec->birth;
	if (rec)
		node_record__free_unpacked(rec, NULL);
	return ret;
}

static void
add_item(struct load_state *st, const void *path, size_t plen,
	 const void *rec, size_t rlen, uint64_t birth, bool in_db)
{
	static const uint8_t nul = 0;
	struct loaded it = { 0 };

	it.in_db = in_db;
	it.off = st->bytes->len;
	g_byte_array_append(st->bytes, path, (guint)plen);
	g_byte_array_append(st->bytes, &nul, 1);
	it.roff = st->bytes->len;
	it.rlen = rlen;
	g_byte_array_append(st->bytes, rec, (guint)rlen);
	it.birth = birth;
	g_array_append_val(st->items, it);
}

static int
collect(struct tdb_context *t, TDB_DATA k, TDB_DATA v, void *arg)
{
	struct load_state *st = arg;
	struct jrec jr;
	uint64_t birth;

	(void)t;
	if (k.dsize == sizeof(meta_key) - 1 &&
	    memcmp(k.dptr, meta_key, k.dsize) == 0)
		return 0;
	if (is_journal_key(k, &jr.seq)) {
		jr.off = st->bytes->len;
		jr.len = v.dsize;
		g_byte_array_append(st->bytes, v.dptr, (guint)v.dsize);
		g_array_append_val(st->journal, jr);
		return 0;
	}
	if (k.dsize == 0 || memchr(k.dptr, 0, k.dsize) != NULL ||
	    record_birth(v.dptr, v.dsize, &birth) != 0) {
		log_warnx("database %s: damaged record %.*s", db_path,
			  (int)k.dsize, (const char *)k.dptr);
		st->bad = true;
		return -1;
	}
	add_item(st, k.dptr, k.dsize, v.dptr, v.dsize, birth, true);
	return 0;
}

static int
by_seq(const void *a, const void *b)
{
	const struct jrec *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Apply one journal entry to the loaded records. */
static int
replay_entry(struct load_state *st, GHashTable *index, const JournalEntry *e)
{
	gpointer found;
	struct loaded *it;
	uint64_t birth = 0;
	size_t i;

	if (e->path == NULL || e->path[0] == '\0' ||
	    (e->has_record &&
	     record_birth(e->record.data, e->record.len, &birth) != 0))
		return -1;
	if (g_hash_table_lookup_extended(index, e->path, NULL, &found)) {
		i = GPOINTER_TO_SIZE(found);
	} else {
		if (!e->has_record)
			return 0;
		i = st->items->len;
		add_item(st, e->path, strlen(e->path), e->record.data,
			 e->record.len, birth, false);
		g_hash_table_insert(index, g_strdup(e->path),
				    GSIZE_TO_POINTER(i));
		return 0;
	}
	it = &g_array_index(st->items, struct loaded, i);
	it->removed = !e->has_record;
	if (e->has_record) {
		it->roff = st->bytes->len;
		it->rlen = e->record.len;
		it->birth = birth;
		g_byte_array_append(st->bytes, e->record.data,
				    (guint)e->record.len);
	}
	return 0;
}

/* Apply the journal records, oldest first, to the node records. */
static int
replay_journal(struct load_state *st)
{
	GHashTable *index;
	struct jrec *jr;
	Journal *j;
	guint i;
	size_t e;
	int ret = 0;

	if (st->journal->len == 0)
		return 0;
	g_array_sort(st->journal, by_seq);
	index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (i = 0; i < st->items->len; i++)
		g_hash_table_insert(
			index,
			g_strdup((const char *)st->bytes->data +
				 g_array_index(st->items, struct loaded, i).off),
			GSIZE_TO_POINTER(i));
	for (i = 0; i < st->journal->len && ret == 0; i++) {
		jr = &g_array_index(st->journal, struct jrec, i);
		/* Unpacking copies: the buffer may move as entries apply. */
		j = journal__unpack(NULL, jr->len, st->bytes->data + jr->off);
		if (j == NULL) {
			ret = -1;
			break;
		}
		for (e = 0; e < j->n_entry && ret == 0; e++)
			ret = replay_entry(st, index, j->entry[e]);
		journal_entries += j->n_entry;
		journal__free_unpacked(j, NULL);
	}
	if (ret != 0)
		log_warnx("database %s: damaged journal record", db_path);
	jr = &g_array_index(st->journal, struct jrec, 0);
	journal_first = jr->seq;
	journal_next =
		g_array_index(st->journal, struct jrec, st->journal->len - 1)
			.seq +
		1;
	g_hash_table_destroy(index);
	return ret;
}

static int
by_depth_birth(const void *a, const void *b)
{
	const struct loaded *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->birth < y->birth ? -1 : x->birth > y->birth;
}

static int
create_loaded(const char *path, const uint8_t *data, size_t len, bool in_db)
{
	NodeRecord *rec = node_record__unpack(NULL, len, data);
	struct perm perms[rec ? rec->n_perm_id : 1];
	struct node *n;
	size_t i;
	int ret = 0;

	if (rec == NULL)
		return -1;
	for (i = 0; i < rec->n_perm_id; i++) {
		perms[i].id = rec->perm_id[i];
		perms[i].access = rec->perm_access[i];
	}
	n = store_load(path, perms, (unsigned)rec->n_perm_id, rec->value.data,
		       (uint32_t)rec->value.len, rec->birth);
	if (n == NULL) {
		log_warnx("database %s: node %s has no parent", db_path, path);
		ret = -1;
	} else {
		n->in_db = in_db;
	}
	node_record__free_unpacked(rec, NULL);
	return ret;
}

int
db_load(void)
{
	struct load_state st = { NULL, NULL, NULL, false };
	struct loaded *v;
	struct stat sb;
	guint i, n = 0;
	int ret = 0;

	/* Records take less than the file: the buffer never has to move. */
	st.bytes = g_byte_array_sized_new(
		fstat(tdb_fd(tdb), &sb) == 0 && sb.st_size < G_MAXUINT
			? (guint)sb.st_size
			: 0);
	st.items = g_array_new(FALSE, FALSE, sizeof(struct loaded));
	st.journal = g_array_new(FALSE, FALSE, sizeof(struct jrec));
	/*
	 * One lock for the whole file: otherwise the traverse locks and
	 * unlocks every chain and record with fcntl, 2 syscalls a node.
	 */
	if (tdb_lockall_read(tdb) != 0) {
		ret = -1;
		goto out;
	}
	if (tdb_traverse_read(tdb, collect, &st) < 0)
		st.bad = true;
	tdb_unlockall_read(tdb);
	if (st.bad || replay_journal(&st) != 0) {
		ret = -1;
		goto out;
	}
	v = (struct loaded *)(void *)st.items->data;
	for (i = 0; i < st.items->len; i++) {
		const char *p = (const char *)st.bytes->data + v[i].off;

		v[i].depth = p[0] == '/' ? path_depth_below("/", p) : 1;
		if (strcmp(p, "/") == 0)
			v[i].depth = 0;
	}
	if (st.items->len > 1) /* v is NULL when there are none */
		qsort(v, st.items->len, sizeof(*v), by_depth_birth);
	if (store_reserve(st.items->len) != 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < st.items->len && ret == 0; i++) {
		if (v[i].removed)
			continue;
		ret = create_loaded((const char *)st.bytes->data + v[i].off,
				    st.bytes->data + v[i].roff, v[i].rlen,
				    v[i].in_db);
		n++;
	}
	if (ret == 0)
		ret = n > 0 ? 1 : 0;
out:
	g_array_free(st.items, TRUE);
	g_array_free(st.journal, TRUE);
	g_byte_array_free(st.bytes, TRUE);
	/* From now on, each turn's small transaction reads with pread. */
	drop_map();
	return ret;
}
