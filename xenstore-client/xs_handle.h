/* SPDX-License-Identifier: MIT */
/*
 * The request engine of libxenstore: one struct xs_handle per connection,
 * sending one request at a time and matching its reply, queueing watch
 * events, and (after the first watch) the reader thread that owns the
 * connection's input.  The API calls of xs_calls.c are thin wrappers
 * around xs_talk().  Internal to the library.
 */
#ifndef XS_HANDLE_H
#define XS_HANDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenstore.h"
#include "xs_transport.h"

/* One piece of a request's payload. */
struct xs_iov {
	const void *base;
	size_t len;
};

/*
 * Send a request of type with tx_id t and payload iov[0..n) and wait for
 * its reply.  Returns the reply's payload, malloc()ed, with a NUL added
 * after it, and its length (without the NUL) in *len if len is not NULL;
 * or NULL with errno: the daemon's error, E2BIG if the payload is over
 * XENSTORE_PAYLOAD_MAX, EBADF once the connection is lost.
 */
char *xs_talk(struct xs_handle *h, uint32_t type, xs_transaction_t t,
	      const struct xs_iov *iov, unsigned n, unsigned int *len);

/*
 * A handle over an open transport, for xs_open() and for transports
 * opened elsewhere (the shared ring, xs_ring.c).  Takes tp: it is closed
 * with the handle, or at once if this fails.  flags as for xs_open().
 * Returns the handle, or NULL with errno.
 */
struct xs_handle *xs_handle_open(struct xs_transport *tp, unsigned long flags);

/*
 * Make sure the reader thread runs (before the first WATCH is sent).
 * Returns 0, or -1 with errno.
 */
int xs_handle_start_reader(struct xs_handle *h);

/* The per-handle cache of xs_get_features_supported(). */
bool xs_handle_features(struct xs_handle *h, unsigned int *features);
void xs_handle_set_features(struct xs_handle *h, unsigned int features);

#endif /* XS_HANDLE_H */
