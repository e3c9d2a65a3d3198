/* SPDX-License-Identifier: MIT */
/*
 * Looking at a domain's devices (device.h): xl's block-list and
 * network-list, and `xsim wait`, which waits for the drivers' handshake
 * to end in Connected at both ends.  Read-only: nothing here writes to
 * the store.  Devices are found through the toolstack's /libxl copies,
 * whose frontend and backend paths the guest cannot change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device.h"
#include "record.h"
#include "txn.h"
#include "util.h"
#include "wait.h"

#define PATH_LEN 256

struct seen {
	const char *kind;
	unsigned domid;
	unsigned devid;
	char *front; /* from the /libxl copy, malloc()ed */
	char *back;
};

static int
cmp_uint(const void *a, const void *b)
{
	unsigned long x = strtoul(*(char *const *)a, NULL, 10);
	unsigned long y = strtoul(*(char *const *)b, NULL, 10);

	return (x > y) - (x < y);
}

/*
 * The devices of kind in domid, by devid; *n of them in a malloc()ed
 * array (free with free_seen).  Devices without both paths are skipped.
 */
static struct seen *
find(struct xs_handle *xsh, unsigned domid, const char *kind, unsigned *n)
{
	char dir[64], copy[PATH_LEN], **ents;
	struct seen *s;
	unsigned i, m = 0;

	snprintf(dir, sizeof(dir), "/libxl/%u/device/%s", domid, kind);
	ents = xs_directory(xsh, XBT_NULL, dir, &m);
	*n = 0;
	s = calloc(m + 1, sizeof(*s));
	if (s == NULL || ents == NULL) {
		free(ents);
		return s;
	}
	qsort(ents, m, sizeof(ents[0]), cmp_uint);
	for (i = 0; i < m; i++) {
		snprintf(copy, sizeof(copy), "%s/%s", dir, ents[i]);
		s[*n].kind = kind;
		s[*n].domid = domid;
		s[*n].devid = (unsigned)strtoul(ents[i], NULL, 10);
		s[*n].front = wait_read(xsh, copy, "frontend");
		s[*n].back = wait_read(xsh, copy, "backend");
		if (s[*n].front != NULL && s[*n].back != NULL) {
			(*n)++;
		} else {
			free(s[*n].front);
			free(s[*n].back);
		}
	}
	free(ents);
	return s;
}

static void
free_seen(struct seen *s, unsigned n)
{
	unsigned i;

	for (i = 0; s != NULL && i < n; i++) {
		free(s[i].front);
		free(s[i].back);
	}
	free(s);
}

static void
list_one(struct xs_handle *xsh, const struct seen *d)
{
	int backend_id = wait_read_int(xsh, d->front, "backend-id");
	int state = wait_read_int(xsh, d->back, "state");
	char *mac;

	if (strcmp(d->kind, "vbd") == 0) {
		printf("%-5u %-3d %-6u %-5d %-6d %-8d %-30s\n", d->devid,
		       backend_id, d->domid, state,
		       wait_read_int(xsh, d->front, "event-channel"),
		       wait_read_int(xsh, d->front, "ring-ref"), d->back);
		return;
	}
	mac = wait_read(xsh, d->front, "mac");
	printf("%-3u %-2d %-17s %-6u %-5d %-6d %5d/%-11d %-30s\n", d->devid,
	       backend_id, mac ? mac : "", d->devid, state,
	       wait_read_int(xsh, d->front, "event-channel"),
	       wait_read_int(xsh, d->front, "tx-ring-ref"),
	       wait_read_int(xsh, d->front, "rx-ring-ref"), d->back);
	free(mac);
}

int
device_list(enum device_kind kind, const char *dom)
{
	const char *k = kind == DEVICE_VBD ? "vbd" : "vif";
	struct xs_handle *xsh;
	struct record r;
	struct seen *s;
	unsigned i, n;

	if (record_get(dom, &r) < 0)
		return -1;
	xsh = txn_open();
	if (xsh == NULL)
		return -1;
	if (kind == DEVICE_VBD)
		printf("%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n", "Vdev", "BE",
		       "handle", "state", "evt-ch", "ring-ref", "BE-path");
	else
		printf("%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-11s %-30s\n",
		       "Idx", "BE", "Mac Addr.", "handle", "state", "evt-ch",
		       "tx-", "rx-ring-ref", "BE-path");
	s = find(xsh, r.domid, k, &n);
	for (i = 0; i < n; i++)
		list_one(xsh, &s[i]);
	free_seen(s, n);
	xs_close(xsh);
	return 0;
}

