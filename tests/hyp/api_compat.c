/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor calls a xenstore daemon makes, written once and built
 * twice by `make check-xen-api`: against the simulator's headers and
 * libraries, and against Debian's real Xen headers and libraries
 * (libxen-dev), so the simulated API cannot drift from Xen's.  It is
 * compiled and linked, never run.  Only Xen's API appears here (no
 * xensim.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>

/* INTRODUCE: map the guest's xenstore page, bind its event channel. */
static void *
introduce(xengnttab_handle *xgt, xenevtchn_handle *xce, uint32_t domid,
	  evtchn_port_t remote, evtchn_port_t *local)
{
	void *page =
		xengnttab_map_grant_ref(xgt, domid, 1, PROT_READ | PROT_WRITE);
	xenevtchn_port_or_error_t port;

	if (page == NULL)
		return NULL;
	port = xenevtchn_bind_interdomain(xce, domid, remote);
	if (port < 0) {
		xengnttab_unmap(xgt, page, 1);
		return NULL;
	}
	*local = (evtchn_port_t)port;
	xenevtchn_notify(xce, *local);
	return page;
}

/* The event loop's callback: which port fired. */
static int
on_event(xenevtchn_handle *xce)
{
	xenevtchn_port_or_error_t port = xenevtchn_pending(xce);

	if (port < 0)
		return -1;
	xenevtchn_unmask(xce, (evtchn_port_t)port);
	return port;
}

/* VIRQ_DOM_EXC: which domains are dying or shut down. */
static int
dead_domains(xc_interface *xch)
{
	xc_dominfo_t info[16];
	int n, i, dead = 0;

	n = xc_domain_getinfo(xch, 0, 16, info);
	for (i = 0; i < n; i++)
		if (info[i].dying || info[i].shutdown)
			dead += (int)info[i].domid +
				(int)info[i].shutdown_reason;
	return dead;
}

/* A toolstack's share: create, a store port, foreign map, destroy. */
static int
toolstack(xc_interface *xch, xenforeignmemory_handle *fmem)
{
	struct xen_domctl_createdomain cfg = {.max_vcpus = 1};
	xen_pfn_t pfn = 0;
	uint32_t domid = 0;
	void *p;

	if (xc_domain_create(xch, &domid, &cfg) < 0)
		return -1;
	xc_evtchn_alloc_unbound(xch, domid, 0);
	p = xenforeignmemory_map(fmem, domid, PROT_READ, 1, &pfn, NULL);
	if (p)
		xenforeignmemory_unmap(fmem, p, 1);
	xc_domain_pause(xch, domid);
	xc_domain_unpause(xch, domid);
	xc_domain_shutdown(xch, domid, SHUTDOWN_poweroff);
	xc_domain_set_virq_handler(xch, domid, VIRQ_DOM_EXC);
	return xc_domain_destroy(xch, domid);
}

int
main(void)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xengnttab_handle *xgt = xengnttab_open(NULL, 0);
	xengntshr_handle *xgs = xengntshr_open(NULL, 0);
	xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
	evtchn_port_t local = 0;
	uint32_t ref;
	void *page;

	page = introduce(xgt, xce, 1, 2, &local);
	xenevtchn_bind_virq(xce, VIRQ_DOM_EXC);
	xenevtchn_bind_unbound_port(xce, 0);
	printf("%d %d %d %d\n", xenevtchn_fd(xce), on_event(xce),
	       dead_domains(xch), toolstack(xch, fmem));
	if (page)
		xengnttab_unmap(xgt, page, 1);
	page = xengntshr_share_pages(xgs, 0, 1, &ref, 1);
	if (page)
		xengntshr_unshare(xgs, page, 1);
	xenevtchn_unbind(xce, local);
	xengntshr_close(xgs);
	xengnttab_close(xgt);
	xenevtchn_close(xce);
	xenforeignmemory_close(fmem);
	return xc_interface_close(xch);
}
