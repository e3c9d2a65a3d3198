/* SPDX-License-Identifier: MIT */
/*
 * The backend drivers (back.h): one struct bdev per directory under
 * /local/domain/<self>/backend/vbd/<domU>/<devid> and .../vif/..., with
 * the frontend's pages it mapped and the channels it bound.  Runs on the
 * driver thread only, so the device list needs no lock.  What a backend
 * advertises and its simulated network interface are backinfo.c's.
 *
 * State by state (docs/drivers.md):
 *
 *   ours 1                       publish features, go InitWait (2)
 *   hotplug-status error/busy    report it, go Closed (6)
 *   hotplug-status connected and the frontend 3 or 4
 *                                map every ring, bind every channel,
 *                                answer in the page, notify, Connected (4)
 *   ours 5 (the toolstack's) and the frontend 5, 6 or gone; the frontend
 *   6; the frontend's domain dead
 *                                unmap, unbind, go Closed (6)
 *   the frontend 5               unmap, unbind, go Closing (5)
 *   our directory gone           release what is left, forget it
 *
 * Every step re-reads the states, so an event more or less changes
 * nothing: the step is idempotent.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "xenstore.h"

#include "back.h"
#include "backinfo.h"
#include "xenbus.h"

#define MAX_QUEUES 16
#define MAX_RINGS 2 /* vif: tx and rx */

struct bqueue {
	struct xenbus_ring_hdr *page[MAX_RINGS];
	int port; /* our local port, -1: none */
};

struct bdev {
	struct bdev *next;
	char kind[4];
	unsigned domu, devid;
	char node[128];	  /* our directory */
	char front[128];  /* the frontend's directory */
	char fstate[160]; /* front/state, watched */
	bool watching;
	bool probed; /* features published */
	bool connected;
	bool closed;
	bool failed; /* error reported: no more handshake */
	ino_t link;  /* the simulated interface's inode, 0: none */
	unsigned nq, nrings;
	struct bqueue q[MAX_QUEUES];
	xengnttab_handle *gt;
	xenevtchn_handle *xce;
};

static struct bdev *devices;
static unsigned max_queues = 4;
static xc_interface *xch;
static char prefix[64]; /* /local/domain/<self>/backend */

static void back_event(const char *path);
static void back_stop(void);

static const struct xenbus_driver driver = {
	.name = "back",
	.event = back_event,
	.stop = back_stop,
};

/* Unmap every page and unbind every channel (the handles go too). */
static void
disconnect(struct bdev *d)
{
	unsigned i, r;

	for (i = 0; i < MAX_QUEUES; i++) {
		for (r = 0; r < MAX_RINGS; r++) {
			if (d->q[i].page[r] != NULL)
				xengnttab_unmap(d->gt, d->q[i].page[r], 1);
			d->q[i].page[r] = NULL;
		}
		d->q[i].port = -1;
	}
	if (d->xce != NULL)
		xenevtchn_close(d->xce);
	if (d->gt != NULL)
		xengnttab_close(d->gt);
	d->xce = NULL;
	d->gt = NULL;
	d->nq = 0;
	d->connected = false;
}

/* Everything the device holds, the simulated interface included. */
static void
release(struct bdev *d)
{
	disconnect(d);
	if (d->link != 0)
		backinfo_unlink(d->link);
	d->link = 0;
}

static void
close_device(struct bdev *d)
{
	release(d);
	xenbus_switch_state(d->node, XenbusStateClosed);
	d->closed = true;
}

/* Report, give back what the handshake took, go Closing. */
static void __attribute__((format(printf, 2, 3)))
fail(struct bdev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xenbus_dev_verror(d->node, fmt, ap);
	va_end(ap);
	d->failed = true;
	disconnect(d);
	xenbus_switch_state(d->node, XenbusStateClosing);
}

/* The key of queue i: top-level for one queue, else queue-<i>/key. */
static int
read_queue_key(struct bdev *d, unsigned i, const char *key, unsigned *val)
{
	char k[64];

	if (d->nq == 1)
		snprintf(k, sizeof(k), "%s", key);
	else
		snprintf(k, sizeof(k), "queue-%u/%s", i, key);
	if (xenbus_read_uint(d->front, k, val) == 0)
		return 0;
	fail(d, "frontend gave no %s for queue %u", key, i);
	return -1;
}

