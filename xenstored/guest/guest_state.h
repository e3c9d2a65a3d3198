/* SPDX-License-Identifier: MIT */
/*
 * What a guest's connection leaves on disk, so that a daemon restarted
 * after a crash picks every guest up where it was: the side record
 * "guest/<domid>" (a GuestRecord, record.proto), saved in the journal
 * record of each loop turn in which the guest's state changed, together
 * with that turn's changes to the tree; and one "watch/<domid>/..."
 * per watch (a GuestWatch, watch_rec.h), put with its WATCH.
 */
#ifndef GUEST_STATE_H
#define GUEST_STATE_H

#include <stddef.h>

/*
 * Before the turn's journal record is written: put the record of every
 * guest whose state changed (introduced, a request that changed the
 * store or its watches).  Its watches, its ring positions and the output
 * queued for it go in whole.
 */
void guest_state_save(void);

/* The turn's journal record is written: give back the saved requests. */
void guest_state_saved(void);

/*
 * A guest's watch was added or removed, or all of them (RESET_WATCHES):
 * its record "watch/<domid>/..." goes with the turn.  Nothing for other
 * connections.  (Not for watches a closing connection drops: those are
 * kept for a restart.)
 */
struct conn;
void guest_state_watch_added(struct conn *c, const char *path, size_t strip,
			     const char *token, int depth);
void guest_state_watch_removed(struct conn *c, const char *path,
			       const char *token);
void guest_state_watches_reset(struct conn *c);

/* domid is released or dead: its records go (with this turn). */
void guest_state_forget(unsigned domid);

/*
 * At start, after the store is loaded and the hypervisor opened: attach
 * every guest a record names again, skip on its ring what the record
 * holds, queue the output it still owes, register its watches again
 * (each fires once) and continue its transaction ids; a guest that died
 * meanwhile is torn down as a dead one is.
 */
void guest_state_restore(void);

#endif /* GUEST_STATE_H */
