/* SPDX-License-Identifier: MIT */
/*
 * The domain calls of libxenctrl for the simulated hypervisor: what a
 * toolstack and a xenstore daemon need (create, destroy, pause, unpause,
 * shut down, get domain info with the dying and shutdown flags, allocate
 * an unbound event channel, hand a VIRQ to a domain).  Names, types and
 * semantics are those of Xen 4.17's <xenctrl.h>; the structures carry the
 * fields the simulator fills, so code using those fields builds against
 * Xen's header too.
 *
 * Contract: 0 (or a count, a port) on success, -1 with errno on failure;
 * xc_interface_open() returns NULL with errno.  All calls but
 * xc_interface_open/close need the privileged domain (EPERM otherwise),
 * except that a domain may shut itself down and allocate ports in itself.
 * errno: ESRCH no such domain; EEXIST domid in use; EINVAL bad argument;
 * EBUSY state does not allow it; ENOSPC no free domid or port.
 */
#ifndef XENSIM_XENCTRL_H
#define XENSIM_XENCTRL_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xentoollog.h>

typedef struct xc_interface_core xc_interface;

/* Open a handle: NULL with errno if the hypervisor cannot be reached. */
xc_interface *xc_interface_open(xentoollog_logger *logger,
				xentoollog_logger *dombuild_logger,
				unsigned open_flags);

/* Close the handle; 0 or -1. */
int xc_interface_close(xc_interface *xch);

/* The creation flags the simulator records. */
#define XEN_DOMCTL_CDF_xs_domain (1U << 4)

/* Creation parameters (subset of Xen's; unknown fields are not needed). */
struct xen_domctl_createdomain {
	uint32_t ssidref;
	xen_domain_handle_t handle;
	uint32_t flags;
	int32_t max_vcpus;
	int32_t max_evtchn_port;
	int32_t max_grant_frames;
	int32_t max_maptrack_frames;
};

/* Domain information, as xc_domain_getinfo() fills it. */
typedef struct xc_dominfo {
	uint32_t domid;
	uint32_t ssidref;
	unsigned int dying : 1, crashed : 1, shutdown : 1, paused : 1,
		blocked : 1, running : 1, hvm : 1, debugged : 1, xenstore : 1,
		hap : 1;
	unsigned int shutdown_reason; /* only meaningful if shutdown==1 */
	unsigned long nr_pages;
	unsigned long max_memkb;
	unsigned int nr_online_vcpus;
	unsigned int max_vcpu_id;
	xen_domain_handle_t handle;
} xc_dominfo_t;

/*
 * Create a domain, paused, with the simulator's default memory.  *pdomid
 * 0 picks a free id; another value asks for that id (EEXIST if taken).
 * The new domain's grant reference 1 (GNTTAB_RESERVED_XENSTORE) grants
 * dom0 its xenstore page until xc_dom_gnttab_seed() names another
 * domain (a xenstore stub domain); see xensim.h for the memory layout.
 */
int xc_domain_create(xc_interface *xch, uint32_t *pdomid,
		     struct xen_domctl_createdomain *config);

/* Pause / unpause (a flag in the simulator: guests keep running). */
int xc_domain_pause(xc_interface *xch, uint32_t domid);
int xc_domain_unpause(xc_interface *xch, uint32_t domid);

/*
 * Destroy a domain: its guest process loses its channel, its ports close
 * (remote ends become unbound), its memory goes; VIRQ_DOM_EXC fires.
 */
int xc_domain_destroy(xc_interface *xch, uint32_t domid);

/* Mark a domain shut down for reason (SHUTDOWN_*); VIRQ_DOM_EXC fires. */
int xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason);

/*
 * Fill info[] with up to max_doms domains whose id is >= first_domid, in
 * id order.  Returns how many were filled (0 if none), -1 with errno.
 * Callers asking about one domain must check info[0].domid, as with Xen.
 */
int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
		      unsigned int max_doms, xc_dominfo_t *info);

typedef int xc_evtchn_port_or_error_t;

typedef struct evtchn_status xc_evtchn_status_t;

/* Fill status->status and ->u for status->port of status->dom. */
int xc_evtchn_status(xc_interface *xch, xc_evtchn_status_t *status);

/*
 * Allocate an unbound port in dom that remote_dom may bind to (the
 * toolstack's way to make a guest's xenstore port).  The port is not
 * attached to any handle until dom's process attaches it (xensim.h).
 */
xc_evtchn_port_or_error_t
xc_evtchn_alloc_unbound(xc_interface *xch, uint32_t dom, uint32_t remote_dom);

/*
 * Make domid the receiver of the global virq (VIRQ_DOM_EXC): it may then
 * bind it, as dom0 always may (a xenstore stub domain needs this).
 */
int xc_domain_set_virq_handler(xc_interface *xch, uint32_t domid, int virq);

/*
 * Seed the reserved entries of guest_domid's grant table, as Xen's
 * domain builder does (libxenguest): GNTTAB_RESERVED_CONSOLE grants its
 * console page to console_domid, GNTTAB_RESERVED_XENSTORE its xenstore
 * ring page to xenstore_domid (0, or the xenstore stub domain).  The
 * frames are the fixed ones of xensim.h; is_hvm is ignored.
 * Privileged.  0, or -1 with errno.
 */
int xc_dom_gnttab_seed(xc_interface *xch, uint32_t guest_domid, bool is_hvm,
		       xen_pfn_t console_gfn, xen_pfn_t xenstore_gfn,
		       uint32_t console_domid, uint32_t xenstore_domid);

/*
 * Give domid (the caller's own: DOMID_SELF) nr_extents more extents of
 * 2^extent_order pages, up to its maximum, as XENMEM_increase_reservation
 * does.  Returns how many were granted, -1 with errno (ENOMEM: at its
 * maximum, or no size was set).  extent_start is not filled here.
 */
int xc_domain_increase_reservation(xc_interface *xch, uint32_t domid,
				   unsigned long nr_extents,
				   unsigned int extent_order,
				   unsigned int mem_flags,
				   xen_pfn_t *extent_start);

#endif /* XENSIM_XENCTRL_H */
