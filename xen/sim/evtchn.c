/* SPDX-License-Identifier: MIT */
/*
 * Event channel ports (evtchn.h).  Owns the port state machine
 *
 *   FREE -> UNBOUND (alloc / bind_unbound) -> INTERDOMAIN (peer binds)
 *   FREE -> INTERDOMAIN (bind_interdomain)       FREE -> VIRQ (bind_virq)
 *   close: the port goes FREE, an INTERDOMAIN peer goes back to UNBOUND
 *
 * and the eventfds behind it.  An unbound port gets two fresh eventfds,
 * in and out; whoever binds to it takes them crosswise (its in is the
 * port's out), so both processes can signal each other directly.  When
 * one end closes, the other keeps its pair: a later binder takes it
 * crosswise again.  Nothing here ever writes an interdomain eventfd.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "domain.h"
#include "evtchn.h"
#include "xen/xen.h"

/* Lowest free port of d (port 0 is never used, as in Xen), or 0. */
static uint32_t
free_port(struct domain *d)
{
	uint32_t p;

	for (p = 1; p < XSIM_NR_PORTS; p++)
		if (d->ports[p].state == PORT_FREE)
			return p;
	return 0;
}

static int
new_eventfd(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int
evtchn_alloc_unbound(struct domain *d, uint32_t remote, struct channel *owner,
		     uint32_t *port)
{
	uint32_t p = free_port(d);
	struct port *pt;

	if (p == 0)
		return ENOSPC;
	pt = &d->ports[p];
	pt->in = new_eventfd();
	pt->out = new_eventfd();
	if (pt->in < 0 || pt->out < 0) {
		close_fd(&pt->in);
		close_fd(&pt->out);
		return EMFILE;
	}
	pt->state = PORT_UNBOUND;
	pt->remote_dom = remote;
	pt->remote_port = 0;
	pt->owner = owner;
	*port = p;
	return 0;
}

int
evtchn_bind_interdomain(struct domain *d, struct domain *r, uint32_t rport,
			struct channel *owner, uint32_t *port)
{
	struct port *rp, *pt;
	uint32_t p;

	if (rport == 0 || rport >= XSIM_NR_PORTS)
		return EINVAL;
	rp = &r->ports[rport];
	if (rp->state != PORT_UNBOUND)
		return EINVAL;
	if (rp->remote_dom != d->domid)
		return EPERM;
	p = free_port(d);
	if (p == 0)
		return ENOSPC;
	pt = &d->ports[p];
	pt->in = fcntl(rp->out, F_DUPFD_CLOEXEC, 0);
	pt->out = fcntl(rp->in, F_DUPFD_CLOEXEC, 0);
	if (pt->in < 0 || pt->out < 0) {
		close_fd(&pt->in);
		close_fd(&pt->out);
		return EMFILE;
	}
	pt->state = PORT_INTERDOMAIN;
	pt->remote_dom = r->domid;
	pt->remote_port = rport;
	pt->owner = owner;
	rp->state = PORT_INTERDOMAIN;
	rp->remote_port = p;
	*port = p;
	return 0;
}

int
evtchn_bind_virq(struct domain *d, uint32_t virq, struct channel *owner,
		 uint32_t *port)
{
	uint32_t p;
	struct port *pt;

	if (virq != VIRQ_DOM_EXC)
		return EINVAL;
	if (d->domid != 0 && d->domid != domain_exc_handler)
		return EPERM;
	p = free_port(d);
	if (p == 0)
		return ENOSPC;
	pt = &d->ports[p];
	pt->in = new_eventfd();
	if (pt->in < 0)
		return EMFILE;
	pt->out = -1;
	pt->state = PORT_VIRQ;
	pt->virq = virq;
	pt->owner = owner;
	*port = p;
	return 0;
}

int
evtchn_attach(struct domain *d, uint32_t port, struct channel *owner)
{
	struct port *pt;

	if (port == 0 || port >= XSIM_NR_PORTS)
		return EINVAL;
	pt = &d->ports[port];
	if (pt->state != PORT_UNBOUND && pt->state != PORT_INTERDOMAIN)
		return EINVAL;
	if (pt->owner)
		return EBUSY;
	pt->owner = owner;
	return 0;
}

void
evtchn_close(struct domain *d, uint32_t port)
{
	struct port *pt = &d->ports[port];

	if (pt->state == PORT_INTERDOMAIN) {
		struct domain *r = domain_find(pt->remote_dom);
		struct port *rp = r ? &r->ports[pt->remote_port] : NULL;

		if (rp && rp->state == PORT_INTERDOMAIN &&
		    rp->remote_dom == d->domid && rp->remote_port == port) {
			rp->state = PORT_UNBOUND;
			rp->remote_port = 0;
		}
	}
	close_fd(&pt->in);
	close_fd(&pt->out);
	pt->state = PORT_FREE;
	pt->remote_dom = pt->remote_port = pt->virq = 0;
	pt->owner = NULL;
}

void
evtchn_release(struct domain *d, const struct channel *owner)
{
	uint32_t p;

	for (p = 1; p < XSIM_NR_PORTS; p++)
		if (d->ports[p].state != PORT_FREE &&
		    d->ports[p].owner == owner)
			evtchn_close(d, p);
}

void
evtchn_close_all(struct domain *d)
{
	uint32_t p;

	for (p = 1; p < XSIM_NR_PORTS; p++)
		if (d->ports[p].state != PORT_FREE)
			evtchn_close(d, p);
}

int
evtchn_fds(struct domain *d, uint32_t port, int fds[2])
{
	struct port *pt = &d->ports[port];
	int n = 0;

	fds[n] = fcntl(pt->in, F_DUPFD_CLOEXEC, 0);
	if (fds[n] < 0)
		return -errno;
	n++;
	if (pt->out >= 0) {
		fds[n] = fcntl(pt->out, F_DUPFD_CLOEXEC, 0);
		if (fds[n] < 0) {
			close(fds[0]);
			return -errno;
		}
		n++;
	}
	return n;
}

void
evtchn_raise_virq(uint32_t virq)
{
	uint64_t one = 1;
	struct domain *d;
	uint32_t p;

	for (d = domain_from(0); d; d = d->next)
		for (p = 1; p < XSIM_NR_PORTS; p++) {
			ssize_t n;

			if (d->ports[p].state != PORT_VIRQ ||
			    d->ports[p].virq != virq)
				continue;
			/* EAGAIN: saturated, so raised anyway. */
			n = write(d->ports[p].in, &one, sizeof(one));
			(void)n;
		}
}
