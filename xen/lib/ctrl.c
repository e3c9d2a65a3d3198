/* SPDX-License-Identifier: MIT */
/*
 * The domain calls of libxenctrl over the simulated hypervisor
 * (xenctrl.h), and the toolstack-side simulator calls of xensim.h.
 * Every call is one request on the handle's channel; the hypervisor
 * decides what the caller's domain may do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"
#include "xenctrl.h"
#include "xensim.h"

struct xc_interface_core {
	struct xsim_chan chan;
};

xc_interface *
xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
		  unsigned open_flags)
{
	xc_interface *xch = calloc(1, sizeof(*xch));
	int err;

	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	if (xch == NULL)
		return NULL;
	if (chan_open(&xch->chan) < 0) {
		err = errno;
		free(xch);
		errno = err;
		return NULL;
	}
	return xch;
}

int
xc_interface_close(xc_interface *xch)
{
	if (xch == NULL)
		return 0;
	chan_close(&xch->chan);
	free(xch);
	return 0;
}

static int
domain_op(xc_interface *xch, Xsim__Op op, uint32_t domid, uint32_t reason)
{
	Xsim__Request req = XSIM__REQUEST__INIT;

	req.op = op;
	req.domid = domid;
	req.reason = reason;
	return chan_simple(&xch->chan, &req);
}

int
xc_domain_create(xc_interface *xch, uint32_t *pdomid,
		 struct xen_domctl_createdomain *config)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	Xsim__Reply *r;

	req.op = XSIM__OP__OP_DOMAIN_CREATE;
	req.domid = *pdomid;
	if (config) {
		req.flags = config->flags;
		req.handle.data = config->handle;
		req.handle.len = sizeof(config->handle);
	}
	r = chan_call(&xch->chan, &req, NULL, 0, NULL);
	if (r == NULL)
		return -1;
	*pdomid = r->domid;
	xsim__reply__free_unpacked(r, NULL);
	return 0;
}

int
xc_domain_pause(xc_interface *xch, uint32_t domid)
{
	return domain_op(xch, XSIM__OP__OP_DOMAIN_PAUSE, domid, 0);
}

int
xc_domain_unpause(xc_interface *xch, uint32_t domid)
{
	return domain_op(xch, XSIM__OP__OP_DOMAIN_UNPAUSE, domid, 0);
}

int
xc_domain_destroy(xc_interface *xch, uint32_t domid)
{
	return domain_op(xch, XSIM__OP__OP_DOMAIN_DESTROY, domid, 0);
}

int
xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason)
{
	if (reason < 0) {
		errno = EINVAL;
		return -1;
	}
	return domain_op(xch, XSIM__OP__OP_DOMAIN_SHUTDOWN, domid,
			 (uint32_t)reason);
}

int
xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
		  unsigned int max_doms, xc_dominfo_t *info)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	Xsim__Reply *r;
	size_t i;
	int n;

	req.op = XSIM__OP__OP_DOMAIN_GETINFO;
	req.domid = first_domid;
	req.count = max_doms;
	r = chan_call(&xch->chan, &req, NULL, 0, NULL);
	if (r == NULL)
		return -1;
	for (i = 0; i < r->n_info && i < max_doms; i++) {
		const Xsim__DomInfo *d = r->info[i];
		xc_dominfo_t *o = &info[i];

		memset(o, 0, sizeof(*o));
		o->domid = d->domid;
		o->dying = d->dying;
		o->crashed = d->crashed;
		o->shutdown = d->shutdown;
		o->paused = d->paused;
		o->running = !d->paused && !d->shutdown && !d->dying;
		o->xenstore = d->xenstore;
		o->shutdown_reason = d->shutdown_reason;
		o->nr_pages = d->nr_pages;
		o->max_memkb =
			(unsigned long)d->nr_pages * XSIM_PAGE_SIZE / 1024;
		if (d->mem_kb) { /* sized by the toolstack (xsim_domain_memory)
				  */
			o->nr_pages = d->mem_kb * 1024 / XSIM_PAGE_SIZE;
			o->max_memkb = d->max_kb;
		}
		o->nr_online_vcpus = 1;
		if (d->handle.len == sizeof(o->handle))
			memcpy(o->handle, d->handle.data, sizeof(o->handle));
	}
	n = (int)i;
	xsim__reply__free_unpacked(r, NULL);
	return n;
}

xc_evtchn_port_or_error_t
xc_evtchn_alloc_unbound(xc_interface *xch, uint32_t dom, uint32_t remote_dom)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	Xsim__Reply *r;
	int port;

	req.op = XSIM__OP__OP_EVTCHN_ALLOC;
	req.domid = dom;
	req.remote_domid = remote_dom;
	r = chan_call(&xch->chan, &req, NULL, 0, NULL);
	if (r == NULL)
		return -1;
	port = (int)r->port;
	xsim__reply__free_unpacked(r, NULL);
	return port;
}

