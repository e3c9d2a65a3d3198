/* SPDX-License-Identifier: MIT */
/*
 * A guest's watches on disk: one side record (a GuestWatch) per watch,
 * put with its WATCH and removed with its UNWATCH, so that a guest's
 * many watches cost nothing at each save.
 */
#ifndef WATCH_REC_H
#define WATCH_REC_H

#include <stddef.h>
#include <stdint.h>

/* The prefix of domid's watch records: "watch/<domid>/". */
#define WATCH_REC_PREFIX "watch/"

/* Save domid's watch on path (token, depth, strip): 0 or ENOMEM. */
int watch_rec_put(unsigned domid, const char *path, size_t strip,
		  const char *token, int depth);

/* Remove domid's watch on path with token, if saved: 0 or ENOMEM. */
int watch_rec_drop(unsigned domid, const char *path, const char *token);

/* The hash that keys a record; tests set one that collides. */
extern uint64_t (*watch_rec_hash)(const char *path, const char *token);

#endif /* WATCH_REC_H */