/* Map queue i's rings, check the frontend's header, bind its channel. */
static int
connect_queue(struct bdev *d, unsigned i)
{
	static const char *const vif_rings[] = {"tx-ring-ref", "rx-ring-ref"};
	struct bqueue *q = &d->q[i];
	struct xenbus_ring_hdr *h;
	unsigned ref, port, r;
	const char *key;

	for (r = 0; r < d->nrings; r++) {
		key = d->nrings == 1 ? "ring-ref" : vif_rings[r];
		if (read_queue_key(d, i, key, &ref) < 0)
			return -1;
		h = xengnttab_map_grant_ref(d->gt, d->domu, ref,
					    PROT_READ | PROT_WRITE);
		if (h == NULL) {
			fail(d, "mapping %s %u of domain %u: %s", key, ref,
			     d->domu, strerror(errno));
			return -1;
		}
		q->page[r] = h;
		if (memcmp(h->front_magic, XENBUS_RING_FRONT_MAGIC,
			   sizeof(XENBUS_RING_FRONT_MAGIC)) != 0 ||
		    h->front_queue != i || h->front_ring != r) {
			fail(d, "%s %u of domain %u is not queue %u's ring",
			     key, ref, d->domu, i);
			return -1;
		}
	}
	if (read_queue_key(d, i, "event-channel", &port) < 0)
		return -1;
	q->port = xenevtchn_bind_interdomain(d->xce, d->domu, port);
	if (q->port < 0) {
		fail(d, "binding event-channel %u of domain %u: %s", port,
		     d->domu, strerror(errno));
		return -1;
	}
	return 0;
}

