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

/*
 * Serve fd, a listening socket inherited across a live update's exec, as
 * sock_listen would serve path.  0, or -1 with errno (logged).
 */
int sock_adopt_listener(struct event_base *base, int fd, bool readonly,
			unsigned priv_domid);

/* The listening descriptor (read-only or not), or -1 if none. */
int sock_listener_fd(bool readonly);

/*
 * A client's socket fd, accepted before a restart or a live update's
 * exec, served again as domain priv_domid.  Returns the connection, or
 * NULL with errno.
 */
struct conn *sock_adopt_conn(int fd, bool readonly, unsigned priv_domid);

/* Whether c is a socket connection (not a guest's ring). */
bool sock_is_conn(const struct conn *c);

#endif /* SOCK_H */
