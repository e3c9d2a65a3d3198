/* SPDX-License-Identifier: MIT */
/*
 * Guests' rings (guest.h): INTRODUCE, the ring transport, event channel
 * dispatch, reconnection, and the teardown of a released or dead domain
 * (release.c cleans up after it in the tree).
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

#include "conn.h"
#include "domain.h"
#include "guest.h"
#include "guest_state.h"
#include "hyp.h"
#include "log.h"
#include "ring.h"
#include "release.h"
#include "ring_conn.h"
#include "store.h"
#include "txn.h"
#include "watch.h"

static unsigned priv_domid;

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
	RB_INIT(&ports);
	release_init(priv, keep);
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

	if ((d = domain_find(domid)) != NULL && d->releasing)
		release_finish(); /* its new life starts clean */
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
	fire_special("@releaseDomain", domid);
	log_info("domain %u released", domid);
	release_queue(d);
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

/*
 * Our end of a's event channel: the one the exec kept (a live update),
 * or a new binding to the guest's end (a crash).  0 or EINVAL.
 */
static int
reattach_port(struct domain *d, const struct guest_attach *a)
{
	int remote;

	if (a->local_port < 0)
		return bind_port(d, a->remote_port);
	/*
	 * Xen's stream has our end only: a crash would need the guest's.
	 * Not dom0's: a dom0 daemon serves dom0 on its sockets, and Xen's
	 * daemon under ../shared/bench's shim has a dom0 ring and no
	 * hypervisor to ask (its xc_interface is a stand-in).
	 */
	if (d->remote_port == 0 && d->domid != 0) {
		remote = hyp_remote_port(d->domid, (unsigned)a->local_port);
		if (remote > 0) {
			d->remote_port = (unsigned)remote;
			d->state_dirty = true;
		} else
			log_warn("domain %u: its end of event channel %d",
				 d->domid, a->local_port);
	}
	unbind(d);
	d->port = a->local_port;
	if (RB_INSERT(ports, &ports, d) != NULL) {
		log_warnx("domain %u: event channel %d is another's", d->domid,
			  a->local_port);
		d->port = -1;
		return EINVAL;
	}
	return 0;
}

struct conn *
guest_reattach(const struct guest_attach *a)
{
	struct domain *d = domain_get(a->domid);
	struct conn *c;
	bool dead;
	int err;

	if (d == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	d->introduced = true; /* so that its death is a teardown */
	d->target = a->target;
	if (a->features != GUEST_FEATURES_KEPT)
		d->features = a->features & DOMAIN_FEATURES_SUPPORTED;
	if (a->remote_port)
		d->remote_port = a->remote_port;
	if (!hyp_available()) {
		errno = EINVAL;
		return NULL;
	}
	/* A port kept across exec is ours still: the teardown unbinds it. */
	dead = hyp_domain_state(a->domid) == HYP_DOMAIN_DEAD;
	if (dead && a->local_port < 0) {
		errno = ESRCH;
		return NULL;
	}
	if ((err = reattach_port(d, a)) != 0 || dead) {
		errno = dead ? ESRCH : err;
		return NULL;
	}
	if (d->intf == NULL && (d->intf = hyp_map_ring(a->domid)) == NULL) {
		log_warn("domain %u: cannot map its ring page again", a->domid);
		errno = ENXIO;
		return NULL;
	}
	if ((c = attach(d)) == NULL)
		return NULL;
	/* Requests may wait on the ring, with no event to come for them. */
	conn_wake(c);
	hyp_notify((unsigned)d->port);
	log_info("domain %u attached again, event channel %d", a->domid,
		 d->port);
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

/* One port that fired: its ring, or the domains' states for the VIRQ. */
static void
port_event(int port)
{
	struct domain *d, key;

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

/*
 * Every port that fired, up to PORTS_PER_WAKEUP: sixteen guests that
 * each sent a request are served in one loop turn, and their replies
 * leave in one flush, instead of one turn (and one flush) per guest.
 * What is left fires again (the descriptor is level-triggered).
 */
#define PORTS_PER_WAKEUP 256

void
guest_event(void)
{
	int port, i;

	for (i = 0; i < PORTS_PER_WAKEUP && (port = hyp_pending()) >= 0; i++)
		port_event(port);
}
