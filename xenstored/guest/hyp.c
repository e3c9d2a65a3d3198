/* SPDX-License-Identifier: MIT */
/*
 * hyp.h over Xen's user-space libraries (or the simulator's, which have
 * the same API).
 */
#include <errno.h>
#include <fcntl.h>
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

static int
bind_dom_exc(void)
{
	virq_port = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC);
	if (virq_port < 0) {
		log_warn("%s: cannot bind VIRQ_DOM_EXC", __func__);
		return -1;
	}
	return 0;
}

/*
 * The event channel handle is opened inheritable, as Xen's daemon opens
 * it: a live update's new binary takes it over with its ports bound.
 * Its descriptor is made non-blocking, so that hyp_pending() can take
 * every port that fired in one wake-up and say when there is none left
 * (a read of Linux's evtchn device then fails with EAGAIN; the
 * simulator's library does the same).
 */
static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

/*
 * Closing a handle unbinds every port on it: one taken over from the
 * old binary is left as it was (its memory lost), so that the old
 * binary, taken back after a failed live update, can take it again.
 */
static int
give_up(bool adopted)
{
	if (adopted)
		xce = NULL;
	hyp_close();
	return -1;
}

static int
open_with(int inherited_fd)
{
	bool adopt = inherited_fd >= 0;

	xch = xc_interface_open(NULL, NULL, 0);
	if (xch == NULL)
		return -1;
	xce = adopt ? xenevtchn_fdopen(NULL, inherited_fd, 0)
		    : xenevtchn_open(NULL, XENEVTCHN_NO_CLOEXEC);
	xgt = xengnttab_open(NULL, 0);
	if (xce == NULL || xgt == NULL || set_nonblock(xenevtchn_fd(xce))) {
		log_warn("%s: hypervisor found, but its event channels or "
			 "grants cannot be opened",
			 __func__);
		return give_up(adopt);
	}
	return bind_dom_exc() != 0 ? give_up(adopt) : 0;
}

int
hyp_open(void)
{
	return open_with(-1);
}

int
hyp_adopt(int fd)
{
	return open_with(fd);
}

int
hyp_exec_prepare(void)
{
	if (xce == NULL)
		return -1;
	if (virq_port >= 0)
		xenevtchn_unbind(xce, (evtchn_port_t)virq_port);
	virq_port = -1;
	return xenevtchn_fd(xce);
}

int
hyp_exec_failed(void)
{
	return xce ? bind_dom_exc() : 0;
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

int
hyp_remote_port(unsigned domid, unsigned port)
{
	xc_evtchn_status_t st = {.dom = DOMID_SELF, .port = port};

	if (xc_evtchn_status(xch, &st) != 0)
		return -1;
	if (st.status != EVTCHNSTAT_interdomain ||
	    st.u.interdomain.dom != domid) {
		errno = ENOENT;
		return -1;
	}
	return (int)st.u.interdomain.port;
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

long
hyp_grow(unsigned long kb)
{
	int n;

	if (xch == NULL)
		return -1;
	n = xc_domain_increase_reservation(xch, DOMID_SELF, kb / 4, 0, 0, NULL);
	return n > 0 ? (long)n * 4 : -1;
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
