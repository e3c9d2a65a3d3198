/* SPDX-License-Identifier: MIT */
/*
 * Guests of the simulated host: building a domain as Xen's toolstack
 * does (hypervisor domain, xenstore event channel, start info, xenstore
 * layout, INTRODUCE), starting its guest kernel with the domain's
 * hypercall channel under a monitor process (xl's per-domain daemon)
 * that reaps the domain when the guest stops, and listing and destroying
 * domains.  Each guest has a record RUNDIR/domains/NAME; its output goes
 * to RUNDIR/domains/NAME.log unless it runs in the foreground.
 */
#ifndef DOM_H
#define DOM_H

#include <stdbool.h>

struct record;

/* What to do with a domain whose guest stopped (xl's on_poweroff/...). */
enum dom_action { DOM_DESTROY, DOM_PRESERVE };

struct dom_opts {
	const char *name;
	const char *kernel; /* NULL: xsim-guest beside xsim */
	char **args;	    /* the kernel's arguments, NULL-terminated */
	bool foreground;    /* run the guest with our stdio, wait for it */
	enum dom_action on_poweroff; /* guest shut down: poweroff, reboot */
	enum dom_action on_crash;    /* guest crashed or was killed */
	long memory_mb;		     /* -1: what the hypervisor gave */
	long maxmem_mb;		     /* -1: memory_mb */
	unsigned vcpus;		     /* 0: 1 */
	bool driver_domain;	  /* hosts backends: kernel -b, its hotplugd */
	const char *const *disks; /* xl disk specs */
	unsigned ndisks;
	const char *const *vifs; /* xl vif specs */
	unsigned nvifs;
	const char *uuid; /* a guest migrated in: its uuid, and its /vm as
			     the pool has it (NULL: a fresh uuid) */
};

/*
 * Create domain o->name, attach its devices (each waited for as libxl
 * does) and start its guest.  Returns the exit status for xsim: 0 once
 * the guest runs (in the foreground: the guest's status,
 * 128 + signal if it died of one), 1 after printing what failed (and
 * undoing what was done: a device that fails leaves no device and no
 * domain behind).
 */
int dom_create(const struct dom_opts *o);

/*
 * Destroy the domain named, or numbered, which: walk the removal of each
 * of its devices (bounded), stop its guest, destroy it in the
 * hypervisor, remove its xenstore nodes, drop its record.  0, or -1
 * after printing what failed.
 */
int dom_destroy(const char *which);

/*
 * Destroy the copy of a guest migrated away (docs/pool.md): kill its
 * paused guest, force its devices' removal, destroy the domain and its
 * nodes but /vm/<uuid>, which belongs to the target now.  0 or -1.
 */
int dom_destroy_migrated(const char *name);

/* Destroy every domain that has a record; 0 or -1. */
int dom_destroy_all(void);

/* Print the domains, as `xl list` does; 0 or -1. */
int dom_list(void);

/* Print the domain id (what "domid") or guest pid ("pid"); 0 or -1. */
int dom_show(const char *which, const char *what);

/*
 * Pause or unpause r's domain in the hypervisor, and stop or continue
 * its guest's process (a simulated vcpu pauses so).  0, or -1 after
 * printing what failed.
 */
int dom_set_paused(const struct record *r, bool paused);

/* xl pause / unpause of the domain named, or numbered, which. */
int dom_pause(const char *which, bool paused);

/*
 * Ask the guest to power off through control/shutdown; with wait, until
 * its domain is gone (bounded).  0 or -1.
 */
int dom_shutdown(const char *which, bool wait);

#endif /* DOM_H */
