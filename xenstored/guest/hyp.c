/* SPDX-License-Identifier: MIT */
/*
 * hyp.h over Xen's user-space libraries (or the simulator's, which have
 * the same API).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "hyp.h"
#include "log.h"
#include "xs_wire.h"

#ifndef VIRQ_DOM_EXC
#define VIRQ_DOM_EXC 3
#endif

static xc_interface *xch;
static xenevtchn_handle *xce;
static xengnttab_handle *xgt;
static int virq_port = -1;

int
hyp_open(void)
{
	xch = xc_interface_open(NULL, NULL, 0);
	if (xch == NULL)
		return -1;
	xce = xenevtchn_open(NULL, 0);
	xgt = xengnttab_open(NULL, 0);
	if (xce == NULL || xgt == NULL) {
		log_warn("%s: hypervisor found, but its event channels or "
			 "grants cannot be opened",
			 __func__);
		hyp_close();
		return -1;
	}
	virq_port = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC);
	if (virq_port < 0) {
		log_warn("%s: cannot bind VIRQ_DOM_EXC", __func__);
		hyp_close();
		return -1;
	}
	return 0;
}

bool
hyp_available(void)
{
	return xce != NULL;
}

int
hyp_fd(void)
{
	return xenevtchn_fd(xce);
}

void *
hyp_map_ring(unsigned domid)
{
	return xengnttab_map_grant_ref(xgt, domid, GNTTAB_RESERVED_XENSTORE,
				       PROT_READ | PROT_WRITE);
}

void
hyp_unmap_ring(void *page)
{
	if (page)
		xengnttab_unmap(xgt, page, 1);
}

int
hyp_bind(unsigned domid, unsigned remote_port)
{
	return xenevtchn_bind_interdomain(xce, domid, remote_port);
}

void
hyp_unbind(unsigned port)
{
	xenevtchn_unbind(xce, port);
}

void
hyp_notify(unsigned port)
{
	xenevtchn_notify(xce, port);
}

int
hyp_pending(void)
{
	int port = xenevtchn_pending(xce);

	if (port >= 0)
		xenevtchn_unmask(xce, (evtchn_port_t)port);
	return port;
}

int
hyp_virq_port(void)
{
	return virq_port;
}

enum hyp_domain_state
hyp_domain_state(unsigned domid)
{
	xc_dominfo_t info;

	if (xc_domain_getinfo(xch, domid, 1, &info) != 1 ||
	    info.domid != domid || info.dying)
		return HYP_DOMAIN_DEAD;
	return info.shutdown ? HYP_DOMAIN_SHUTDOWN : HYP_DOMAIN_RUNNING;
}

void
hyp_close(void)
{
	if (xgt)
		xengnttab_close(xgt);
	if (xce)
		xenevtchn_close(xce);
	if (xch)
		xc_interface_close(xch);
	xgt = NULL;
	xce = NULL;
	xch = NULL;
}