/* The error a driver recorded (xenbus_dev_fatal's error/<node>/error). */
static char *
driver_error(struct xs_handle *xsh, const char *node)
{
	char path[PATH_LEN + 32];
	unsigned dom;
	const char *rel;

	if (sscanf(node, "/local/domain/%u/", &dom) != 1)
		return NULL;
	rel = strchr(node + strlen("/local/domain/"), '/') + 1;
	snprintf(path, sizeof(path), "/local/domain/%u/error/%s/error", dom,
		 rel);
	return xs_read(xsh, XBT_NULL, path, NULL);
}

/* 1: Connected at both ends; 0: not yet; -1: failed (closing, errors). */
static int
dev_state(struct xs_handle *xsh, const struct seen *d)
{
	int fs = wait_read_int(xsh, d->front, "state");
	int bs = wait_read_int(xsh, d->back, "state");
	char *hs = wait_read(xsh, d->back, "hotplug-status");
	char *fe = driver_error(xsh, d->front),
	     *be = driver_error(xsh, d->back);
	bool bad = fe != NULL || be != NULL || fs >= 5 || bs >= 5 ||
		   (hs != NULL &&
		    (strcmp(hs, "error") == 0 || strcmp(hs, "busy") == 0));

	free(hs);
	free(fe);
	free(be);
	if (bad)
		return -1;
	return fs == 4 && bs == 4;
}

static void
report(struct xs_handle *xsh, const struct seen *d, const char *why)
{
	char *hs = wait_read(xsh, d->back, "hotplug-status");
	char *he = wait_read(xsh, d->back, "hotplug-error");
	char *fe = driver_error(xsh, d->front),
	     *be = driver_error(xsh, d->back);

	util_errx("%s %u of domain %u %s: frontend state %d, backend state %d"
		  "%s%s%s%s%s%s%s%s",
		  d->kind, d->devid, d->domid, why,
		  wait_read_int(xsh, d->front, "state"),
		  wait_read_int(xsh, d->back, "state"),
		  hs ? ", hotplug-status " : "", hs ? hs : "",
		  he ? ", hotplug-error: " : "", he ? he : "",
		  fe ? ", frontend error: " : "", fe ? fe : "",
		  be ? ", backend error: " : "", be ? be : "");
	free(hs);
	free(he);
	free(fe);
	free(be);
}

/* One look at every device: 1 all connected, 0 not yet, -1 failed. */
static int
check_all(struct xs_handle *xsh, struct seen *s, unsigned n, bool final, int ms)
{
	char why[64], secs[32];
	int st, all = 1, bad = 0;
	unsigned i;

	snprintf(why, sizeof(why), "not connected within %s",
		 wait_secs(secs, sizeof(secs), ms));
	for (i = 0; i < n; i++) {
		st = dev_state(xsh, &s[i]);
		if (st < 0) {
			report(xsh, &s[i], "failed");
			bad = 1;
		} else if (st == 0) {
			all = 0;
			if (final)
				report(xsh, &s[i], why);
		}
	}
	return bad ? -1 : all;
}

int
device_wait_connected(const char *dom, int ms)
{
	struct xs_handle *xsh;
	struct seen *vbd, *vif, *all;
	unsigned nb, nv;
	struct record r;
	long end = wait_now_ms() + ms;
	unsigned i;
	int st;

	if (record_get(dom, &r) < 0)
		return -1;
	xsh = txn_open();
	if (xsh == NULL)
		return -1;
	vbd = find(xsh, r.domid, "vbd", &nb);
	vif = find(xsh, r.domid, "vif", &nv);
	all = calloc(nb + nv + 1, sizeof(*all));
	if (all != NULL) {
		memcpy(all, vbd, nb * sizeof(*all));
		memcpy(all + nb, vif, nv * sizeof(*all));
	}
	for (i = 0; all != NULL && i < nb + nv; i++) {
		wait_watch(xsh, all[i].front);
		wait_watch(xsh, all[i].back);
	}
	for (st = -1; all != NULL;) {
		bool final = wait_now_ms() >= end;

		st = check_all(xsh, all, nb + nv, final, ms);
		if (st != 0 || final)
			break;
		wait_nap(xsh, end);
	}
	free_seen(vbd, nb);
	free_seen(vif, nv);
	free(all);
	xs_close(xsh);
	return st == 1 ? 0 : -1;
}
