/* SPDX-License-Identifier: MIT */
/*
 * Event channel ports of the simulated hypervisor: allocation, binding
 * (unbound / interdomain / virq), attachment to a handle's channel, and
 * closing.  The hypervisor only sets up eventfds; notifications flow
 * between processes without it, except VIRQs, which it raises itself.
 * Functions return 0 or a positive errno.
 */
#ifndef XSIM_EVTCHN_H
#define XSIM_EVTCHN_H

#include <stdint.h>

#include "domain.h"

struct channel;

/*
 * A new unbound port of d that domain remote may bind to; owner is the
 * handle channel it is attached to (NULL: attach later).
 */
int evtchn_alloc_unbound(struct domain *d, uint32_t remote,
			 struct channel *owner, uint32_t *port);

/*
 * A new port of d connected to remote port rport of domain r, which must
 * be unbound and reserved for d (EPERM otherwise, EINVAL if not unbound).
 */
int evtchn_bind_interdomain(struct domain *d, struct domain *r, uint32_t rport,
			    struct channel *owner, uint32_t *port);

/* A new port of d raised for virq (VIRQ_DOM_EXC only). */
int evtchn_bind_virq(struct domain *d, uint32_t virq, struct channel *owner,
		     uint32_t *port);

/* Attach d's unattached port to owner; EBUSY if attached already. */
int evtchn_attach(struct domain *d, uint32_t port, struct channel *owner);

/* Close port of d; its remote end becomes unbound. */
void evtchn_close(struct domain *d, uint32_t port);

/* Close every port of d attached to owner (the handle went away). */
void evtchn_release(struct domain *d, const struct channel *owner);

/* Close every port of d (the domain died or is destroyed). */
void evtchn_close_all(struct domain *d);

/*
 * New descriptors for port's in and (if it has one) out eventfds: the
 * caller owns them.  Returns how many (1 or 2), or -errno.
 */
int evtchn_fds(struct domain *d, uint32_t port, int fds[2]);

/* Raise virq in every port bound to it. */
void evtchn_raise_virq(uint32_t virq);

#endif /* XSIM_EVTCHN_H */
