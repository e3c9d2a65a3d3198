/* SPDX-License-Identifier: MIT */
/*
 * Guests' rings (guest.h): INTRODUCE, the ring transport, event channel
 * dispatch, reconnection, and the teardown of a released or dead domain.
 *
 * A guest's connection has no file descriptor: the one event channel
 * descriptor of the daemon fires, hyp_pending() names the port, and the
 * port's domain gets its ring read (conn_kick) through ring_conn.c.  A
 * guest that breaks the ring or the framing loses its connection, while
 * its domain stays known so that @releaseDomain still fires when it
 * really dies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>

#include "conn.h"
#include "domain.h"
#include "guest.h"
#include "guest_state.h"
#include "hyp.h"
#include "log.h"
#include "ring.h"
#include "ring_conn.h"
#include "store.h"
#include "txn.h"
#include "watch.h"

static unsigned priv_domid;
static bool keep_orphans;

static int
port_cmp(const struct domain *a, const struct domain *b)
{
	return a->port < b->port ? -1 : a->port > b->port;
}

/* Introduced domains by our end of their event channel. */
RB_HEAD(ports, domain);
RB_GENERATE_LOCAL(ports, domain, by_port, port_cmp)
static struct ports ports = RB_INITIALIZER(&ports);

void
guest_init(unsigned priv, bool keep)
{
	priv_domid = priv;
	keep_orphans = keep;
	RB_INIT(&ports);
}

static const struct node *
special(const char *name)
{
	return store_lookup(name);
}

static void
fire_special(const char *name, unsigned domid)
{
	const struct node *n = special(name);
	struct watch_perms ps = {n ? node_perms(n) : NULL, n ? n->nperms : 0};

	watch_fire_special(name, domid, &ps);
}

/* Drop d's connection: its watches first, so the teardown's own
 * deletions queue nothing to it. */
static void
drop_conn(struct domain *d)
{
	struct conn *c = d->conn;

	if (c == NULL)
		return;
	watch_remove_all(c);
	txn_abort_all(c);
	c->domain = NULL;
	d->conn = NULL;
	conn_close(c, NULL);
}

static void
unbind(struct domain *d)
{
	if (d->port >= 0) {
		RB_REMOVE(ports, &ports, d);
		hyp_unbind((unsigned)d->port);
	}
	d->port = -1;
}

static struct conn *
attach(struct domain *d)
{
	struct conn *c = ring_conn_new(d, d->domid == priv_domid);

	if (c == NULL)
		return NULL;
	c->who.target = d->target;
	d->conn = c;
	d->state_dirty = true;
	return c;
}

/* Bind d's event channel to the guest's port; 0 or EINVAL. */
static int
bind_port(struct domain *d, unsigned port)
{
	int local;

	unbind(d);
	local = hyp_bind(d->domid, port);
	if (local < 0) {
		log_warn("domain %u: cannot bind event channel %u", d->domid,
			 port);
		return EINVAL;
	}
	d->port = local;
	if (RB_INSERT(ports, &ports, d) != NULL) {
		/* Bound twice: the hypervisor broke its word, not the guest. */
		log_warnx("domain %u: event channel %d is another's", d->domid,
			  local);
		hyp_unbind((unsigned)local);
		d->port = -1;
		return EINVAL;
	}
	return 0;
}

/*
 * INTRODUCE of a domain whose connection works: only its event channel
 * is made again.  Its ring, watches and transactions stay, and what it
 * queued on the ring meanwhile is answered at the end of this loop turn,
 * so no request is lost without a reply.
 */
static int
rebind(struct domain *d, unsigned port)
{
	int err = bind_port(d, port);

	if (err)
		return err;
	d->remote_port = port;
	d->state_dirty = true;
	conn_wake(d->conn);
	hyp_notify((unsigned)d->port);
	log_info("domain %u introduced again, event channel %u", d->domid,
		 port);
	return 0;
}

int
guest_introduce(unsigned domid, unsigned port)
{
	struct domain *d;
	int err;

	if ((d = domain_get(domid)) == NULL)
		return ENOMEM;
	/* dom0 served on the sockets: introducing it again changes nothing. */
	if (domid == priv_domid && d->introduced && d->intf == NULL &&
	    !hyp_available())
		return 0;
	if (!hyp_available())
		return ENOSYS;
	if (d->intf == NULL && (d->intf = hyp_map_ring(domid)) == NULL) {
		log_warn("domain %u: cannot map its ring page", domid);
		return errno == ESRCH ? ENOENT : EINVAL;
	}
	if (d->introduced && d->conn && !d->conn->closing)
		return rebind(d, port);
	drop_conn(d);
	if ((err = bind_port(d, port)))
		return err;
	d->intf->server_features = d->features;
	ring_reset(d->intf);
	d->intf->error = XENSTORE_ERROR_NONE;
	d->intf->connection = XENSTORE_CONNECTED;
	d->remote_port = port;
	if (attach(d) == NULL)
		return ENOMEM;
	hyp_notify((unsigned)d->port);
	if (!d->introduced && domid != priv_domid)
		fire_special("@introduceDomain", domid);
	d->introduced = true;
	log_info("domain %u introduced, event channel %u", domid, port);
	return 0;
}

