/* SPDX-License-Identifier: MIT */
/*
 * Domains with a ring: INTRODUCE attaches a domain's xenstore page and
 * event channel and serves it as a connection; RELEASE, or the domain's
 * death (VIRQ_DOM_EXC), tears it down, removes the nodes it owned and the
 * permissions naming it, and fires @releaseDomain.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stdint.h>

struct conn;

/*
 * priv_domid is the privileged domain; keep_orphans gives a dead
 * domain's nodes to it instead of deleting them (-K).
 */
void guest_init(unsigned priv_domid, bool keep_orphans);

/*
 * INTRODUCE domid: map its ring (grant reference 1), bind its event
 * channel port, serve it.  A domain introduced again gets a fresh
 * connection.  Returns 0 or an errno (ENOSYS without a hypervisor).
 */
int guest_introduce(unsigned domid, unsigned port);

/* RELEASE domid: tear it down as if it had died.  0, EINVAL or ENOENT. */
int guest_release(unsigned domid);

/*
 * Where a guest stood when the daemon stopped: the same after a live
 * update's exec and after a crash; only where it comes from differs
 * (the migration stream, lu_restore.c; the guest's record in the
 * database, guest_state.c).
 */
#define GUEST_FEATURES_KEPT UINT32_MAX
struct guest_attach {
	unsigned domid, target;
	uint32_t features;    /* offered, or GUEST_FEATURES_KEPT: as they are */
	unsigned remote_port; /* the guest's end of its channel, or 0 */
	int local_port;	      /* ours, still bound (a live update), or -1 */
};

/*
 * Attach a guest's ring again as it is, after the daemon restarted: our
 * end of its event channel (kept across the exec, or bound again to
 * remote_port), its page mapped again (grant reference 1), the ring
 * served from its current indexes, neither reset nor @introduceDomain
 * fired.  The domain counts as introduced from here on, so that its
 * death is a teardown: if it is gone already (ESRCH), the caller tears
 * it down (guest_release) or leaves it to guest_check_domains.  The
 * caller then gives the connection what it was owed (input, output,
 * transaction ids) and its watches.  Returns the connection, or NULL
 * with errno: ESRCH; ENXIO (the page cannot be mapped: the domain stays
 * known without a connection, so that @releaseDomain fires when it
 * dies); EINVAL (no hypervisor, or the port cannot be had); ENOMEM.
 */
struct conn *guest_reattach(const struct guest_attach *a);

/* SET_TARGET: domid's connection acts for target too. */
void guest_set_target(unsigned domid, unsigned target);

/*
 * Whether the hypervisor knows domid (true for the privileged domain, and
 * for every domain when there is no hypervisor to ask).
 */
bool guest_domain_exists(unsigned domid);

/*
 * Look for domains that died or shut down unnoticed (after a live
 * update, whose exec window has no VIRQ_DOM_EXC): as VIRQ_DOM_EXC does.
 */
void guest_check_domains(void);

/* The event channel fired (the daemon's libevent callback calls this). */
void guest_event(void);

#endif /* GUEST_H */