int
xc_evtchn_status(xc_interface *xch, xc_evtchn_status_t *status)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	Xsim__Reply *r;

	req.op = XSIM__OP__OP_EVTCHN_STATUS;
	req.domid = status->dom;
	req.port = status->port;
	r = chan_call(&xch->chan, &req, NULL, 0, NULL);
	if (r == NULL)
		return -1;
	status->status = r->status;
	status->vcpu = 0;
	memset(&status->u, 0, sizeof(status->u));
	if (r->status == EVTCHNSTAT_interdomain) {
		status->u.interdomain.dom = (domid_t)r->domid;
		status->u.interdomain.port = r->port;
	} else if (r->status == EVTCHNSTAT_unbound) {
		status->u.unbound.dom = (domid_t)r->domid;
	} else if (r->status == EVTCHNSTAT_virq) {
		status->u.virq = r->port;
	}
	xsim__reply__free_unpacked(r, NULL);
	return 0;
}

int
xc_domain_set_virq_handler(xc_interface *xch, uint32_t domid, int virq)
{
	Xsim__Request req = XSIM__REQUEST__INIT;

	if (virq < 0) {
		errno = EINVAL;
		return -1;
	}
	req.op = XSIM__OP__OP_VIRQ_HANDLER;
	req.domid = domid;
	req.virq = (uint32_t)virq;
	return chan_simple(&xch->chan, &req);
}

int
xc_dom_gnttab_seed(xc_interface *xch, uint32_t guest_domid, bool is_hvm,
		   xen_pfn_t console_gfn, xen_pfn_t xenstore_gfn,
		   uint32_t console_domid, uint32_t xenstore_domid)
{
	Xsim__Request req = XSIM__REQUEST__INIT;

	/* The frames are fixed at creation here (xensim.h). */
	(void)is_hvm;
	(void)console_gfn;
	(void)xenstore_gfn;
	req.op = XSIM__OP__OP_GNT_SEED;
	req.domid = guest_domid;
	req.ref = GNTTAB_RESERVED_CONSOLE;
	req.remote_domid = console_domid;
	if (chan_simple(&xch->chan, &req) < 0)
		return -1;
	req.ref = GNTTAB_RESERVED_XENSTORE;
	req.remote_domid = xenstore_domid;
	return chan_simple(&xch->chan, &req);
}

int
xsim_domain_channel(struct xc_interface_core *xch, uint32_t domid)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	Xsim__Reply *r;
	unsigned n;
	int fd;

	req.op = XSIM__OP__OP_DOMAIN_CHANNEL;
	req.domid = domid;
	r = chan_call(&xch->chan, &req, &fd, 1, &n);
	if (r == NULL)
		return -1;
	xsim__reply__free_unpacked(r, NULL);
	if (n != 1) {
		chan_close_fds(&fd, n);
		errno = EPROTO;
		return -1;
	}
	/* The guest process inherits it: clear close-on-exec. */
	if (fcntl(fd, F_SETFD, 0) < 0) {
		chan_close_fds(&fd, 1);
		return -1;
	}
	return fd;
}

int
xsim_domain_memory(struct xc_interface_core *xch, uint32_t domid, pid_t pid,
		   uint64_t mem_kb, uint64_t max_kb)
{
	Xsim__Request req = XSIM__REQUEST__INIT;

	req.op = XSIM__OP__OP_DOMAIN_MEMORY;
	req.domid = domid;
	req.pid = (uint32_t)pid;
	req.mem_kb = mem_kb;
	req.max_kb = max_kb;
	return chan_simple(&xch->chan, &req);
}

/*
 * The simulator hands out no frames: extent_start is left alone, and
 * only the caller's own domain may grow (XENMEM from the domain itself).
 * As Xen's, returns how many extents were granted, which may be fewer
 * than asked for (0 or -1 with ENOMEM at the domain's maximum).
 */
int
xc_domain_increase_reservation(xc_interface *xch, uint32_t domid,
			       unsigned long nr_extents,
			       unsigned int extent_order,
			       unsigned int mem_flags, xen_pfn_t *extent_start)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	uint64_t extent_kb = ((uint64_t)XSIM_PAGE_SIZE << extent_order) / 1024;
	Xsim__Reply *r;
	int n;

	(void)mem_flags;
	(void)extent_start;
	if (domid != DOMID_SELF && domid != xch->chan.domid) {
		errno = EPERM;
		return -1;
	}
	req.op = XSIM__OP__OP_MEM_INCREASE;
	req.mem_kb = nr_extents * extent_kb;
	r = chan_call(&xch->chan, &req, NULL, 0, NULL);
	if (r == NULL)
		return -1;
	n = (int)(r->mem_kb / extent_kb);
	xsim__reply__free_unpacked(r, NULL);
	return n;
}

int
xsim_whoami(struct xc_interface_core *xch, uint32_t *domid, int *privileged)
{
	*domid = xch->chan.domid;
	*privileged = xch->chan.privileged;
	return 0;
}
