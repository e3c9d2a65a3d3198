/* SPDX-License-Identifier: MIT */
/*
 * Ring cursors: for each guest, where its request ring was given back up
 * to by replies, kept in a file the daemon maps shared, so that a
 * restart after SIGKILL finds it without any write having been made.
 *
 * A read's reply on the ring and req_cons moving past its request are
 * two stores; a daemon killed between them leaves the request on the
 * ring, answered.  The guest's record says which requests its save
 * covered, but reads are answered and given back without a save, and a
 * guest may then write over the requests after it (it owns the space
 * given back): the record alone cannot tell how many were answered
 * since.  The cursor can: before req_cons moves to X, the cursor says
 * "requests up to X are answered, their replies end at response
 * position Y at the latest" in one 64-bit store, which a process dying
 * cannot tear.  A restart then counts whole replies after Y and skips
 * that many requests after X, all of which are still on the ring
 * (ring_save.c).
 *
 * The page cache keeps the stores of a killed process; a power cut
 * loses them, but also every ring.  A tag, also in the guest's record,
 * tells a cursor of this guest's connection from one a previous domain
 * of the same id left.
 */
#ifndef RING_CURSOR_H
#define RING_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "xs_wire.h"

/*
 * Map the cursors' file at path (made if missing).  Until this succeeds
 * every call below does nothing (a daemon that saves nothing needs no
 * cursor).  0, or -1 with errno.
 */
int ring_cursor_open(const char *path);
void ring_cursor_close(void);

/* A tag for a new connection's cursors: never 0. */
uint32_t ring_cursor_new_tag(void);

/*
 * Domain domid's connection with tag has given back requests up to req,
 * their replies on the response ring before rsp.
 */
void ring_cursor_move(unsigned domid, uint32_t tag, XENSTORE_RING_IDX req,
		      XENSTORE_RING_IDX rsp);

/* domid's cursor if its tag is tag; false if none or another's. */
bool ring_cursor_get(unsigned domid, uint32_t tag, XENSTORE_RING_IDX *req,
		     XENSTORE_RING_IDX *rsp);

#endif /* RING_CURSOR_H */
