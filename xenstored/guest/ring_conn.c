/* SPDX-License-Identifier: MIT */
/*
 * The ring transport (ring_conn.h): a guest's connection moves bytes
 * through its xenstore page with transport/ring.c, which validates the
 * guest's indexes on every call, and notifies through the domain's event
 * channel.  A guest that breaks the indexes or the framing gets the page's
 * error field set (feature bit 2) before its connection closes.  Which
 * domain a connection serves is guest.c's business: here it is only the
 * connection's transport_data.
 */
#include <errno.h>
#include <sys/types.h>

#include "conn.h"
#include "domain.h"
#include "hyp.h"
#include "ring.h"
#include "ring_conn.h"

/*
 * Flag the page and tell the guest: a guest waiting for a reply would
 * otherwise never look at the field (Xen sets it without notifying).
 */
static void
set_error(struct domain *d, uint32_t error)
{
	if (d->intf && (d->features & XENSTORE_SERVER_FEATURE_ERROR)) {
		d->intf->error = error;
		if (d->port >= 0)
			hyp_notify((unsigned)d->port);
	}
}

static ssize_t
ring_conn_read(struct conn *c, void *buf, size_t len)
{
	struct domain *d = c->transport_data;
	ssize_t n = ring_read(d->intf, RING_SERVER, buf, len);

	if (n < 0) {
		set_error(d, XENSTORE_ERROR_RINGIDX);
		errno = EPROTO;
		return -1;
	}
	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	hyp_notify((unsigned)d->port);
	return n;
}

static ssize_t
ring_conn_writev(struct conn *c, const struct iovec *iov, int iovcnt)
{
	struct domain *d = c->transport_data;
	ssize_t total = 0, n;
	int i;

	for (i = 0; i < iovcnt; i++) {
		n = ring_write(d->intf, RING_SERVER, iov[i].iov_base,
			       iov[i].iov_len);
		if (n < 0) {
			set_error(d, XENSTORE_ERROR_RINGIDX);
			errno = EPROTO;
			return -1;
		}
		total += n;
		if ((size_t)n < iov[i].iov_len)
			break;
	}
	if (total == 0) {
		errno = EAGAIN;
		return -1;
	}
	hyp_notify((unsigned)d->port);
	return total;
}

/* The guest broke the framing: say so in its page (error 3). */
static void
ring_conn_violated(struct conn *c)
{
	set_error(c->transport_data, XENSTORE_ERROR_PROTO);
}

/* Its domain lives on without a connection, until it dies. */
static void
ring_conn_closed(struct conn *c, const char *reason)
{
	struct domain *d = c->transport_data;

	(void)reason;
	if (d->conn == c)
		d->conn = NULL;
}

const struct conn_transport ring_conn_transport = {
	.name = "ring",
	.read = ring_conn_read,
	.writev = ring_conn_writev,
	.violated = ring_conn_violated,
	.closed = ring_conn_closed,
};