/* Answer in every page, then notify: the frontend checks both. */
static void
answer(struct bdev *d)
{
	unsigned i, r;

	for (i = 0; i < d->nq; i++) {
		for (r = 0; r < d->nrings; r++) {
			struct xenbus_ring_hdr *h = d->q[i].page[r];

			h->back_queue = i;
			h->back_ring = r;
			memcpy(h->back_magic, XENBUS_RING_BACK_MAGIC,
			       sizeof(XENBUS_RING_BACK_MAGIC));
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		xenevtchn_notify(d->xce, (evtchn_port_t)d->q[i].port);
	}
}

/* The frontend is Initialised and the script ran: Connected. */
static void
connect(struct bdev *d)
{
	unsigned i;

	d->nq = 1;
	if (xenbus_read_uint(d->front, "multi-queue-num-queues", &d->nq) < 0 &&
	    errno != ENOENT) {
		fail(d, "frontend gave a bad multi-queue-num-queues");
		return;
	}
	if (d->nq == 0 || d->nq > max_queues) {
		fail(d, "frontend asked for %u queues, at most %u", d->nq,
		     max_queues);
		return;
	}
	d->gt = xengnttab_open(NULL, 0);
	d->xce = xenevtchn_open(NULL, 0);
	if (d->gt == NULL || d->xce == NULL) {
		fail(d, "opening the grant and event channel devices: %s",
		     strerror(errno));
		return;
	}
	for (i = 0; i < d->nq; i++)
		if (connect_queue(d, i) < 0)
			return;
	answer(d);
	d->connected = true;
	xenbus_switch_state(d->node, XenbusStateConnected);
}

/* Whether the frontend's domain is dead or dying, or its device gone. */
static bool
frontend_gone(struct bdev *d)
{
	xc_dominfo_t info;
	char *v = xenbus_read(d->front);

	/*
	 * EACCES counts as gone: a dead guest's nodes pass to dom0 and lose
	 * the entry that let a driver domain read them.
	 */
	free(v);
	if (v == NULL && (errno == ENOENT || errno == EACCES))
		return true;
	if (xch == NULL)
		return false;
	switch (xc_domain_getinfo(xch, d->domu, 1, &info)) {
	case -1:
		return false; /* cannot tell: xenstore will */
	case 0:
		return true;
	default:
		return info.domid != d->domu || info.dying;
	}
}

/* Closing rules; true when the device is (now) closed or closing. */
static bool
step_close(struct bdev *d, int st, int fs)
{
	if (st == XenbusStateClosed) {
		release(d);
		d->closed = true;
		return true;
	}
	if (frontend_gone(d) || fs == XenbusStateClosed ||
	    (st == XenbusStateClosing && fs == XenbusStateClosing)) {
		close_device(d);
		return true;
	}
	if (fs == XenbusStateClosing) {
		disconnect(d);
		if (st != XenbusStateClosing)
			xenbus_switch_state(d->node, XenbusStateClosing);
		return true;
	}
	return st == XenbusStateClosing;
}

/*
 * hotplug-status: 1 "connected", 0 not yet, -1 the script failed (then
 * reported, and the device Closed).
 */
static int
hotplug_state(struct bdev *d)
{
	char *hs = xenbus_read_key(d->node, "hotplug-status"), *err;
	int r = hs != NULL && strcmp(hs, "connected") == 0;

	if (hs != NULL &&
	    (strcmp(hs, "error") == 0 || strcmp(hs, "busy") == 0)) {
		err = xenbus_read_key(d->node, "hotplug-error");
		xenbus_dev_error(d->node, "hotplug script failed: %s",
				 err != NULL ? err : hs);
		free(err);
		d->failed = true;
		close_device(d);
		r = -1;
	}
	free(hs);
	return r;
}

/*
 * Run the handshake as far as the states allow.  A failed script is
 * looked at first: the toolstack answers it with Closing at once, and
 * the failure must still be reported.
 */
static void
step(struct bdev *d)
{
	int st, fs, hp = 0;

	if (d->closed)
		return;
	st = xenbus_read_state(d->node);
	fs = xenbus_read_state(d->front);
	if (d->probed && (hp = hotplug_state(d)) < 0)
		return;
	if (step_close(d, st, fs) || d->failed)
		return;
	if (!d->probed) {
		if (st == XenbusStateInitialising &&
		    backinfo_publish(d->node, d->kind, d->domu, d->devid,
				     max_queues, &d->link) < 0) {
			if (errno != ENOENT)
				fail(d, "publishing its features: %s",
				     strerror(errno));
			return;
		}
		d->probed = true;
		if ((hp = hotplug_state(d)) < 0)
			return;
	}
	if (hp == 1 && !d->connected &&
	    (fs == XenbusStateInitialised || fs == XenbusStateConnected))
		connect(d);
}

static struct bdev *
find(const char *kind, unsigned domu, unsigned devid)
{
	struct bdev *d;

	for (d = devices; d != NULL; d = d->next)
		if (strcmp(d->kind, kind) == 0 && d->domu == domu &&
		    d->devid == devid)
			return d;
	return NULL;
}

static void
forget(struct bdev *d)
{
	struct bdev **pp;

	if (d->watching)
		xenbus_unwatch(&driver, d->fstate);
	release(d);
	for (pp = &devices; *pp != d; pp = &(*pp)->next)
		;
	*pp = d->next;
	free(d);
}

/* A new backend directory: its frontend, and a watch on its state. */
static void
probe(const char *kind, unsigned domu, unsigned devid)
{
	struct bdev *d = calloc(1, sizeof(*d));
	unsigned fid, i;
	char *fe;

	if (d == NULL)
		return;
	snprintf(d->kind, sizeof(d->kind), "%s", kind);
	d->domu = domu;
	d->devid = devid;
	d->nrings = strcmp(kind, "vif") == 0 ? 2 : 1;
	for (i = 0; i < MAX_QUEUES; i++)
		d->q[i].port = -1;
	snprintf(d->node, sizeof(d->node), "%s/%s/%u/%u", prefix, kind, domu,
		 devid);
	fe = xenbus_read_key(d->node, "frontend");
	if (fe == NULL || fe[0] != '/' || strlen(fe) >= sizeof(d->front) ||
	    xenbus_read_uint(d->node, "frontend-id", &fid) < 0 || fid != domu) {
		/* Not complete (yet): the toolstack writes all at once. */
		free(fe);
		free(d);
		return;
	}
	snprintf(d->front, sizeof(d->front), "%s", fe);
	snprintf(d->fstate, sizeof(d->fstate), "%s/state", fe);
	free(fe);
	if (xenbus_read_state(d->node) == XenbusStateInitialising)
		xenbus_clear_error(d->node);
	d->next = devices;
	devices = d;
	/* Its first event runs step(). */
	if (xenbus_watch(&driver, d->fstate) == 0)
		d->watching = true;
	else
		fail(d, "watching %s: %s", d->fstate, strerror(errno));
}

/* kind/domu/devid changed: new, gone, or one step further. */
static void
sync_device(const char *kind, unsigned domu, unsigned devid)
{
	char path[160];
	struct bdev *d = find(kind, domu, devid);

	snprintf(path, sizeof(path), "%s/%s/%u/%u", prefix, kind, domu, devid);
	if (!xenbus_exists(path)) {
		if (d != NULL)
			forget(d);
	} else if (d == NULL) {
		probe(kind, domu, devid);
	} else if (d->probed &&
		   xenbus_read_state(path) == XenbusStateInitialising) {
		/*
		 * Removed and attached again before we saw the removal: only
		 * the toolstack writes state 1 after our probe.
		 */
		forget(d);
		probe(kind, domu, devid);
	} else {
		step(d);
	}
}

/* backend/<kind>[/<domu>] as a whole: new devices and removed ones. */
static void
rescan(const char *kind, const char *domu)
{
	struct bdev *d, *next;
	char path[160], sub[200];
	char **doms, **devs;
	unsigned nd = 0, nv = 0, i, j;

	snprintf(path, sizeof(path), "%s/%s", prefix, kind);
	doms = xs_directory(xenbus_xs(), XBT_NULL, path, &nd);
	for (i = 0; doms != NULL && i < nd; i++) {
		if (domu != NULL && strcmp(doms[i], domu) != 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, doms[i]);
		devs = xs_directory(xenbus_xs(), XBT_NULL, sub, &nv);
		for (j = 0; devs != NULL && j < nv; j++)
			sync_device(kind, (unsigned)strtoul(doms[i], NULL, 10),
				    (unsigned)strtoul(devs[j], NULL, 10));
		free(devs);
	}
	free(doms);
	for (d = devices; d != NULL; d = next) {
		next = d->next;
		if (strcmp(d->kind, kind) == 0)
			sync_device(kind, d->domu, d->devid);
	}
}

/* Keys whose change may move a device on; others are ignored. */
static bool
moves(const char *key)
{
	return strcmp(key, "state") == 0 || strcmp(key, "online") == 0 ||
	       strcmp(key, "hotplug-status") == 0;
}

static void
back_event(const char *path)
{
	char buf[256], *c[5];
	struct bdev *d, *next;
	int n = xenbus_split(path, prefix, buf, sizeof(buf), c, 5);

	if (n >= 1 && (strcmp(c[0], "vbd") == 0 || strcmp(c[0], "vif") == 0)) {
		if (n <= 2)
			rescan(c[0], n == 2 ? c[1] : NULL);
		else if (n == 3 || moves(c[3]) ||
			 find(c[0], (unsigned)atoi(c[1]),
			      (unsigned)atoi(c[2])) == NULL)
			sync_device(c[0], (unsigned)strtoul(c[1], NULL, 10),
				    (unsigned)strtoul(c[2], NULL, 10));
		return;
	}
	/* A frontend's state (or a parent removed), or @releaseDomain. */
	for (d = devices; d != NULL; d = next) {
		next = d->next;
		if (path[0] == '@' || xs_path_is_subpath(path, d->fstate))
			step(d);
	}
}

static void
back_stop(void)
{
	while (devices != NULL) {
		struct bdev *d = devices;

		devices = d->next;
		release(d);
		free(d);
	}
	if (xch != NULL)
		xc_interface_close(xch);
	xch = NULL;
}

int
back_start(unsigned queues)
{
	char path[96];

	if (queues > 0)
		max_queues = queues < MAX_QUEUES ? queues : MAX_QUEUES;
	snprintf(prefix, sizeof(prefix), "%s/backend", xenbus_home());
	/* Without it, only xenstore tells us a frontend's domain died. */
	xch = xc_interface_open(NULL, NULL, 0);
	if (xenbus_add_driver(&driver) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/vbd", prefix);
	if (xenbus_watch(&driver, path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/vif", prefix);
	if (xenbus_watch(&driver, path) < 0)
		return -1;
	return xenbus_watch(&driver, "@releaseDomain");
}
