/* SPDX-License-Identifier: MIT */
/*
 * dom0's side of xsim-xenbus set up (host.c): dom0's ring granted to the
 * xenstore domain and its ports, the clients' socket, the files that
 * tell xsim the port and that the ring is up.  Failures are fatal: they
 * happen at start only.
 */
#ifndef HOST_H
#define HOST_H

#include <stdint.h>

#include <event2/listener.h>
#include <xenctrl.h>
#include <xenevtchn.h>

#include "xs_wire.h"

struct xenbus_host {
	xc_interface *xch;
	xenevtchn_handle *xce;
	struct xenstore_domain_interface *intf; /* dom0's ring, zeroed */
	int ring_port;				/* for the xenstore domain */
	int virq_port;				/* VIRQ_DOM_EXC */
};

/* What Linux's IOCTL_XENBUS_BACKEND_SETUP does for domain stub_domid. */
void host_setup(struct xenbus_host *h, uint32_t stub_domid);
/* A unix socket at path (replaced), served by cb. */
struct evconnlistener *host_listen(struct event_base *base, const char *path,
				   evconnlistener_cb cb);
/* path holding text, whole or not at all; 0 or -1. */
int host_write_file(const char *path, const char *text);

#endif /* HOST_H */
