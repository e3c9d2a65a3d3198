/* SPDX-License-Identifier: MIT */
/*
 * What the simulated hypervisor offers beyond Xen's library API: where
 * the hypervisor listens, how a guest process gets its hypercall channel,
 * the layout of a simulated domain's memory (start info page, xenstore
 * page), and the few calls a toolstack and a simulated guest kernel need
 * that Xen does in the kernel or the domain builder.  Code that must also
 * build against real Xen keeps its uses of this header in one place.
 *
 * Identity: a process is a domain only through its channel.  dom0 tools
 * connect to the root-only socket XENHYP_SOCKET_NAME in the run directory
 * ($XENHYP_RUNDIR, default XENHYP_RUNDIR_DEFAULT); the hypervisor checks
 * the peer's uid with SO_PEERCRED.  A guest process inherits its channel
 * as descriptor number $XENHYP_CHANNEL_FD from the toolstack that created
 * its domain (xsim_domain_channel()); when every copy of that descriptor
 * is closed (the process exited or crashed) the domain is dead.
 *
 * Contract: 0 / a value on success, -1 (or NULL) with errno on failure.
 * xsim_domain_channel() and xsim_whoami() are in libxenctrl,
 * xsim_evtchn_attach() in libxenevtchn.
 */
#ifndef XENSIM_H
#define XENSIM_H

#include <stdint.h>
#include <sys/types.h>

#define XENHYP_RUNDIR_DEFAULT "/var/run/xenhyp"
#define XENHYP_SOCKET_NAME "hypervisor"
#define XENHYP_RUNDIR_ENV "XENHYP_RUNDIR"
#define XENHYP_CHANNEL_ENV "XENHYP_CHANNEL_FD"

#define XSIM_PAGE_SIZE 4096

/*
 * Memory of a simulated domain, by frame number: frame 0 holds the start
 * info, frame 1 the xenstore ring page (struct xenstore_domain_interface,
 * granted to dom0 as grant reference 1), frame 2 the console ring (grant
 * reference 0); the remaining frames are free for xengntshr_share_pages().
 */
#define XSIM_START_INFO_PFN 0
#define XSIM_STORE_PFN 1
#define XSIM_CONSOLE_PFN 2
#define XSIM_FIRST_FREE_PFN 3

#define XSIM_START_MAGIC "xsim-si1"

/*
 * The start info page.  The hypervisor fills magic, domid, nr_pages and
 * the frame numbers at creation; the toolstack writes the event channel
 * ports (through a foreign mapping) before it starts the guest, as Xen's
 * domain builder does.
 */
struct xsim_start_info {
	char magic[8];
	uint32_t domid;
	uint32_t nr_pages;
	uint32_t store_pfn;
	uint32_t store_evtchn;
	uint32_t console_pfn;
	uint32_t console_evtchn;
	uint32_t store_domid; /* the domain serving xenstore (0) */
	char cmdline[256];
};

struct xc_interface_core;
struct xenevtchn_handle;

/*
 * Toolstack: the hypercall channel of domain domid, to be inherited by
 * the guest process (set XENHYP_CHANNEL_FD to its number and close every
 * other copy, or the domain never dies).  Privileged; each domain's
 * channel is handed out once: EBUSY afterwards, ESRCH if no such domain.
 * Returns a descriptor (close-on-exec clear) owned by the caller.
 */
int xsim_domain_channel(struct xc_interface_core *xch, uint32_t domid);

/*
 * Toolstack: domid's memory is mem_kb and may grow to max_kb (Xen's
 * xc_domain_setmaxmem, with the size the domain booted with); pid is
 * the process that runs it, whose data limit (RLIMIT_DATA, soft and
 * hard) the hypervisor then holds at the domain's size and raises on
 * xc_domain_increase_reservation; 0 for none.  Privileged.  0, or -1
 * with errno.
 */
int xsim_domain_memory(struct xc_interface_core *xch, uint32_t domid, pid_t pid,
		       uint64_t mem_kb, uint64_t max_kb);

/*
 * Guest kernel: attach port, a port of the caller's own domain that the
 * toolstack allocated (xc_evtchn_alloc_unbound), to handle xce so that
 * it can be notified and polled there.  EINVAL if the port is free or a
 * VIRQ, EBUSY if another handle has it.  Returns port.
 */
int xsim_evtchn_attach(struct xenevtchn_handle *xce, uint32_t port);

/*
 * The domain id the caller acts as, and whether it is privileged; 0 or
 * -1 with errno.
 */
int xsim_whoami(struct xc_interface_core *xch, uint32_t *domid,
		int *privileged);

#endif /* XENSIM_H */
