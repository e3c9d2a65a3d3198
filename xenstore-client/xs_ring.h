/* SPDX-License-Identifier: MIT */
/*
 * The shared-ring transport of libxenstore: a guest's connection to the
 * daemon through its xenstore page (struct xenstore_domain_interface) and
 * one event channel, as a guest kernel's xenbus driver has it.  The bytes
 * move with transport/ring.c (client side); this file adds the blocking,
 * the notifications and the error field, and hands the result to the
 * request engine (xs_handle.c) as an ordinary struct xs_transport, so
 * every libxenstore call works over the ring.
 *
 * The library does not link any hypervisor library: the caller (the
 * simulated guest kernel, tools/guest/) maps the page and owns the event
 * channel, and lends both through struct xs_ring_evtchn.  Not installed,
 * not exported from the shared library: link the static archive.
 */
#ifndef XS_RING_H
#define XS_RING_H

#include "xs_wire.h" /* before xenstore.h, which then defers to it */
#include "xenstore.h"

/*
 * The caller's event channel to the daemon.  The transport serialises
 * the calls of each operation (two notifies, or two acks, never run at
 * once), but a notify may run while another thread acks: a xenevtchn
 * handle's notify and pending (an ioctl and a read on Linux) may.
 */
struct xs_ring_evtchn {
	void *arg;
	/* Notify the daemon; 0, or -1 with errno. */
	int (*notify)(void *arg);
	/* A descriptor that polls readable while an event is pending. */
	int (*fd)(void *arg);
	/*
	 * Consume every pending event without blocking (and re-enable
	 * delivery); the number consumed, or -1 with errno.
	 */
	int (*ack)(void *arg);
};

/*
 * Open a libxenstore handle over the ring page intf (mapped read-write,
 * connected: the daemon was told of it by INTRODUCE) and the event
 * channel ev (copied; ev->arg must outlive the handle).  flags as for
 * xs_open().  Close with xs_close(); page and channel stay the caller's.
 * Once the daemon reports an error in the page (XENSTORE_ERROR_*), or the
 * page's indexes are broken, the handle is dead (EBADF).  Returns NULL
 * with errno on failure.
 */
struct xs_handle *xs_ring_open(struct xenstore_domain_interface *intf,
			       const struct xs_ring_evtchn *ev,
			       unsigned long flags);

#endif /* XS_RING_H */
