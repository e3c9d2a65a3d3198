/* SPDX-License-Identifier: MIT */
/*
 * The few hypervisor interface types and constants that the simulated
 * Xen libraries' headers need (a small stand-in for Xen's public
 * <xen/xen.h>, <xen/event_channel.h> and <xen/grant_table.h>).  Names and
 * values are Xen's, so code written against them builds against Xen's own
 * headers too.  Headers only.
 */
#ifndef XENSIM_XEN_XEN_H
#define XENSIM_XEN_XEN_H

#include <stdint.h>

typedef uint16_t domid_t;
typedef uint32_t evtchn_port_t;
typedef uint32_t grant_ref_t;
typedef unsigned long xen_pfn_t;
typedef uint8_t xen_domain_handle_t[16];

/* Guarded: xs_wire.h defines the same ids for xenstore's own use. */
#ifndef DOMID_FIRST_RESERVED
#define DOMID_FIRST_RESERVED 0x7FF0U
#endif
#ifndef DOMID_SELF
#define DOMID_SELF 0x7FF0U
#endif
#ifndef DOMID_INVALID
#define DOMID_INVALID 0x7FF4U
#endif

/* A port's state, as Xen's EVTCHNOP_status reports it. */
#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5

struct evtchn_status {
	domid_t dom;	 /* in: DOMID_SELF, or any domain (privileged) */
	uint32_t port;	 /* in */
	uint32_t status; /* out: EVTCHNSTAT_* */
	uint32_t vcpu;	 /* out: always 0 here */
	union {
		struct {
			domid_t dom;
		} unbound; /* who may bind it */
		struct {
			domid_t dom;
			uint32_t port;
		} interdomain; /* its other end */
		uint32_t pirq;
		uint32_t virq;
	} u;
};

/* Virtual interrupts; the simulator delivers VIRQ_DOM_EXC only. */
#define VIRQ_DOM_EXC 3

/* Shutdown reasons (shutdown_reason of a domain). */
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_soft_reset 5

/* Reserved grant references: 0 console, 1 xenstore. */
#define GNTTAB_RESERVED_CONSOLE 0
#ifndef GNTTAB_RESERVED_XENSTORE
#define GNTTAB_RESERVED_XENSTORE 1
#endif
#define GNTTAB_NR_RESERVED_ENTRIES 8

#endif /* XENSIM_XEN_XEN_H */