struct conn *
guest_restore(unsigned domid, unsigned target, unsigned port)
{
	struct domain *d = domain_get(domid);
	struct conn *c;

	if (d == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	d->target = target;
	d->introduced = true;
	unbind(d);
	d->port = (int)port;
	if (RB_INSERT(ports, &ports, d) != NULL) {
		log_warnx("domain %u: event channel %u is another's", domid,
			  port);
		d->port = -1;
	}
	if (d->intf == NULL && (d->intf = hyp_map_ring(domid)) == NULL) {
		log_warn("domain %u: cannot map its ring page again", domid);
		errno = 0;
		return NULL;
	}
	if ((c = attach(d)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	/* It may have written while we were away, or wait for our reply. */
	conn_wake(c);
	if (d->port >= 0)
		hyp_notify((unsigned)d->port);
	return c;
}

/* The guest asked for a fresh connection (feature bit 1). */
static void
reconnect(struct domain *d)
{
	drop_conn(d);
	ring_reset(d->intf);
	d->intf->error = XENSTORE_ERROR_NONE;
	attach(d);
	d->intf->connection = XENSTORE_CONNECTED;
	hyp_notify((unsigned)d->port);
	log_info("domain %u reconnected", d->domid);
}

/*
 * Paths of the nodes a teardown changes, collected first (the store must
 * not change during a walk).  Memory may run out on the way: then the
 * walk stops, what was collected is done, and the walk starts again,
 * which finds only what is left (every change removes a node or its
 * entry naming the domain).  A walk that collects nothing gives up.
 */
struct owned {
	unsigned domid;
	void *ctx;
	char **paths;
	size_t n, cap;
};

/* Add n's path (nodes keep only their names: store.h); 0 or ENOMEM. */
static int
collect(struct owned *o, const struct node *n)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	char **grown;

	if (o->n == o->cap) {
		grown = talloc_realloc(o->ctx, o->paths, char *,
				       o->cap ? o->cap * 2 : 64);
		if (grown == NULL)
			return ENOMEM;
		o->paths = grown;
		o->cap = o->cap ? o->cap * 2 : 64;
	}
	node_path(n, buf, sizeof(buf));
	if ((o->paths[o->n] = talloc_strdup(o->paths, buf)) == NULL)
		return ENOMEM;
	o->n++;
	return 0;
}

static int
collect_owned(struct node *n, void *arg)
{
	struct owned *o = arg;

	if (node_perms(n)[0].id == o->domid)
		return collect(o, n);
	return 0;
}

static int
collect_named(struct node *n, void *arg)
{
	struct owned *o = arg;
	unsigned i;

	for (i = 1; i < n->nperms; i++)
		if (node_perms(n)[i].id == o->domid)
			return collect(o, n);
	return 0;
}

/* Without its permissions entries naming domid, or with a new owner. */
static int
rewrite_perms(struct node *n, unsigned domid, bool chown)
{
	struct perm p[n->nperms];
	unsigned i, k = 0;

	for (i = 0; i < n->nperms; i++) {
		p[k] = node_perms(n)[i];
		if (i == 0 && chown)
			p[k].id = priv_domid;
		if (i == 0 || p[k].id != domid)
			k++;
	}
	return store_update(n, NULL, 0, p, k);
}

/* Nodes the domain owned go (or pass to dom0); how many did. */
static size_t
drop_owned(struct owned *o, unsigned domid)
{
	struct node *n;
	size_t i, done = 0;

	for (i = 0; i < o->n; i++) {
		if ((n = store_lookup(o->paths[i])) == NULL)
			continue;
		/*
		 * "/" and the special nodes cannot go: like orphans kept by
		 * -K, they pass to dom0, so that no node stays owned by a
		 * domain we forget.
		 */
		if (!keep_orphans && node_parent(n) != NULL)
			store_rm(n);
		else if (rewrite_perms(n, domid, true) != 0)
			continue;
		done++;
	}
	return done;
}

/* Entries naming the domain go from others' nodes; how many went. */
static size_t
drop_named(struct owned *o, unsigned domid)
{
	struct node *n;
	size_t i, done = 0;

	for (i = 0; i < o->n; i++)
		if ((n = store_lookup(o->paths[i])) != NULL &&
		    rewrite_perms(n, domid, false) == 0)
			done++;
	return done;
}

/*
 * Walk from each root, collect with fn, then act; again while a walk was
 * cut short and its batch changed something.
 */
static void
walk_and_drop(unsigned domid, const char *const *roots, unsigned nroots,
	      int (*fn)(struct node *, void *),
	      size_t (*drop)(struct owned *, unsigned))
{
	struct owned o = {domid, NULL, NULL, 0, 0};
	struct node *n;
	unsigned i;
	size_t done;
	int err;

	do {
		if ((o.ctx = talloc_new(NULL)) == NULL) {
			err = ENOMEM;
			break;
		}
		err = 0;
		o.paths = NULL;
		o.n = o.cap = 0;
		for (i = 0; i < nroots && !err; i++)
			if ((n = store_lookup(roots[i])) != NULL)
				err = store_walk(n, fn, &o);
		done = drop(&o, domid);
		talloc_free(o.ctx);
	} while (err && done > 0);
	if (err)
		log_warnx("domain %u: out of memory: some of its nodes or "
			  "permissions entries stay",
			  domid);
}

static void
clean_nodes(unsigned domid)
{
	static const char *const roots[] = {"/", "@introduceDomain",
					    "@releaseDomain"};

	walk_and_drop(domid, roots, 3, collect_owned, drop_owned);
	walk_and_drop(domid, roots, 3, collect_named, drop_named);
	/*
	 * Removals in steps count their nodes out of their owners as they
	 * go: finish them while this domain's record is there to count.
	 */
	store_reap(SIZE_MAX);
}

static void
teardown(struct domain *d)
{
	unsigned domid = d->domid;

	drop_conn(d);
	unbind(d);
	hyp_unmap_ring(d->intf);
	d->intf = NULL;
	d->introduced = false;
	guest_state_forget(domid);
	clean_nodes(domid);
	fire_special("@releaseDomain", domid);
	log_info("domain %u released", domid);
	domain_forget(domid);
}

int
guest_release(unsigned domid)
{
	struct domain *d = domain_find(domid);

	if (domid == priv_domid)
		return EINVAL;
	if (d == NULL || !d->introduced)
		return ENOENT;
	teardown(d);
	return 0;
}

void
guest_set_target(unsigned domid, unsigned target)
{
	struct domain *d = domain_find(domid);

	d->target = target;
	d->state_dirty = true;
	if (d->conn)
		d->conn->who.target = target;
}

struct conn *
guest_reattach(unsigned domid, unsigned remote_port, uint32_t features,
	       unsigned target)
{
	struct domain *d = domain_get(domid);
	struct conn *c;

	if (d == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	d->introduced = true; /* so that its death is a teardown */
	d->features = features & DOMAIN_FEATURES_SUPPORTED;
	d->target = target;
	if (!hyp_available() || domid == priv_domid) {
		errno = EINVAL;
		return NULL;
	}
	if (hyp_domain_state(domid) == HYP_DOMAIN_DEAD ||
	    (d->intf == NULL && (d->intf = hyp_map_ring(domid)) == NULL)) {
		errno = ESRCH;
		return NULL;
	}
	if (bind_port(d, remote_port) != 0) {
		errno = EINVAL;
		return NULL;
	}
	d->remote_port = remote_port;
	if ((c = attach(d)) == NULL)
		return NULL;
	/* Requests may wait on the ring, with no event to come for them. */
	conn_wake(c);
	hyp_notify((unsigned)d->port);
	log_info("domain %u attached again, event channel %u", domid,
		 remote_port);
	return c;
}

bool
guest_domain_exists(unsigned domid)
{
	if (domid == priv_domid || !hyp_available())
		return true;
	return hyp_domain_state(domid) != HYP_DOMAIN_DEAD;
}

struct scan {
	struct domain *dead; /* linked through next_dead */
	bool shutdown_seen;
};

static void
scan_domain(struct domain *d, void *arg)
{
	struct scan *s = arg;

	if (!d->introduced || d->domid == priv_domid)
		return;
	switch (hyp_domain_state(d->domid)) {
	case HYP_DOMAIN_DEAD:
		d->next_dead = s->dead;
		s->dead = d;
		break;
	case HYP_DOMAIN_SHUTDOWN:
		if (!d->shutdown_noticed) {
			d->shutdown_noticed = true;
			s->shutdown_seen = true;
			fire_special("@releaseDomain", d->domid);
		}
		break;
	default:
		break;
	}
}

/* VIRQ_DOM_EXC: some domain changed state; find out which. */
void
guest_check_domains(void)
{
	struct scan s = {NULL, false};
	struct domain *d;

	domain_foreach(scan_domain, &s);
	while ((d = s.dead) != NULL) {
		s.dead = d->next_dead;
		teardown(d);
	}
}

void
guest_event(void)
{
	struct domain *d, key;
	/* One port per call: pending() blocks when none is, as in Xen. */
	int port = hyp_pending();

	if (port < 0)
		return;
	if (port == hyp_virq_port()) {
		guest_check_domains();
		return;
	}
	key.port = port;
	d = RB_FIND(ports, &ports, &key);
	if (d == NULL || d->intf == NULL)
		return;
	if (d->intf->connection == XENSTORE_RECONNECT &&
	    (d->features & XENSTORE_SERVER_FEATURE_RECONNECTION))
		reconnect(d);
	else if (d->conn)
		conn_kick(d->conn);
}
