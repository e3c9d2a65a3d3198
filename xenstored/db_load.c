/* SPDX-License-Identifier: MIT */
/*
 * Loading the store back (db_int.h): the node records of the tdb file,
 * then the legacy journal records kept in it, then the journal file's
 * records that the file does not hold yet, applied in order; then the
 * nodes are created parents first, siblings by birth.
 *
 * Every record is copied into one buffer (the tdb file and the journal
 * are mapped, so the copy is cheap and tdb's memory is not held), sorted
 * by depth and birth, and created.
 */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tdb.h>

#include "db_int.h"
#include "journal.h"
#include "log.h"
#include "path.h"
#include "record.pb-c.h"
#include "store.h"

static const char *db_path; /* for messages */

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
	GArray *journal;   /* legacy records */
	GHashTable *index; /* path -> item, once a journal record applies */
	size_t entries;	   /* journal entries applied */
	bool bad;
};

static bool
is_journal_key(TDB_DATA k, uint64_t *seq)
{
	size_t plen = strlen(db_legacy_prefix);
	char digits[24];

	if (k.dsize <= plen || k.dsize - plen >= sizeof(digits) ||
	    memcmp(k.dptr, db_legacy_prefix, plen) != 0)
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
	if (k.dsize == strlen(db_meta_key) &&
	    memcmp(k.dptr, db_meta_key, k.dsize) == 0)
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

/*
 * The index of loaded records by path.  At 1M nodes a copy of every path
 * as key would cost ~70 MB, so a key is the item's number + 1, hashed
 * through its path in the buffer (offsets stay good when the buffer
 * moves); key 0 stands for the path being looked up.
 */
static const struct load_state *hashing;
static const char *probe;

static const char *
key_path(gconstpointer k)
{
	size_t i = GPOINTER_TO_SIZE(k);

	if (i == 0)
		return probe;
	return (const char *)hashing->bytes->data +
	       g_array_index(hashing->items, struct loaded, i - 1).off;
}

static guint
key_hash(gconstpointer k)
{
	return g_str_hash(key_path(k));
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	return strcmp(key_path(a), key_path(b)) == 0;
}

static GHashTable *
index_items(struct load_state *st)
{
	GHashTable *index = g_hash_table_new(key_hash, key_equal);
	guint i;

	hashing = st;
	for (i = 0; i < st->items->len; i++)
		g_hash_table_add(index, GSIZE_TO_POINTER(i + 1));
	return index;
}

/* Apply one journal entry to the loaded records. */
static int
replay_entry(struct load_state *st, GHashTable *index, const JournalEntry *e)
{
	gpointer found;
	struct loaded *it;
	uint64_t birth = 0;

	if (e->path == NULL || e->path[0] == '\0' ||
	    (e->has_record &&
	     record_birth(e->record.data, e->record.len, &birth) != 0))
		return -1;
	probe = e->path;
	if (!g_hash_table_lookup_extended(index, GSIZE_TO_POINTER(0), &found,
					  NULL)) {
		if (!e->has_record)
			return 0;
		add_item(st, e->path, strlen(e->path), e->record.data,
			 e->record.len, birth, false);
		g_hash_table_add(index, GSIZE_TO_POINTER(st->items->len));
		return 0;
	}
	it = &g_array_index(st->items, struct loaded,
			    GPOINTER_TO_SIZE(found) - 1);
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

/* Apply one packed Journal (a turn's changes) to the loaded records. */
static int
apply_journal(struct load_state *st, const uint8_t *data, size_t len)
{
	Journal *j = journal__unpack(NULL, len, data);
	size_t e;
	int ret = 0;

	if (j == NULL)
		return -1;
	if (st->index == NULL)
		st->index = index_items(st);
	for (e = 0; e < j->n_entry && ret == 0; e++)
		ret = replay_entry(st, st->index, j->entry[e]);
	st->entries += j->n_entry;
	journal__free_unpacked(j, NULL);
	return ret;
}

/* Apply the legacy journal records kept in the tdb file, oldest first. */
static int
replay_legacy(struct load_state *st, struct db_loaded *out)
{
	struct jrec *jr;
	guint i;
	int ret = 0;

	if (st->journal->len == 0)
		return 0;
	g_array_sort(st->journal, by_seq);
	for (i = 0; i < st->journal->len && ret == 0; i++) {
		jr = &g_array_index(st->journal, struct jrec, i);
		/* Unpacking copies: the buffer may move as entries apply. */
		ret = apply_journal(st, st->bytes->data + jr->off, jr->len);
	}
	if (ret != 0)
		log_warnx("database %s: damaged journal record", db_path);
	out->legacy_first = g_array_index(st->journal, struct jrec, 0).seq;
	out->legacy_next =
		g_array_index(st->journal, struct jrec, st->journal->len - 1)
			.seq +
		1;
	return ret;
}

static int
replay_file_record(uint64_t seq, const uint8_t *data, size_t len, void *arg)
{
	struct load_state *st = arg;

	if (apply_journal(st, data, len) == 0)
		return 0;
	log_warnx("database %s: journal record %llu is damaged", db_path,
		  (unsigned long long)seq);
	return -1;
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

/* Read the tdb file's records, then the journal's, into st. */
static int
read_records(struct load_state *st, struct tdb_context *tdb,
	     struct journal *j, uint64_t folded, struct db_loaded *out)
{
	/*
	 * One lock for the whole file: otherwise the traverse locks and
	 * unlocks every chain and record with fcntl, 2 syscalls a node.
	 */
	if (tdb_lockall_read(tdb) != 0)
		return -1;
	if (tdb_traverse_read(tdb, collect, st) < 0)
		st->bad = true;
	tdb_unlockall_read(tdb);
	if (st->bad || replay_legacy(st, out) != 0 ||
	    journal_foreach(j, folded, journal_size(j), replay_file_record,
			    st) != 0)
		return -1;
	out->journal_entries = st->entries;
	return 0;
}

int
db_load_all(struct tdb_context **tdbp, struct journal *j, const char *name,
	    uint64_t folded, struct db_loaded *out)
{
	struct tdb_context *tdb = *tdbp;
	struct load_state st = { NULL, NULL, NULL, NULL, 0, false };
	struct loaded *v;
	struct stat sb;
	size_t size = (size_t)journal_size(j);
	guint i, n = 0;
	int ret = 0;

	db_path = name;
	memset(out, 0, sizeof(*out));
	/* Records take less than the files: the buffer seldom moves. */
	if (fstat(tdb_fd(tdb), &sb) == 0)
		size += (size_t)sb.st_size;
	st.bytes = g_byte_array_sized_new(size < G_MAXUINT ? (guint)size : 0);
	st.items = g_array_new(FALSE, FALSE, sizeof(struct loaded));
	st.journal = g_array_new(FALSE, FALSE, sizeof(struct jrec));
	ret = read_records(&st, tdb, j, folded, out);
	/* What was read is in the buffer: give back the map and the index. */
	tdb_close(tdb);
	*tdbp = NULL;
	if (st.index)
		g_hash_table_destroy(st.index);
	if (ret != 0)
		goto out;
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
	return ret;
}
