/* SPDX-License-Identifier: MIT */
/*
 * The frontend drivers (front.h): one struct fdev per device directory
 * under ~/device/vbd and ~/device/vif (one watch on ~/device finds
 * them), holding the pages it granted and the event channels it
 * allocated.  Runs on the driver thread only, so
 * the device list needs no lock.  The backend's side is back.c.
 *
 * State by state (the backend's state drives us; docs/drivers.md):
 *
 *   backend 1            nothing yet
 *   backend 2, 3 or 4    grant ring page(s) and allocate a channel per
 *                        queue, publish them and go Initialised (3), in
 *                        one transaction
 *   backend 4            check the backend's answer in every page and the
 *                        notification on every channel, go Connected (4)
 *   backend 5 or 6       end the grants, unbind the channels, go Closing
 *                        (5) then Closed (6)
 *   our directory gone   release what is left, forget it
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenevtchn.h>
#include <xengnttab.h>

#include "xenstore.h"

#include "front.h"
#include "xenbus.h"

#define MAX_QUEUES 16
#define MAX_RINGS 2 /* vif: tx and rx */

struct fqueue {
	struct xenbus_ring_hdr *page[MAX_RINGS];
	uint32_t ref[MAX_RINGS];
	int port; /* -1: none */
	bool notified;
};

struct fdev {
	struct fdev *next;
	char kind[4];
	unsigned devid;
	char node[128];	   /* /local/domain/<d>/device/<kind>/<devid> */
	char backend[128]; /* its backend's directory */
	char bstate[160];  /* backend/state, watched */
	unsigned backend_id;
	bool shared; /* granted, published */
	bool connected;
	bool closed;
	bool failed; /* error reported: no more handshake */
	unsigned nq, nrings;
	struct fqueue q[MAX_QUEUES];
	xengntshr_handle *gs;
	xenevtchn_handle *xce;
};

static struct fdev *devices;
static int hold = 99; /* never write this state or beyond (-H) */

static void front_event(const char *path);
static void front_stop(void);

static const struct xenbus_driver driver = {
	.name = "front",
	.event = front_event,
	.stop = front_stop,
};

static void
switch_state(struct fdev *d, int state)
{
	if (state < hold)
		xenbus_switch_state(d->node, state);
}

/* Report, stop the handshake, and tell the backend we are closing. */
static void __attribute__((format(printf, 2, 3)))
fail(struct fdev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xenbus_dev_verror(d->node, fmt, ap);
	va_end(ap);
	d->failed = true;
	switch_state(d, XenbusStateClosing);
}

/* Give back every page and channel; the device may set up again. */
static void
release(struct fdev *d)
{
	unsigned i, r;

	for (i = 0; i < MAX_QUEUES; i++) {
		for (r = 0; r < MAX_RINGS; r++) {
			if (d->q[i].page[r] != NULL &&
			    xengntshr_unshare(d->gs, d->q[i].page[r], 1) < 0)
				fprintf(stderr,
					"xsim-guest: %s: ending grant %u: "
					"%s\n",
					d->node, d->q[i].ref[r],
					strerror(errno));
			d->q[i].page[r] = NULL;
		}
		d->q[i].port = -1;
		d->q[i].notified = false;
	}
	/* Closing the handle unbinds its ports; the backend's go unbound. */
	if (d->xce != NULL)
		xenevtchn_close(d->xce);
	if (d->gs != NULL)
		xengntshr_close(d->gs);
	d->xce = NULL;
	d->gs = NULL;
	d->nq = 0;
	d->shared = d->connected = false;
}

/* The guest's vcpus: the entries under ~/cpu (1 if none). */
static unsigned
vcpus(void)
{
	char path[64];
	unsigned n = 0;
	char **names;

	snprintf(path, sizeof(path), "%s/cpu", xenbus_home());
	names = xs_directory(xenbus_xs(), XBT_NULL, path, &n);
	free(names);
	return names == NULL || n == 0 ? 1 : n;
}

