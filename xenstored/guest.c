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
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>

#include "conn.h"
#include "domain.h"
#include "guest.h"
#include "hyp.h"
#include "log.h"
#include "ring.h"
#include "ring_conn.h"
#include "store.h"
#include "txn.h"
#include "watch.h"

static unsigned priv_domid;
static bool keep_orphans;
static GHashTable *by_port; /* local port -> struct domain */

void
guest_init(unsigned priv, bool keep)
{
	priv_domid = priv;
	keep_orphans = keep;
	by_port = g_hash_table_new(g_direct_hash, g_direct_equal);
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
	struct watch_perms ps = { n ? node_perms(n) : NULL, n ? n->nperms : 0 };

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
		g_hash_table_remove(by_port, GINT_TO_POINTER(d->port));
		hyp_unbind((unsigned)d->port);
	}
	d->port = -1;
}

static struct conn *
attach(struct domain *d)
{
	struct conn *c = conn_new(-1, &ring_conn_transport, d, d->domid,
				  d->domid == priv_domid, false);

	if (c == NULL)
		return NULL;
	c->transport_data = d;
	c->who.target = d->target;
	d->conn = c;
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
	g_hash_table_insert(by_port, GINT_TO_POINTER(local), d);
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
	if (d->intf == NULL &&
	    (d->intf = hyp_map_ring(domid)) == NULL) {
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
	if (attach(d) == NULL)
		return ENOMEM;
	hyp_notify((unsigned)d->port);
	if (!d->introduced && domid != priv_domid)
		fire_special("@introduceDomain", domid);
	d->introduced = true;
	log_info("domain %u introduced, event channel %u", domid, port);
	return 0;
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

struct owned {
	unsigned domid;
	GPtrArray *paths;
};

/* n's path, g_malloc'd: nodes keep only their names (store.h). */
static char *
path_of(const struct node *n)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];

	node_path(n, buf, sizeof(buf));
	return g_strdup(buf);
}

static int
collect_owned(struct node *n, void *arg)
{
	struct owned *o = arg;

	if (node_perms(n)[0].id == o->domid)
		g_ptr_array_add(o->paths, path_of(n));
	return 0;
}

static int
collect_named(struct node *n, void *arg)
{
	struct owned *o = arg;
	unsigned i;

	for (i = 1; i < n->nperms; i++)
		if (node_perms(n)[i].id == o->domid) {
			g_ptr_array_add(o->paths, path_of(n));
			break;
		}
	return 0;
}

/* Without its permissions entries naming domid, or with a new owner. */
static void
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
	store_update(n, NULL, 0, p, k);
}

/* Nodes the domain owned go (or pass to dom0); entries naming it go. */
static void
clean_nodes(unsigned domid)
{
	static const char *const roots[] = { "/", "@introduceDomain",
					     "@releaseDomain" };
	struct owned o = { domid, g_ptr_array_new_with_free_func(g_free) };
	struct node *n;
	unsigned i;

	for (i = 0; i < 3; i++)
		if ((n = store_lookup(roots[i])) != NULL)
			store_walk(n, collect_owned, &o);
	for (i = 0; i < o.paths->len; i++) {
		n = store_lookup(o.paths->pdata[i]);
		if (n == NULL)
			continue;
		/*
		 * "/" and the special nodes cannot go: like orphans kept by
		 * -K, they pass to dom0, so that no node stays owned by a
		 * domain we forget.
		 */
		if (keep_orphans || node_parent(n) == NULL)
			rewrite_perms(n, domid, true);
		else
			store_rm(n);
	}
	g_ptr_array_set_size(o.paths, 0);
	for (i = 0; i < 3; i++)
		if ((n = store_lookup(roots[i])) != NULL)
			store_walk(n, collect_named, &o);
	for (i = 0; i < o.paths->len; i++)
		if ((n = store_lookup(o.paths->pdata[i])) != NULL)
			rewrite_perms(n, domid, false);
	g_ptr_array_free(o.paths, TRUE);
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
	if (d->conn)
		d->conn->who.target = target;
}

bool
guest_domain_exists(unsigned domid)
{
	if (domid == priv_domid || !hyp_available())
		return true;
	return hyp_domain_state(domid) != HYP_DOMAIN_DEAD;
}

struct scan {
	GPtrArray *dead;
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
		g_ptr_array_add(s->dead, d);
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
static void
check_domains(void)
{
	struct scan s = { g_ptr_array_new(), false };
	guint i;

	domain_foreach(scan_domain, &s);
	for (i = 0; i < s.dead->len; i++)
		teardown(s.dead->pdata[i]);
	g_ptr_array_free(s.dead, TRUE);
}

void
guest_event(void)
{
	struct domain *d;
	/* One port per call: pending() blocks when none is, as in Xen. */
	int port = hyp_pending();

	if (port < 0)
		return;
	if (port == hyp_virq_port()) {
		check_domains();
		return;
	}
	d = g_hash_table_lookup(by_port, GINT_TO_POINTER(port));
	if (d == NULL || d->intf == NULL)
		return;
	if (d->intf->connection == XENSTORE_RECONNECT &&
	    (d->features & XENSTORE_SERVER_FEATURE_RECONNECTION))
		reconnect(d);
	else if (d->conn)
		conn_kick(d->conn);
}
