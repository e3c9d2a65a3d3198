/* SPDX-License-Identifier: MIT */
/*
 * The daemon's door to the hypervisor: event channels, the grant of a
 * guest's ring page, domain state.  The only file that includes Xen's
 * library headers (<xenctrl.h>, <xenevtchn.h>, <xengnttab.h>), so the
 * daemon builds against the simulator's libraries (XEN=sim) and against
 * Xen's own (XEN=system) from the same source.
 */
#ifndef HYP_H
#define HYP_H

#include <stdbool.h>

/*
 * Open the hypervisor interfaces and bind VIRQ_DOM_EXC.  Returns 0, or -1
 * when there is no hypervisor to talk to: the daemon then serves its
 * sockets only, and INTRODUCE fails.
 */
int hyp_open(void);

/*
 * After a live update: take over the event channel handle whose
 * descriptor fd the old binary left open (its guests' ports are still
 * bound on it), open the rest and bind VIRQ_DOM_EXC again.  0, or -1
 * with the handle left open and bound as it was, for the old binary to
 * take back (lu_restore.c).
 */
int hyp_adopt(int fd);

/*
 * Before exec'ing a new binary: unbind VIRQ_DOM_EXC (the new one binds
 * it), leaving every other port bound on the handle, whose descriptor
 * (returned; -1 without a hypervisor) survives exec.
 */
int hyp_exec_prepare(void);

/* The exec failed: bind VIRQ_DOM_EXC again.  0 or -1. */
int hyp_exec_failed(void);

/* True once hyp_open succeeded. */
bool hyp_available(void);

/* The pollable descriptor of the event channels. */
int hyp_fd(void);

/*
 * Map domid's xenstore ring page (grant reference 1).  Returns the page,
 * or NULL with errno.
 */
void *hyp_map_ring(unsigned domid);

/* Unmap a page hyp_map_ring returned. */
void hyp_unmap_ring(void *page);

/* Bind to remote_port of domid; returns our local port or -1 (errno). */
int hyp_bind(unsigned domid, unsigned remote_port);

/*
 * The other end of our port, which must be bound to domid (ENOENT if
 * not): the guest's end, for a record of a channel kept across exec
 * from a daemon that did not say it.  -1 with errno.
 */
int hyp_remote_port(unsigned domid, unsigned port);

void hyp_unbind(unsigned port);
void hyp_notify(unsigned port);

/*
 * The next port that fired, unmasked again, or -1 if none has (it does
 * not block).  The VIRQ_DOM_EXC port is hyp_virq_port().
 */
int hyp_pending(void);
int hyp_virq_port(void);

enum hyp_domain_state {
	HYP_DOMAIN_RUNNING,
	HYP_DOMAIN_SHUTDOWN, /* shut down, not yet dead */
	HYP_DOMAIN_DEAD,     /* dying, or no longer there */
};

/* What the hypervisor says of domid now. */
enum hyp_domain_state hyp_domain_state(unsigned domid);

/*
 * Ask the hypervisor for up to kb KiB more of the daemon's own domain
 * (XENMEM_increase_reservation).  KiB granted (the limit of the process
 * is then raised), or -1: at its maximum, no hypervisor, or refused.
 */
long hyp_grow(unsigned long kb);

/* Close everything (shutdown). */
void hyp_close(void);

#endif /* HYP_H */