/* Grant queue i's page(s) and allocate its channel; 0 or -1 (reported). */
static int
share_queue(struct fdev *d, unsigned i)
{
	struct fqueue *q = &d->q[i];
	unsigned r;

	for (r = 0; r < d->nrings; r++) {
		q->page[r] = xengntshr_share_pages(d->gs, d->backend_id, 1,
						   &q->ref[r], 1);
		if (q->page[r] == NULL) {
			fail(d,
			     "granting a ring page of queue %u to domain "
			     "%u: %s",
			     i, d->backend_id, strerror(errno));
			return -1;
		}
		memset(q->page[r], 0, sizeof(*q->page[r]));
		memcpy(q->page[r]->front_magic, XENBUS_RING_FRONT_MAGIC,
		       sizeof(XENBUS_RING_FRONT_MAGIC));
		q->page[r]->front_queue = i;
		q->page[r]->front_ring = r;
	}
	q->port = xenevtchn_bind_unbound_port(d->xce, d->backend_id);
	if (q->port < 0) {
		fail(d,
		     "allocating an event channel of queue %u for domain "
		     "%u: %s",
		     i, d->backend_id, strerror(errno));
		return -1;
	}
	return 0;
}

/* The keys of queue i, top-level for one queue, else under queue-<i>/. */
static void
queue_keys(struct fdev *d, unsigned i, struct xenbus_kv *kv, unsigned *n)
{
	static const char *const vif_rings[] = {"tx-ring-ref", "rx-ring-ref"};
	char key[64];
	unsigned r;

	for (r = 0; r < d->nrings; r++) {
		if (d->nq == 1)
			snprintf(key, sizeof(key), "%s",
				 d->nrings == 1 ? "ring-ref" : vif_rings[r]);
		else
			snprintf(key, sizeof(key), "queue-%u/%s", i,
				 d->nrings == 1 ? "ring-ref" : vif_rings[r]);
		xenbus_kv_add(kv, n, key, "%u", d->q[i].ref[r]);
	}
	if (d->nq == 1)
		snprintf(key, sizeof(key), "event-channel");
	else
		snprintf(key, sizeof(key), "queue-%u/event-channel", i);
	xenbus_kv_add(kv, n, key, "%d", d->q[i].port);
}

/* Backend InitWait: rings, channels, keys and Initialised. */
static void
set_up(struct fdev *d)
{
	struct xenbus_kv kv[4 * MAX_QUEUES + 8];
	unsigned maxq = 1, n = 0, i;
	bool mq;

	mq = xenbus_read_uint(d->backend, "multi-queue-max-queues", &maxq) == 0;
	if (!mq || maxq == 0)
		maxq = 1;
	d->nq = vcpus();
	if (d->nq > maxq)
		d->nq = maxq;
	if (d->nq > MAX_QUEUES)
		d->nq = MAX_QUEUES;
	d->gs = xengntshr_open(NULL, 0);
	d->xce = xenevtchn_open(NULL, 0);
	if (d->gs == NULL || d->xce == NULL) {
		fail(d, "opening the grant and event channel devices: %s",
		     strerror(errno));
		release(d);
		return;
	}
	for (i = 0; i < d->nq; i++) {
		if (share_queue(d, i) < 0) {
			release(d);
			return;
		}
		queue_keys(d, i, kv, &n);
	}
	if (mq)
		xenbus_kv_add(kv, &n, "multi-queue-num-queues", "%u", d->nq);
	if (d->nrings == 1) {
		xenbus_kv_add(kv, &n, "protocol", "x86_64-abi");
	} else {
		xenbus_kv_add(kv, &n, "request-rx-copy", "1");
		xenbus_kv_add(kv, &n, "feature-rx-notify", "1");
	}
	if (XenbusStateInitialised < hold)
		xenbus_kv_add(kv, &n, "state", "%d", XenbusStateInitialised);
	if (xenbus_write_keys(d->node, kv, n) < 0) {
		if (errno != ENOENT)
			fail(d, "publishing the rings: %s", strerror(errno));
		release(d);
		return;
	}
	d->shared = true;
}

