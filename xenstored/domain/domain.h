/* SPDX-License-Identifier: MIT */
/*
 * Domains as the daemon knows them: their accounting (nodes owned,
 * watches, transactions) and their quotas.  A domain's structure is made
 * when it is first needed (a socket connection is dom0, a node may be
 * owned by a domain not yet introduced).
 */
#ifndef DOMAIN_H
#define DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "containers.h"
#include "quota.h"
#include "xs_wire.h"

/* The ring features this daemon implements (xs_wire.h). */
#define DOMAIN_FEATURES_SUPPORTED                                              \
	(XENSTORE_SERVER_FEATURE_RECONNECTION |                                \
	 XENSTORE_SERVER_FEATURE_ERROR | XENSTORE_SERVER_FEATURE_WATCHDEPTH |  \
	 XENSTORE_SERVER_FEATURE_DOMID_ANY)

struct domain {
	RB_ENTRY(domain) by_domid; /* domain.c's table */
	RB_ENTRY(domain) by_port;  /* guest.c's, while it has a port */
	struct domain *next_dead;  /* guest.c's, while it tears down */
	unsigned domid;
	bool introduced;
	bool releasing;	       /* release.c is cleaning up after it */
	bool shutdown_noticed; /* RESUME clears it */
	unsigned target;       /* SET_TARGET, DOMID_INVALID if none */
	uint32_t features;     /* server_features offered to it */
	struct quota_set quota;
	struct conn *conn; /* its ring connection, if introduced */
	struct xenstore_domain_interface *intf; /* its mapped ring page */
	int port;	       /* our end of its event channel, or -1 */
	unsigned remote_port;  /* its end, as INTRODUCE named it */
	bool state_dirty;      /* guest_state.c saves it at the turn's end */
	bool settings_set;     /* SET_QUOTA, SET_FEATURE or a live
				  update's DOMAIN record gave it some */
	unsigned nodes;	       /* nodes whose owner it is */
	unsigned long memory;  /* bytes of its records and watches */
	unsigned watches;      /* watches of all its connections */
	unsigned transactions; /* open transactions of all its connections */
	unsigned max[QUOTA_COUNT];    /* highest value a quota check accepted */
	bool soft_over[QUOTA_COUNT];  /* last check was over the soft quota */
	unsigned long events_dropped; /* over its memory quota, in a row */
};

/* Highest value any check accepted, over all domains ("quota max"). */
extern unsigned domain_max_seen[QUOTA_COUNT];

/* Set up the domain table; 0 or -1 (ENOMEM). */
int domain_init(void);

/* Free every domain's structure (shutdown, tests). */
void domain_exit(void);

/* The domain's structure, or NULL if it has none. */
struct domain *domain_find(unsigned domid);

/* The domain's structure, made if missing; NULL with errno ENOMEM. */
struct domain *domain_get(unsigned domid);

/*
 * Forget domid's structure (it died and was cleaned up after).  Nodes
 * still owned by domid (made for a domain to come) stay counted, in a
 * fresh structure.
 */
void domain_forget(unsigned domid);

/* Call fn on every domain; fn must not forget domains. */
void domain_foreach(void (*fn)(struct domain *d, void *arg), void *arg);

/* Count delta more (or fewer) nodes owned by domid. */
void domain_nodes_adjust(unsigned domid, int delta);

/*
 * Count delta more (or fewer) bytes against domid's memory quota: node
 * records it owns (domain_account), its watches (watch.c) and its
 * transactions (txn.c).
 */
void domain_memory_adjust(unsigned domid, long delta);

/*
 * The store's observer (store_observe): count each node against its
 * owner's node and memory quotas (header, permissions, value and name),
 * and each child's name against the owner of its directory.
 */
struct store_change;
void domain_account(const struct store_change *ch);

/*
 * What d uses against its memory quota: its records and watches, and the
 * replies and events queued for its connection.
 */
unsigned long domain_memory_used(const struct domain *d);

/*
 * The connections' quota hooks (conn.h): an unprivileged domain may have
 * no more than its "outstanding" quota of replies and events unread
 * (until its guest reads them, its ring is not read either), and its
 * unread watch events count against its memory quota (XSA-326): one
 * over it is dropped, with a log line when dropping starts and one with
 * the count when it stops.
 */
struct conn;
bool domain_output_full(const struct conn *c);
bool domain_event_fits(struct conn *c, size_t len);

/*
 * Check that value, a new count or size, is within the domain's quota id.
 * Returns 0, or the protocol's errno for that quota (ENOSPC, or EINVAL for
 * path-max) after logging the refusal with domain, quota, value and limit.
 * A soft quota only logs a warning, when the domain goes over it and
 * when it is found back under.  Accepted values raise the domain's
 * and the global maxima; every check is traced (class acc).
 */
int domain_quota_check(struct domain *d, enum quota_id id, unsigned long value);

#endif /* DOMAIN_H */
