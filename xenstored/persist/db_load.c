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
 *
 * This runs once, at start-up, where running out of memory may stop the
 * daemon: the buffer, the arrays and the index below are plain growable
 * malloc'd blocks (an index slot is 8 bytes; a node-per-entry tree would
 * cost 40 bytes and an allocation per record at 1M nodes), and every
 * growth is checked and fails the load.
 */
#include <errno.h>
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
#include "side.h"
#include "store.h"
#include "xs_wire.h"

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

/* A growable array of elements of size bytes each. */
struct array {
	void *data;
	size_t len, cap, size;
};

/*
 * Loaded records by path, once a journal record applies: open addressing,
 * a slot holds an item's number + 1, or 0 if free.
 */
struct index {
	size_t *slots;
	size_t mask, used;
};

struct load_state {
	struct array bytes;   /* of uint8_t */
	struct array items;   /* of struct loaded */
	struct array journal; /* of struct jrec: legacy records */
	struct index index;
	size_t entries; /* journal entries applied */
	bool bad;
};

/* Room for n more elements in a; 0 or -1 (ENOMEM). */
static int
array_reserve(struct array *a, size_t n)
{
	size_t cap = a->cap ? a->cap : 64;
	void *grown;

	if (n <= a->cap - a->len)
		return 0;
	while (cap - a->len < n) {
		if (cap > SIZE_MAX / 2 / a->size)
			goto nomem;
		cap *= 2;
	}
	if ((grown = realloc(a->data, cap * a->size)) == NULL)
		goto nomem;
	a->data = grown;
	a->cap = cap;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

/* Append n elements at p to a; 0 or -1 (ENOMEM). */
static int
array_append(struct array *a, const void *p, size_t n)
{
	if (array_reserve(a, n) != 0)
		return -1;
	if (n)
		memcpy((char *)a->data + a->len * a->size, p, n * a->size);
	a->len += n;
	return 0;
}

static struct loaded *
item(const struct load_state *st, size_t i)
{
	return (struct loaded *)st->items.data + i;
}

static const char *
item_path(const struct load_state *st, size_t i)
{
	return (const char *)st->bytes.data + item(st, i)->off;
}

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

/* 0, or -1 (ENOMEM) with st->bad set. */
static int
add_item(struct load_state *st, const void *path, size_t plen, const void *rec,
	 size_t rlen, uint64_t birth, bool in_db)
{
	static const uint8_t nul = 0;
	struct loaded it = {0};

	it.in_db = in_db;
	it.off = st->bytes.len;
	it.roff = it.off + plen + 1;
	it.rlen = rlen;
	it.birth = birth;
	if (array_reserve(&st->bytes, plen + 1 + rlen) != 0 ||
	    array_append(&st->bytes, path, plen) != 0 ||
	    array_append(&st->bytes, &nul, 1) != 0 ||
	    array_append(&st->bytes, rec, rlen) != 0 ||
	    array_append(&st->items, &it, 1) != 0) {
		log_warnx("database %s: out of memory loading", db_path);
		st->bad = true;
		return -1;
	}
	return 0;
}

/* A side record (side.h) a fold wrote; its key without the prefix. */
static int
load_side(struct load_state *st, TDB_DATA k, TDB_DATA v)
{
	char key[256];

	if (k.dsize >= sizeof(key) || memchr(k.dptr, 0, k.dsize) != NULL) {
		log_warnx("database %s: damaged side record", db_path);
		st->bad = true;
		return -1;
	}
	memcpy(key, k.dptr + 1, k.dsize - 1);
	key[k.dsize - 1] = '\0';
	if (side_load(key, v.dptr, v.dsize) != 0) {
		log_warnx("database %s: out of memory loading", db_path);
		st->bad = true;
		return -1;
	}
	return 0;
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
	if (k.dsize > 1 && k.dptr[0] == (unsigned char)db_side_prefix[0])
		return load_side(st, k, v);
	if (is_journal_key(k, &jr.seq)) {
		jr.off = st->bytes.len;
		jr.len = v.dsize;
		if (array_append(&st->bytes, v.dptr, v.dsize) != 0 ||
		    array_append(&st->journal, &jr, 1) != 0) {
			log_warnx("database %s: out of memory loading",
				  db_path);
			st->bad = true;
			return -1;
		}
		return 0;
	}
	if (k.dsize == 0 || memchr(k.dptr, 0, k.dsize) != NULL ||
	    record_birth(v.dptr, v.dsize, &birth) != 0) {
		log_warnx("database %s: damaged record %.*s", db_path,
			  (int)k.dsize, (const char *)k.dptr);
		st->bad = true;
		return -1;
	}
	return add_item(st, k.dptr, k.dsize, v.dptr, v.dsize, birth, true);
}

static int
by_seq(const void *a, const void *b)
{
	const struct jrec *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* FNV-1a: the paths are short and the table is built once. */
static size_t
hash_path(const char *p)
{
	uint64_t h = 14695981039346656037ULL;

	while (*p)
		h = (h ^ (uint8_t)*p++) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot of path in the index: its item's, or the free one to use. */
static size_t *
index_slot(const struct load_state *st, const char *path)
{
	const struct index *x = &st->index;
	size_t i = hash_path(path) & x->mask;

	while (x->slots[i] != 0 &&
	       strcmp(item_path(st, x->slots[i] - 1), path) != 0)
		i = (i + 1) & x->mask;
	return &x->slots[i];
}

/* Room for n entries, half full at most so probes stay short; 0 or -1. */
static int
index_reserve(struct load_state *st, size_t n)
{
	struct index *x = &st->index, old = *x;
	size_t cap = 1024, k;

	if (x->slots != NULL && n * 2 <= x->mask + 1)
		return 0;
	while (cap < n * 2)
		cap *= 2;
	if ((x->slots = calloc(cap, sizeof(*x->slots))) == NULL) {
		*x = old;
		errno = ENOMEM;
		return -1;
	}
	x->mask = cap - 1;
	for (k = 0; old.slots && k <= old.mask; k++)
		if (old.slots[k] != 0)
			*index_slot(st, item_path(st, old.slots[k] - 1)) =
				old.slots[k];
	free(old.slots);
	return 0;
}

/* Index item i (its path is not indexed yet); 0 or -1 (ENOMEM). */
static int
index_add(struct load_state *st, size_t i)
{
	if (index_reserve(st, st->index.used + 1) != 0)
		return -1;
	*index_slot(st, item_path(st, i)) = i + 1;
	st->index.used++;
	return 0;
}

static int
index_items(struct load_state *st)
{
	size_t i;

	if (index_reserve(st, st->items.len) != 0)
		return -1;
	for (i = 0; i < st->items.len; i++)
		if (index_add(st, i) != 0)
			return -1;
	return 0;
}

/* Apply one journal entry to the loaded records. */
static int
replay_entry(struct load_state *st, const JournalEntry *e)
{
	struct loaded *it;
	uint64_t birth = 0;
	size_t found;

	if (e->path == NULL || e->path[0] == '\0' ||
	    (e->has_record &&
	     record_birth(e->record.data, e->record.len, &birth) != 0))
		return -1;
	found = *index_slot(st, e->path);
	if (found == 0) {
		if (!e->has_record)
			return 0;
		if (add_item(st, e->path, strlen(e->path), e->record.data,
			     e->record.len, birth, false) != 0)
			return -1;
		return index_add(st, st->items.len - 1);
	}
	if (e->has_record &&
	    array_append(&st->bytes, e->record.data, e->record.len) != 0)
		return -1;
	it = item(st, found - 1);
	it->removed = !e->has_record;
	if (e->has_record) {
		it->roff = st->bytes.len - e->record.len;
		it->rlen = e->record.len;
		it->birth = birth;
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
	if (st->index.slots == NULL)
		ret = index_items(st);
	for (e = 0; e < j->n_entry && ret == 0; e++)
		ret = replay_entry(st, j->entry[e]);
	for (e = 0; e < j->n_side && ret == 0; e++)
		if (j->side[e]->path == NULL ||
		    side_load(j->side[e]->path,
			      j->side[e]->has_record ? j->side[e]->record.data
						     : NULL,
			      j->side[e]->record.len) != 0)
			ret = -1;
	st->entries += j->n_entry;
	journal__free_unpacked(j, NULL);
	return ret;
}

/* Apply the legacy journal records kept in the tdb file, oldest first. */
static int
replay_legacy(struct load_state *st, struct db_loaded *out)
{
	struct jrec *jr = st->journal.data;
	size_t i, n = st->journal.len;
	int ret = 0;

	if (n == 0)
		return 0;
	qsort(jr, n, sizeof(*jr), by_seq);
	for (i = 0; i < n && ret == 0; i++)
		/* Unpacking copies: the buffer may move as entries apply. */
		ret = apply_journal(st,
				    (const uint8_t *)st->bytes.data + jr[i].off,
				    jr[i].len);
	if (ret != 0)
		log_warnx("database %s: damaged journal record", db_path);
	out->legacy_first = jr[0].seq;
	out->legacy_next = jr[n - 1].seq + 1;
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

/*
 * True if path's record is left over from a removal the daemon did not
 * finish (store.c frees a large subtree in steps, after journalling its
 * top): its parent is missing, or was created after it, so this node
 * belonged to an earlier node of that path.
 */
static bool
is_leftover(const char *path, uint64_t birth)
{
	char ppath[XENSTORE_PAYLOAD_MAX + 1];
	size_t plen;
	struct node *parent;

	if (path[0] != '/' || path[1] == '\0')
		return false; /* "/" and the special nodes have no parent */
	plen = path_parent_len(path);
	if (plen >= sizeof(ppath))
		return false;
	memcpy(ppath, path, plen);
	ppath[plen] = '\0';
	parent = store_lookup(ppath);
	return parent == NULL || node_birth(parent) > birth;
}

/* Create path's node from its record: 0, 1 if left over (not made), -1. */
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
	if (is_leftover(path, rec->birth)) {
		ret = 1;
	} else if ((n = store_load(path, perms, (unsigned)rec->n_perm_id,
				   rec->value.data, (uint32_t)rec->value.len,
				   rec->birth)) == NULL) {
		log_warnx("database %s: cannot create node %s", db_path, path);
		ret = -1;
	} else {
		n->in_db = in_db;
	}
	node_record__free_unpacked(rec, NULL);
	return ret;
}

/* Read the tdb file's records, then the journal's, into st. */
static int
read_records(struct load_state *st, struct tdb_context *tdb, struct journal *j,
	     uint64_t folded, struct db_loaded *out)
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
	struct load_state st = {{NULL, 0, 0, 1},
				{NULL, 0, 0, sizeof(struct loaded)},
				{NULL, 0, 0, sizeof(struct jrec)},
				{NULL, 0, 0},
				0,
				false};
	struct loaded *v;
	struct stat sb;
	size_t size = (size_t)journal_size(j), i, n = 0;
	int ret = 0;

	db_path = name;
	memset(out, 0, sizeof(*out));
	/* Records take less than the files: the buffer seldom moves. */
	if (fstat(tdb_fd(tdb), &sb) == 0)
		size += (size_t)sb.st_size;
	ret = array_reserve(&st.bytes, size);
	if (ret == 0)
		ret = read_records(&st, tdb, j, folded, out);
	/* What was read is in the buffer: give back the map and the index. */
	tdb_close(tdb);
	*tdbp = NULL;
	free(st.index.slots);
	if (ret != 0)
		goto out;
	v = st.items.data;
	for (i = 0; i < st.items.len; i++) {
		const char *p = (const char *)st.bytes.data + v[i].off;

		v[i].depth = p[0] == '/' ? path_depth_below("/", p) : 1;
		if (strcmp(p, "/") == 0)
			v[i].depth = 0;
	}
	if (st.items.len > 1) /* v is NULL when there are none */
		qsort(v, st.items.len, sizeof(*v), by_depth_birth);
	if (store_reserve(st.items.len) != 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < st.items.len && ret >= 0; i++) {
		if (v[i].removed)
			continue;
		ret = create_loaded((const char *)st.bytes.data + v[i].off,
				    (const uint8_t *)st.bytes.data + v[i].roff,
				    v[i].rlen, v[i].in_db);
		if (ret == 1)
			out->leftovers++;
		else
			n++;
	}
	if (ret >= 0)
		ret = n > 0 ? 1 : 0;
out:
	free(st.items.data);
	free(st.journal.data);
	free(st.bytes.data);
	return ret;
}
