/* SPDX-License-Identifier: MIT */
/*
 * libxenevtchn for the simulated hypervisor: event channels as Xen's
 * <xenevtchn.h> declares them (same names, types and semantics), so a
 * program written against this header builds against Xen's library too.
 *
 * Contract: functions returning int or a port return -1 and set errno on
 * failure; xenevtchn_open() returns NULL with errno.  A handle owns the
 * ports bound through it: closing it unbinds them.  A handle is not safe
 * to use from two threads at once.  Notifications do not pass through
 * the hypervisor process: each bound port is backed by a pair of eventfds
 * handed over at bind time, and xenevtchn_fd() is an epoll descriptor
 * that is readable while any bound port has a pending event.
 *
 * errno: ENOENT no such domain; EINVAL bad port or port in the wrong
 * state; EPERM the caller may not do this (e.g. bind a port reserved for
 * another domain, or a VIRQ it does not handle); ENOSPC out of ports;
 * ECONNREFUSED/EACCES no hypervisor or not allowed to talk to it.
 */
#ifndef XENSIM_XENEVTCHN_H
#define XENSIM_XENEVTCHN_H

#include <stdint.h>

#include <xen/xen.h>

typedef int xenevtchn_port_or_error_t;
typedef struct xenevtchn_handle xenevtchn_handle;
struct xentoollog_logger;

#define XENEVTCHN_NO_CLOEXEC (1 << 0)

/* Open a handle: NULL with errno if the hypervisor cannot be reached. */
xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
				 unsigned int flags);

/* Close the handle and unbind its ports; 0, or -1 with errno. */
int xenevtchn_close(xenevtchn_handle *xce);

/*
 * The handle whose xenevtchn_fd() was fd, opened with
 * XENEVTCHN_NO_CLOEXEC before an exec: its ports are still bound, and
 * keep their numbers.  flags must be 0.  NULL with errno (EBADF: fd is
 * not such a handle's).
 */
xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
				   unsigned int flags);

/* One pollable descriptor for the whole handle; owned by the handle. */
int xenevtchn_fd(xenevtchn_handle *xce);

/* Signal the remote end of port (a cheap eventfd write); 0 or -1. */
int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port);

/* A new local port that domid may later bind to. */
xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce,
						      uint32_t domid);

/* Connect a new local port to domid's unbound port remote_port. */
xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce,
						     uint32_t domid,
						     evtchn_port_t remote_port);

/* A local port raised by the hypervisor for virq (VIRQ_DOM_EXC). */
xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce,
					      unsigned int virq);

/* Unbind a port of this handle; the remote end becomes unbound. */
int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port);

/*
 * The next port with a pending event (the event is consumed).  Blocks,
 * as Xen's does, until one is pending: call it when xenevtchn_fd() polls
 * readable.
 */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce);

/* Re-enable delivery on port after pending() returned it; 0 or -1. */
int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port);

#endif /* XENSIM_XENEVTCHN_H */
