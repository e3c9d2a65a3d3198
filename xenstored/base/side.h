/* SPDX-License-Identifier: MIT */
/*
 * Side records: small opaque records that layers above the tree keep on
 * disk with the store (a guest's ring and watches: guest_state.c), keyed
 * by name.  A record put in a loop turn is journaled in that turn's
 * journal record, atomically with the turn's changes to the tree, and
 * read back at start before anyone asks for it.  This module only keeps
 * the table; persist/ writes and reads it (db.c, db_load.c).
 */
#ifndef SIDE_H
#define SIDE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Set the record of key to data[0..len), or remove it (data NULL), from
 * this loop turn on.  0, or ENOMEM (the table is as it was).
 */
int side_put(const char *key, const void *data, size_t len);

/* The record of key in *data, *len: 0, ENOENT (none) or ENOMEM. */
int side_get(const char *key, const void **data, size_t *len);

/* Call fn on every record whose key starts with prefix. */
void side_foreach(const char *prefix,
		  void (*fn)(const char *key, const void *data, size_t len,
			     void *arg),
		  void *arg);

/* For persist/: */

/* Whether records were put since side_written(). */
bool side_pending(void);

/*
 * Every record put since side_written() (removed: data NULL), or with
 * all, every record of the table and every removal ever (a fold).
 */
void side_each_put(bool all,
		   void (*fn)(const char *key, const void *data, size_t len,
			      void *arg),
		   void *arg);

/* The records put so far are written. */
void side_written(void);

/* A record read back from the files (data NULL: removed); 0 or ENOMEM. */
int side_load(const char *key, const void *data, size_t len);

/* Forget every record (shutdown, tests). */
void side_clear(void);

#endif /* SIDE_H */