/* Which of our ports the backend notified, from the pending events. */
static void
collect_notifications(struct fdev *d)
{
	struct pollfd pfd = {.fd = xenevtchn_fd(d->xce), .events = POLLIN};
	unsigned i;
	int p;

	while (poll(&pfd, 1, 0) == 1) {
		p = xenevtchn_pending(d->xce);
		if (p < 0)
			return;
		for (i = 0; i < d->nq; i++)
			if (d->q[i].port == p)
				d->q[i].notified = true;
		xenevtchn_unmask(d->xce, (evtchn_port_t)p);
	}
}

/* vbd: whether the backend published the disk's size (may pass 2^32). */
static bool
has_sectors(struct fdev *d)
{
	char *v = xenbus_read_key(d->backend, "sectors");
	bool ok = v != NULL && v[0] != '\0' &&
		  strspn(v, "0123456789") == strlen(v);

	free(v);
	return ok;
}

/* Backend Connected: its answer in every page, then Connected. */
static void
connect(struct fdev *d)
{
	const struct xenbus_ring_hdr *h;
	unsigned i, r;

	collect_notifications(d);
	for (i = 0; i < d->nq; i++) {
		for (r = 0; r < d->nrings; r++) {
			h = d->q[i].page[r];
			if (memcmp(h->back_magic, XENBUS_RING_BACK_MAGIC,
				   sizeof(XENBUS_RING_BACK_MAGIC)) != 0 ||
			    h->back_queue != i || h->back_ring != r) {
				fail(d,
				     "queue %u: the backend did not answer "
				     "in ring-ref %u",
				     i, d->q[i].ref[r]);
				return;
			}
		}
		if (!d->q[i].notified) {
			fail(d,
			     "queue %u: no event from the backend on "
			     "event-channel %d",
			     i, d->q[i].port);
			return;
		}
	}
	if (d->nrings == 1 && !has_sectors(d)) {
		fail(d, "the backend gave no sectors");
		return;
	}
	switch_state(d, XenbusStateConnected);
	d->connected = true;
}

/* Run the handshake as far as the backend's state allows. */
static void
step(struct fdev *d)
{
	int bs = xenbus_read_state(d->backend);

	if (bs == XenbusStateClosing || bs == XenbusStateClosed) {
		if (!d->closed) {
			/*
			 * As Linux's blkfront: free the rings, then say
			 * Closed.  The toolstack removes the device (and may
			 * destroy the domain) only once the backend followed
			 * our Closed, so no hypercall of ours is cut short.
			 */
			release(d);
			switch_state(d, XenbusStateClosing);
			switch_state(d, XenbusStateClosed);
			d->closed = true;
		}
		return;
	}
	if (d->failed || d->closed || bs < XenbusStateInitWait)
		return;
	if (!d->shared)
		set_up(d);
	if (d->shared && !d->connected && bs == XenbusStateConnected)
		connect(d);
}

static struct fdev *
find(const char *kind, unsigned devid)
{
	struct fdev *d;

	for (d = devices; d != NULL; d = d->next)
		if (strcmp(d->kind, kind) == 0 && d->devid == devid)
			return d;
	return NULL;
}

static void
forget(struct fdev *d)
{
	struct fdev **pp;

	xenbus_unwatch(&driver, d->bstate);
	release(d);
	for (pp = &devices; *pp != d; pp = &(*pp)->next)
		;
	*pp = d->next;
	free(d);
}

