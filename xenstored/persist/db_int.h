/* SPDX-License-Identifier: MIT */
/*
 * What db.c (the file, the journal, folding) and db_load.c (reading the
 * store back) share.  Nothing outside these two files includes it.
 */
#ifndef DB_INT_H
#define DB_INT_H

#include <stddef.h>
#include <stdint.h>

struct journal;
struct node;
struct tdb_context;

/* The tdb key of the DbMeta record; not a valid path. */
extern const char db_meta_key[];
/*
 * Keys "\002journal/<n>": a turn's changes as the daemon wrote them into
 * the tdb file itself before the journal had a file of its own.  Such
 * records are read at load and folded away by the first fold.
 */
extern const char db_legacy_prefix[];
/* Keys "\003<key>": the side records (side.h) a fold wrote. */
extern const char db_side_prefix[];

/* What the load found that the folding needs to know. */
struct db_loaded {
	uint64_t legacy_first, legacy_next; /* legacy records [first, next) */
	size_t journal_entries;		    /* entries in the journal file */
	size_t leftovers; /* records of nodes a removal left, not loaded */
};

/*
 * Load the node records of *tdbp, then the legacy journal records, then
 * the records of the journal file numbered above folded, into the empty
 * store; the tdb file is closed (*tdbp = NULL) as soon as it is read, so
 * that its map is gone before the store grows.  name is the database's,
 * for messages.  Returns 1 if there was a tree, 0 if none, -1 if a record
 * is damaged (logged).
 */
int db_load_all(struct tdb_context **tdbp, struct journal *j, const char *name,
		uint64_t folded, struct db_loaded *out);

/* The packed NodeRecord of n, malloc'd; NULL on ENOMEM. */
uint8_t *db_pack_node(const struct node *n, size_t *len);

#endif /* DB_INT_H */
