/* SPDX-License-Identifier: MIT */
/*
 * The unix sockets dom0's tools connect to (socket and socket_ro): their
 * listeners, and the transport of the connections they accept.  Every
 * such connection is the privileged domain; one accepted on a read-only
 * listener may not change anything.
 */
#ifndef SOCK_H
#define SOCK_H

#include <stdbool.h>

struct event_base;

/*
 * Listen on path (mode 0600) and serve whoever connects as domain
 * priv_domid.  0, or -1 with errno (logged).
 */
int sock_listen(struct event_base *base, const char *path, bool readonly,
		unsigned priv_domid);

#endif /* SOCK_H */
