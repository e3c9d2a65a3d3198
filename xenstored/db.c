/* SPDX-License-Identifier: MIT */
/*
 * The tdb file behind the store (db.h).
 *
 * Keys are node paths; values are NodeRecord messages (record.proto).
 * Changes are collected as paths in a set and written at db_flush, so a
 * node changed ten times in one loop turn is written once.  The file is
 * mmap'd: tdb without mmap spends most of a large load in small preads.
 * Jenkins hashing (TDB_INCOMPATIBLE_HASH) spreads paths that share long
 * prefixes better than tdb's default hash.
 *
 * Loading reads every record into one buffer, sorts by depth and birth
 * (parents first, siblings in creation order) and creates the nodes.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tdb.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "path.h"
#include "record.pb-c.h"
#include "store.h"

#define DB_FORMAT 1
static const char meta_key[] = "\001meta";

static struct tdb_context *tdb;
static char *db_path;
static enum db_sync sync_mode;
static GHashTable *dirty; /* path -> GINT_TO_POINTER(1) */

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

	tdb = tdb_open(path, 131071, flags, oflags, 0600);
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

static int
write_node(const struct node *n)
{
	NodeRecord rec = NODE_RECORD__INIT;
	uint32_t ids[n->nperms], acc[n->nperms];
	uint8_t stackbuf[512], *buf = stackbuf;
	const struct perm *p = node_perms(n);
	TDB_DATA v;
	size_t len;
	unsigned i;
	int ret;

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
	rec.birth = n->birth;
	len = node_record__get_packed_size(&rec);
	if (len > sizeof(stackbuf) && (buf = malloc(len)) == NULL)
		return -1;
	v.dsize = node_record__pack(&rec, buf);
	v.dptr = buf;
	ret = tdb_store(tdb, key_of(n->path), v, TDB_REPLACE);
	if (buf != stackbuf)
		free(buf);
	return ret;
}

static int
write_path(const char *path)
{
	const struct node *n = store_lookup(path);

	if (n)
		return write_node(n);
	if (tdb_delete(tdb, key_of(path)) != 0 &&
	    tdb_error(tdb) != TDB_ERR_NOEXIST)
		return -1;
	return 0;
}

int
db_flush(void)
{
	GHashTableIter it;
	gpointer key;

	if (!db_pending())
		return 0;
	if (tdb_transaction_start(tdb) != 0)
		goto err;
	g_hash_table_iter_init(&it, dirty);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (write_path(key) != 0) {
			tdb_transaction_cancel(tdb);
			goto err;
		}
	if (tdb_transaction_commit(tdb) != 0)
		goto err;
	g_hash_table_remove_all(dirty);
	return 0;
err:
	log_warnx("database %s: write failed: %s", db_path,
		  tdb_errorstr(tdb));
	return -1;
}

/* Loading: every record, then sorted so that parents come first. */
struct loaded {
	size_t off;  /* of the path (NUL-terminated) in the buffer */
	size_t roff; /* of the packed record */
	size_t rlen;
	unsigned depth;
	uint64_t birth;
};

struct load_state {
	GByteArray *bytes;
	GArray *items;
	bool bad;
};

static int
collect(struct tdb_context *t, TDB_DATA k, TDB_DATA v, void *arg)
{
	struct load_state *st = arg;
	struct loaded it;
	NodeRecord *rec;
	static const uint8_t nul = 0;

	(void)t;
	if (k.dsize == sizeof(meta_key) - 1 &&
	    memcmp(k.dptr, meta_key, k.dsize) == 0)
		return 0;
	rec = node_record__unpack(NULL, v.dsize, v.dptr);
	if (rec == NULL || rec->n_perm_id == 0 ||
	    rec->n_perm_id != rec->n_perm_access || k.dsize == 0 ||
	    memchr(k.dptr, 0, k.dsize) != NULL) {
		log_warnx("database %s: damaged record %.*s", db_path,
			  (int)k.dsize, (const char *)k.dptr);
		st->bad = true;
		if (rec)
			node_record__free_unpacked(rec, NULL);
		return -1;
	}
	it.off = st->bytes->len;
	g_byte_array_append(st->bytes, k.dptr, (guint)k.dsize);
	g_byte_array_append(st->bytes, &nul, 1);
	it.roff = st->bytes->len;
	it.rlen = v.dsize;
	g_byte_array_append(st->bytes, v.dptr, (guint)v.dsize);
	it.birth = rec->birth;
	it.depth = 0;
	node_record__free_unpacked(rec, NULL);
	g_array_append_val(st->items, it);
	return 0;
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
create_loaded(const char *path, const uint8_t *data, size_t len)
{
	NodeRecord *rec = node_record__unpack(NULL, len, data);
	struct perm perms[rec ? rec->n_perm_id : 1];
	size_t i;
	int ret = 0;

	if (rec == NULL)
		return -1;
	for (i = 0; i < rec->n_perm_id; i++) {
		perms[i].id = rec->perm_id[i];
		perms[i].access = rec->perm_access[i];
	}
	if (store_load(path, perms, (unsigned)rec->n_perm_id,
		       rec->value.data, (uint32_t)rec->value.len,
		       rec->birth) == NULL) {
		log_warnx("database %s: node %s has no parent", db_path, path);
		ret = -1;
	}
	node_record__free_unpacked(rec, NULL);
	return ret;
}

int
db_load(void)
{
	struct load_state st = { g_byte_array_new(), NULL, false };
	struct loaded *v;
	guint i;
	int ret = 0;

	st.items = g_array_new(FALSE, FALSE, sizeof(struct loaded));
	if (tdb_traverse_read(tdb, collect, &st) < 0 || st.bad) {
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
	if (st.items->len > 0) /* qsort may not be given NULL */
		qsort(v, st.items->len, sizeof(*v), by_depth_birth);
	for (i = 0; i < st.items->len && ret == 0; i++)
		ret = create_loaded((const char *)st.bytes->data + v[i].off,
				    st.bytes->data + v[i].roff, v[i].rlen);
	if (ret == 0)
		ret = st.items->len > 0 ? 1 : 0;
out:
	g_array_free(st.items, TRUE);
	g_byte_array_free(st.bytes, TRUE);
	return ret;
}
