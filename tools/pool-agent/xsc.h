/* SPDX-License-Identifier: MIT */
/*
 * The pool agent's connection to the local xenstored: the wire protocol
 * on the unix socket, driven by the agent's libevent loop, so that the
 * agent never blocks on the daemon (libxenstore's calls block).
 * Requests are answered in order; each gets a callback with the reply.
 * Watch events go to one callback.  If the daemon goes away, every
 * outstanding request is answered with EPIPE and the lost callback runs.
 */
#ifndef XSC_H
#define XSC_H

#include <stddef.h>
#include <stdint.h>

#include "xs_wire.h"

struct event_base;
struct xsc;

/*
 * A reply: err is 0 and (data, len) its payload, or err is the errno of
 * an XS_ERROR reply (or EPIPE: the connection is gone).
 */
typedef void xsc_reply_fn(void *arg, int err, const char *data, size_t len);
typedef void xsc_event_fn(void *arg, const char *path, const char *token);
typedef void xsc_lost_fn(void *arg);

/* Connect to the socket at path; NULL with errno. */
struct xsc *xsc_open(struct event_base *base, const char *path,
		     xsc_event_fn *ev, xsc_lost_fn *lost, void *arg);
void xsc_close(struct xsc *x);

/*
 * Send a request of type with payload (len bytes) in transaction tx_id;
 * fn (may be NULL) gets the reply.  0, or -1 with errno (the payload is
 * over XENSTORE_PAYLOAD_MAX: E2BIG; ENOMEM; EPIPE).
 */
int xsc_send(struct xsc *x, uint32_t type, uint32_t tx_id, const void *payload,
	     size_t len, xsc_reply_fn *fn, void *arg);

/* The same with the strings given, each with its NUL; NULL ends them. */
int xsc_sendv(struct xsc *x, uint32_t type, uint32_t tx_id, xsc_reply_fn *fn,
	      void *arg, ...) __attribute__((sentinel));

/* WRITE path = value (vlen bytes, no NUL added); as xsc_send. */
int xsc_write(struct xsc *x, uint32_t tx_id, const char *path,
	      const void *value, size_t vlen, xsc_reply_fn *fn, void *arg);

/* Requests sent and not answered yet. */
unsigned xsc_outstanding(const struct xsc *x);

#endif /* XSC_H */
