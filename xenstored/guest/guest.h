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
 * Attach domid's ring again as it is, after a restart of the daemon (a
 * crash, or a live update): map its page (grant reference 1), bind our
 * end to the guest's event channel remote_port, and serve the ring from
 * its current indexes, without resetting them or firing
 * @introduceDomain.  The domain counts as introduced from here on, so
 * that if it is gone (errno ESRCH) guest_release() tears it down.
 * Returns the connection (which has no watches yet), or NULL with errno:
 * ESRCH, EINVAL (no hypervisor, or the port cannot be bound), ENOMEM.
 */
struct conn *guest_reattach(unsigned domid, unsigned remote_port,
			    uint32_t features, unsigned target);

/* SET_TARGET: domid's connection acts for target too. */
void guest_set_target(unsigned domid, unsigned target);

/*
 * Whether the hypervisor knows domid (true for the privileged domain, and
 * for every domain when there is no hypervisor to ask).
 */
bool guest_domain_exists(unsigned domid);

/*
 * After a live update: domid's ring connection as the old binary left it.
 * Its event channel is still bound (our end: port); its ring page is
 * mapped again, not reset, so what the guest had written is read.  A
 * domain whose page cannot be mapped stays known without a connection,
 * so that @releaseDomain fires when it dies.  Returns the connection,
 * NULL for such a domain, or NULL with errno ENOMEM.  (The crash restart
 * re-attaches guests through this too.)
 */
struct conn *guest_restore(unsigned domid, unsigned target, unsigned port);

/*
 * Look for domains that died or shut down unnoticed (after a live
 * update, whose exec window has no VIRQ_DOM_EXC): as VIRQ_DOM_EXC does.
 */
void guest_check_domains(void);

/* The event channel fired (the daemon's libevent callback calls this). */
void guest_event(void);

#endif /* GUEST_H */
