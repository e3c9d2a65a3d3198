/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel's boot and its xenbus connection (boot.h): find the
 * start info in frame XSIM_START_INFO_PFN of our own memory, map the
 * xenstore page (frame store_pfn, which dom0 reaches as grant reference
 * 1), attach the store event channel the toolstack allocated for us, and
 * lend page and channel to libxenstore's ring transport.  Owns the
 * hypervisor handles for the life of the process; everything else about
 * xenstore is the library's.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>

#include "boot.h"
#include "frame.h"
#include "ring.h"
#include "xensim.h"
#include "xs_ring.h"

static xc_interface *xch;
static xenforeignmemory_handle *fmem;
static xenevtchn_handle *xce;
static struct xenstore_domain_interface *intf;
static evtchn_port_t port;
static unsigned domid; /* 0 until booted: a dom0 script (-s) */

static int
ev_notify(void *arg)
{
	(void)arg;
	return xenevtchn_notify(xce, port);
}

static int
ev_fd(void *arg)
{
	(void)arg;
	return xenevtchn_fd(xce);
}

/*
 * Consume what is pending without blocking: pending() itself blocks.
 * Two threads may ack at once (libxenstore's reader and flood's loop on
 * the main thread): without the lock both could see the descriptor
 * readable, one would take the event and the other block in pending()
 * for an event that may never come.  The handle has the xenstore port
 * alone, so the one pending() takes every event there is.
 */
static int
ev_ack(void *arg)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct pollfd pfd = {.fd = xenevtchn_fd(xce), .events = POLLIN};
	int n = 0, p;

	(void)arg;
	pthread_mutex_lock(&lock);
	if (poll(&pfd, 1, 0) == 1) {
		p = xenevtchn_pending(xce);
		if (p < 0 || xenevtchn_unmask(xce, (evtchn_port_t)p) < 0)
			n = -1;
		else
			n = 1;
	}
	pthread_mutex_unlock(&lock);
	return n;
}

static const struct xs_ring_evtchn evtchn = {
	.notify = ev_notify,
	.fd = ev_fd,
	.ack = ev_ack,
};

static void *
map_own(xen_pfn_t pfn, int prot)
{
	return xenforeignmemory_map(fmem, DOMID_SELF, prot, 1, &pfn, NULL);
}

struct xs_handle *
boot_xenstore(void)
{
	struct xsim_start_info *si;
	struct xs_handle *h;
	const char *what;

	what = "open the hypervisor interfaces";
	xch = xc_interface_open(NULL, NULL, 0);
	fmem = xenforeignmemory_open(NULL, 0);
	xce = xenevtchn_open(NULL, 0);
	if (xch == NULL || fmem == NULL || xce == NULL)
		goto fail;
	what = "map the start info";
	si = map_own(XSIM_START_INFO_PFN, PROT_READ);
	if (si == NULL)
		goto fail;
	what = "read the start info";
	if (memcmp(si->magic, XSIM_START_MAGIC, sizeof(si->magic)) != 0 ||
	    si->store_evtchn == 0) {
		errno = EINVAL;
		goto fail;
	}
	domid = si->domid;
	port = si->store_evtchn;
	what = "map the xenstore page";
	intf = map_own(si->store_pfn, PROT_READ | PROT_WRITE);
	xenforeignmemory_unmap(fmem, si, 1);
	if (intf == NULL)
		goto fail;
	what = "attach the xenstore event channel";
	if (xsim_evtchn_attach(xce, port) < 0)
		goto fail;
	what = "open libxenstore over the ring";
	h = xs_ring_open(intf, &evtchn, 0);
	if (h == NULL)
		goto fail;
	return h;
fail:
	fprintf(stderr, "xsim-guest: cannot %s: %s\n", what, strerror(errno));
	return NULL;
}

unsigned
boot_domid(void)
{
	return domid;
}

int
boot_shutdown(const char *reason)
{
	static bool done;
	int r;

	if (xch == NULL) {
		errno = ENOTCONN;
		return -1;
	}
	/* The first reason given is the one the toolstack sees. */
	if (done)
		return 0;
	done = true;
	if (strcmp(reason, "poweroff") == 0 || strcmp(reason, "halt") == 0)
		r = SHUTDOWN_poweroff;
	else if (strcmp(reason, "reboot") == 0)
		r = SHUTDOWN_reboot;
	else if (strcmp(reason, "crash") == 0)
		r = SHUTDOWN_crash;
	else {
		errno = EINVAL;
		return -1;
	}
	return xc_domain_shutdown(xch, DOMID_SELF, r);
}

int
boot_ring_garbage(const void *bytes, size_t len, bool bad_index)
{
	if (intf == NULL) {
		errno = ENOTCONN;
		return -1;
	}
	if (bad_index) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		intf->req_prod = intf->req_cons + 3 * XENSTORE_RING_SIZE;
	} else if ((errno = 0, ring_write(intf, RING_CLIENT, bytes, len)) !=
		   (ssize_t)len) {
		if (errno == 0)
			errno = ENOSPC;
		return -1;
	}
	return xenevtchn_notify(xce, port);
}

long
boot_ring_flood(const char *path, long count, int timeout_ms)
{
	struct pollfd pfd = {.fd = xenevtchn_fd(xce), .events = POLLIN};
	char msg[FRAME_HDR_SIZE + 256];
	struct xsd_sockmsg hdr = {.type = XS_READ};
	size_t len = strlen(path) + 1, off;
	ssize_t n;
	long sent;

	if (intf == NULL || len > 256) {
		errno = intf == NULL ? ENOTCONN : E2BIG;
		return -1;
	}
	hdr.len = (uint32_t)len;
	for (sent = 0; sent < count; sent++) {
		hdr.req_id = (uint32_t)sent;
		memcpy(msg, &hdr, sizeof(hdr));
		memcpy(msg + FRAME_HDR_SIZE, path, len);
		for (off = 0; off < FRAME_HDR_SIZE + len; off += (size_t)n) {
			n = ring_write(intf, RING_CLIENT, msg + off,
				       FRAME_HDR_SIZE + len - off);
			if (n < 0)
				return -1;
			if (n > 0) {
				xenevtchn_notify(xce, port);
				continue;
			}
			/* Full: the daemon stopped reading us; that is fine. */
			if (poll(&pfd, 1, timeout_ms) <= 0)
				return sent;
			ev_ack(NULL);
		}
	}
	return sent;
}
