/* SPDX-License-Identifier: MIT */
/*
 * What conn.c (input, dispatch, the flush point) and conn_out.c (the
 * output queue) share; private to the two.
 */
#ifndef CONN_INT_H
#define CONN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* conn.c */

/* c has output to write at the flush point. */
void conn_mark_dirty(struct conn *c);
/* Whether c may take a watch event of len bytes more (conn_hooks). */
bool conn_event_fits(struct conn *c, size_t len);
/* A watch event was queued: it counts against the turn (TURN_EVENTS). */
void conn_count_event(void);

/* conn_out.c */

/* Queue a message: hdr, then a (alen bytes) and b (blen bytes). */
void conn_queue_msg(struct conn *c, const struct xsd_sockmsg *hdr,
		    const void *a, size_t alen, const void *b, size_t blen);
/* Write c's output, up to a held reply, as far as its transport takes. */
void conn_write_out(struct conn *c);
/*
 * Queue output handed back (a live update's stream), cut into messages
 * again; the first resp_len bytes are a reply's rest.  0 or ENOMEM.
 */
int conn_restore_output(struct conn *c, const uint8_t *out, size_t len,
			size_t resp_len);

#endif /* CONN_INT_H */