/* A new device directory: its backend, and a watch on the backend. */
static void
probe(const char *kind, unsigned devid)
{
	struct fdev *d = calloc(1, sizeof(*d));
	char *be = NULL;
	unsigned i;

	if (d == NULL)
		return;
	snprintf(d->kind, sizeof(d->kind), "%s", kind);
	d->devid = devid;
	d->nrings = strcmp(kind, "vif") == 0 ? 2 : 1;
	for (i = 0; i < MAX_QUEUES; i++)
		d->q[i].port = -1;
	snprintf(d->node, sizeof(d->node), "%s/device/%s/%u", xenbus_home(),
		 kind, devid);
	be = xenbus_read_key(d->node, "backend");
	if (be == NULL || be[0] != '/' || strlen(be) >= sizeof(d->backend) ||
	    xenbus_read_uint(d->node, "backend-id", &d->backend_id) < 0) {
		/* Not written yet, or not ours to drive. */
		free(be);
		free(d);
		return;
	}
	snprintf(d->backend, sizeof(d->backend), "%s", be);
	snprintf(d->bstate, sizeof(d->bstate), "%s/state", be);
	free(be);
	xenbus_clear_error(d->node);
	d->next = devices;
	devices = d;
	/* Its first event runs step(). */
	if (xenbus_watch(&driver, d->bstate) < 0)
		fprintf(stderr, "xsim-guest: %s: cannot watch %s: %s\n",
			d->node, d->bstate, strerror(errno));
}

/*
 * Whether d's directory was removed and made again before we saw the
 * removal: the toolstack wrote state 1 after we had moved on (with -H 3
 * and below, state 1 is ours to keep while set up).
 */
static bool
stale(struct fdev *d)
{
	bool moved = d->closed || d->failed ||
		     (d->shared && hold > XenbusStateInitialised);

	return moved && xenbus_read_state(d->node) == XenbusStateInitialising;
}

/* The device directory kind/devid changed: new, gone, or nothing. */
static void
sync_device(const char *kind, unsigned devid)
{
	char path[160];
	struct fdev *d = find(kind, devid);

	snprintf(path, sizeof(path), "%s/device/%s/%u", xenbus_home(), kind,
		 devid);
	if (!xenbus_exists(path)) {
		if (d != NULL)
			forget(d);
	} else if (d == NULL) {
		probe(kind, devid);
	} else if (stale(d)) {
		forget(d);
		probe(kind, devid);
	}
}

/* device/<kind> changed as a whole: find new devices and removed ones. */
static void
rescan(const char *kind)
{
	struct fdev *d, *next;
	char path[160];
	char **names;
	unsigned n = 0, i;

	snprintf(path, sizeof(path), "%s/device/%s", xenbus_home(), kind);
	names = xs_directory(xenbus_xs(), XBT_NULL, path, &n);
	for (i = 0; names != NULL && i < n; i++)
		sync_device(kind, (unsigned)strtoul(names[i], NULL, 10));
	free(names);
	for (d = devices; d != NULL; d = next) {
		next = d->next;
		if (strcmp(d->kind, kind) == 0)
			sync_device(kind, d->devid);
	}
}

static bool
known_kind(const char *kind)
{
	return strcmp(kind, "vbd") == 0 || strcmp(kind, "vif") == 0;
}

static void
front_event(const char *path)
{
	char prefix[64], buf[256], *c[4];
	struct fdev *d, *next;
	int n;

	snprintf(prefix, sizeof(prefix), "%s/device", xenbus_home());
	n = xenbus_split(path, prefix, buf, sizeof(buf), c, 4);
	if (n == 0) {
		rescan("vbd");
		rescan("vif");
		return;
	}
	if (n >= 1 && known_kind(c[0])) {
		if (n == 1)
			rescan(c[0]);
		else if (n == 2 || find(c[0], (unsigned)atoi(c[1])) == NULL)
			sync_device(c[0], (unsigned)strtoul(c[1], NULL, 10));
		/* Deeper: our own keys, or the toolstack's; nothing to do. */
		return;
	}
	/* A backend's state, or (removed) one of its parents. */
	for (d = devices; d != NULL; d = next) {
		next = d->next;
		if (xs_path_is_subpath(path, d->bstate))
			step(d);
	}
}

static void
front_stop(void)
{
	while (devices != NULL) {
		struct fdev *d = devices;

		devices = d->next;
		release(d);
		free(d);
	}
}

/*
 * One watch on ~/device covers device/vbd and device/vif, as Linux's
 * xenbus does: a guest's watches count against its quota.
 */
int
front_start(int h)
{
	char path[64];

	if (h > 0)
		hold = h;
	if (xenbus_add_driver(&driver) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/device", xenbus_home());
	return xenbus_watch(&driver, path);
}
