/* SPDX-License-Identifier: MIT */
/*
 * PV devices (device.h): xl's block-attach/-detach/-list and
 * network-attach/-detach/-list for the simulated host.  Attach mirrors
 * libxl__device_generic_add: in one transaction retried on EAGAIN, check
 * that neither directory nor the /libxl copy exists, make the frontend
 * directory (n<domU> r0) and its keys, the backend directory (n0 r<domU>)
 * and its keys, and the /libxl copy.  Detach mirrors
 * libxl__initiate_device_generic_remove: online=0 and state=5 in a
 * transaction, a bounded wait for state 6 or for xenstore-hotplugd to
 * delete the backend directory, then one transaction removing what is
 * left and every parent left empty.  If the backend never closes, the
 * directories are removed anyway (libxl's forced removal), so no device
 * is left half attached.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "device.h"
#include "record.h"
#include "util.h"
#include "xenstore.h"

#define TXN_ATTEMPTS 100
#define BACKEND_DOMID 0
#define POLL_MS 20
#define DEFAULT_TIMEOUT_MS 10000 /* libxl's LIBXL_DESTROY_TIMEOUT */
#define MAX_VIFS 64
#define PATH_LEN 256
#define XEN_SCRIPT_DIR "/etc/xen/scripts"

struct dev {
	enum device_kind kind;
	unsigned domid;
	unsigned devid;
	char front[PATH_LEN];
	char back[PATH_LEN];
	char copy[PATH_LEN];
	/* vbd */
	const char *target;
	const char *vdev;
	const char *mode;
	/* vif */
	char mac[18];
	const char *bridge;
	char script[PATH_LEN];
};

static const char *
kind_name(enum device_kind kind)
{
	return kind == DEVICE_VBD ? "vbd" : "vif";
}

static struct xs_handle *
open_xs(void)
{
	struct xs_handle *xsh = xs_open(0);

	if (xsh == NULL)
		util_err("cannot reach xenstored at %s",
			 getenv("XENSTORED_PATH"));
	return xsh;
}

static int
find_domid(const char *dom, unsigned *domid)
{
	struct record r;

	if (record_find(dom, &r) < 0) {
		util_errx("no domain %s", dom);
		return -1;
	}
	*domid = r.domid;
	return 0;
}

static void
dev_paths(struct dev *d)
{
	const char *k = kind_name(d->kind);

	snprintf(d->front, sizeof(d->front), "/local/domain/%u/device/%s/%u",
		 d->domid, k, d->devid);
	snprintf(d->back, sizeof(d->back), "/local/domain/%u/backend/%s/%u/%u",
		 BACKEND_DOMID, k, d->domid, d->devid);
	snprintf(d->copy, sizeof(d->copy), "/libxl/%u/device/%s/%u", d->domid,
		 k, d->devid);
}

/*
 * The devid of a vdev: a number, or xvdX[N] with X a-z (Xen's encoding
 * (202 << 8) | (disk << 4) | partition, partitions 0-15).  -1 if bad.
 */
static long
vdev_devid(const char *vdev)
{
	char *end;
	long n, disk;

	if (vdev[0] >= '0' && vdev[0] <= '9') {
		errno = 0;
		n = strtol(vdev, &end, 10);
		if (errno != 0 || *end != '\0' || n <= 0 || n > 0x7fffffff)
			return -1;
		return n;
	}
	if (strncmp(vdev, "xvd", 3) != 0 || vdev[3] < 'a' || vdev[3] > 'p')
		return -1;
	disk = vdev[3] - 'a';
	n = 0;
	if (vdev[4] != '\0') {
		if (vdev[4] < '1' || vdev[4] > '9')
			return -1;
		n = strtol(vdev + 4, &end, 10);
		if (*end != '\0' || n > 15)
			return -1;
	}
	return (202L << 8) | (disk << 4) | n;
}

static bool __attribute__((format(printf, 4, 5)))
writef(struct xs_handle *h, xs_transaction_t t, const char *path,
       const char *fmt, ...)
{
	char value[PATH_LEN + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(value)) {
		errno = E2BIG;
		return false;
	}
	return xs_write(h, t, path, value, (unsigned)n);
}

/* dir/key = value, with perms. */
static bool
key(struct xs_handle *h, xs_transaction_t t, const char *dir, const char *k,
    const char *value, struct xs_permissions *perms)
{
	char path[PATH_LEN + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, k);
	return writef(h, t, path, "%s", value) &&
	       xs_set_permissions(h, t, path, perms, 2);
}

static bool
exists(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	unsigned n;
	char **ents = xs_directory(h, t, path, &n);

	free(ents);
	return ents != NULL;
}

/*
 * A vif's devid: the lowest used by neither a frontend, a backend nor a
 * /libxl copy, chosen inside the transaction so that concurrent attaches
 * get different ones (or one retries).
 */
static bool
free_vif(struct xs_handle *h, xs_transaction_t t, struct dev *d)
{
	for (d->devid = 0; d->devid < MAX_VIFS; d->devid++) {
		dev_paths(d);
		if (!exists(h, t, d->front) && !exists(h, t, d->back) &&
		    !exists(h, t, d->copy))
			return true;
	}
	errno = ENOSPC;
	return false;
}

static bool
attach_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct dev *d = arg;
	struct xs_permissions fperm[2] = {{d->domid, XS_PERM_NONE},
					  {BACKEND_DOMID, XS_PERM_READ}};
	struct xs_permissions bperm[2] = {{BACKEND_DOMID, XS_PERM_NONE},
					  {d->domid, XS_PERM_READ}};
	char num[16], path[PATH_LEN + 16];

	if (d->kind == DEVICE_VIF && !free_vif(h, t, d))
		return false;
	if (exists(h, t, d->front) || exists(h, t, d->back) ||
	    exists(h, t, d->copy)) {
		errno = EEXIST;
		return false;
	}
	snprintf(path, sizeof(path), "%s/frontend", d->copy);
	if (!writef(h, t, path, "%s", d->front))
		return false;
	snprintf(path, sizeof(path), "%s/backend", d->copy);
	if (!writef(h, t, path, "%s", d->back))
		return false;

	/* The frontend: the guest owns it, the backend reads it. */
	if (!xs_mkdir(h, t, d->front) ||
	    !xs_set_permissions(h, t, d->front, fperm, 2))
		return false;
	snprintf(num, sizeof(num), "%u", BACKEND_DOMID);
	if (!key(h, t, d->front, "backend", d->back, fperm) ||
	    !key(h, t, d->front, "backend-id", num, fperm) ||
	    !key(h, t, d->front, "state", "1", fperm))
		return false;
	snprintf(num, sizeof(num), "%u", d->devid);
	if (d->kind == DEVICE_VBD) {
		if (!key(h, t, d->front, "virtual-device", num, fperm) ||
		    !key(h, t, d->front, "device-type", "disk", fperm))
			return false;
	} else {
		if (!key(h, t, d->front, "handle", num, fperm) ||
		    !key(h, t, d->front, "mac", d->mac, fperm))
			return false;
	}

	/* The backend: its domain owns it, the guest reads it. */
	if (!xs_mkdir(h, t, d->back) ||
	    !xs_set_permissions(h, t, d->back, bperm, 2))
		return false;
	snprintf(num, sizeof(num), "%u", d->domid);
	if (!key(h, t, d->back, "frontend", d->front, bperm) ||
	    !key(h, t, d->back, "frontend-id", num, bperm) ||
	    !key(h, t, d->back, "online", "1", bperm) ||
	    !key(h, t, d->back, "state", "1", bperm))
		return false;
	snprintf(num, sizeof(num), "%u", d->devid);
	if (d->kind == DEVICE_VBD)
		return key(h, t, d->back, "params", d->target, bperm) &&
		       key(h, t, d->back, "mode", d->mode, bperm) &&
		       key(h, t, d->back, "type", "phy", bperm) &&
		       key(h, t, d->back, "dev", d->vdev, bperm) &&
		       key(h, t, d->back, "device-type", "disk", bperm);
	return key(h, t, d->back, "mac", d->mac, bperm) &&
	       key(h, t, d->back, "bridge", d->bridge, bperm) &&
	       key(h, t, d->back, "script", d->script, bperm) &&
	       key(h, t, d->back, "handle", num, bperm) &&
	       key(h, t, d->back, "type", "vif", bperm);
}

static int
attach(struct xs_handle *xsh, struct dev *d, const char *what)
{
	if (xs_transaction_retry(xsh, attach_txn, d, TXN_ATTEMPTS))
		return 0;
	if (errno == EEXIST)
		util_errx("device %s already exists in domain %u", what,
			  d->domid);
	else if (errno == ENOSPC)
		util_errx("domain %u has %d interfaces already", d->domid,
			  MAX_VIFS);
	else
		util_err("cannot attach %s to domain %u", what, d->domid);
	return -1;
}

int
device_block_attach(const char *dom, const char *target, const char *vdev,
		    const char *mode)
{
	struct dev d = {.kind = DEVICE_VBD,
			.target = target,
			.vdev = vdev,
			.mode = mode ? mode : "w"};
	struct xs_handle *xsh;
	long devid;
	int r;

	if (strcmp(d.mode, "r") != 0 && strcmp(d.mode, "w") != 0) {
		util_errx("bad mode %s (r or w)", d.mode);
		return -1;
	}
	devid = vdev_devid(vdev);
	if (devid < 0) {
		util_errx("bad virtual device %s (xvdX[N] or a number)", vdev);
		return -1;
	}
	if (strlen(target) == 0 || strlen(target) > PATH_LEN) {
		util_errx("bad target %s", target);
		return -1;
	}
	if (find_domid(dom, &d.domid) < 0)
		return -1;
	d.devid = (unsigned)devid;
	dev_paths(&d);
	xsh = open_xs();
	if (xsh == NULL)
		return -1;
	r = attach(xsh, &d, vdev);
	xs_close(xsh);
	return r;
}

static int
random_mac(char mac[18])
{
	unsigned char b[3];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return -1;
	/* Xen's OUI, as libxl picks. */
	snprintf(mac, 18, "00:16:3e:%02x:%02x:%02x", b[0] & 0x7f, b[1], b[2]);
	return 0;
}

static bool
mac_ok(const char *s)
{
	unsigned i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':'
			       : strchr("0123456789abcdefABCDEF", s[i]) == NULL)
			return false;
	}
	return true;
}

int
device_network_attach(const char *dom, char **opts, int n)
{
	struct dev d = {.kind = DEVICE_VIF,
			.bridge = "xenbr0",
			.script = XEN_SCRIPT_DIR "/vif-bridge"};
	struct xs_handle *xsh;
	int i, r;

	d.mac[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strncmp(opts[i], "mac=", 4) == 0 && mac_ok(opts[i] + 4)) {
			snprintf(d.mac, sizeof(d.mac), "%s", opts[i] + 4);
		} else if (strncmp(opts[i], "bridge=", 7) == 0 &&
			   opts[i][7] != '\0' && strchr(opts[i], '/') == NULL) {
			d.bridge = opts[i] + 7;
		} else if (strncmp(opts[i], "script=", 7) == 0 &&
			   opts[i][7] != '\0' &&
			   strlen(opts[i] + 7) < PATH_LEN - 32) {
			/* Relative: in the scripts directory, as libxl does. */
			snprintf(d.script, sizeof(d.script), "%s%s%s",
				 opts[i][7] == '/' ? "" : XEN_SCRIPT_DIR,
				 opts[i][7] == '/' ? "" : "/", opts[i] + 7);
		} else {
			util_errx("bad option %s (mac=XX:XX:XX:XX:XX:XX, "
				  "bridge=NAME or script=PATH)",
				  opts[i]);
			return -1;
		}
	}
	if (d.mac[0] == '\0' && random_mac(d.mac) < 0) {
		util_err("cannot make a MAC address");
		return -1;
	}
	if (find_domid(dom, &d.domid) < 0)
		return -1;
	xsh = open_xs();
	if (xsh == NULL)
		return -1;
	r = attach(xsh, &d, "vif");
	xs_close(xsh);
	return r;
}

/* Step 1 of the removal; ENOENT if there is no such device. */
static bool
close_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct dev *d = arg;
	char path[PATH_LEN + 16], *state;
	bool ok;

	if (!exists(h, t, d->back)) {
		if (!exists(h, t, d->front) && !exists(h, t, d->copy)) {
			errno = ENOENT;
			return false;
		}
		return true; /* only cleaning up is left */
	}
	snprintf(path, sizeof(path), "%s/online", d->back);
	if (!writef(h, t, path, "0"))
		return false;
	snprintf(path, sizeof(path), "%s/state", d->back);
	state = xs_read(h, t, path, NULL);
	ok = state != NULL && strcmp(state, "6") == 0;
	free(state);
	return ok || writef(h, t, path, "5");
}

/* Backend in state 6, or gone. */
static bool
closed(struct xs_handle *xsh, const struct dev *d)
{
	char path[PATH_LEN + 16], *state;
	bool r;

	snprintf(path, sizeof(path), "%s/state", d->back);
	state = xs_read(xsh, XBT_NULL, path, NULL);
	if (state == NULL)
		return !exists(xsh, XBT_NULL, d->back);
	r = strcmp(state, "6") == 0;
	free(state);
	return r;
}

static int
timeout_ms(void)
{
	const char *s = getenv("XSIM_DEVICE_TIMEOUT_MS");
	long v;

	if (s == NULL || *s == '\0')
		return DEFAULT_TIMEOUT_MS;
	v = strtol(s, NULL, 10);
	return v > 0 && v < 3600000 ? (int)v : DEFAULT_TIMEOUT_MS;
}

static bool
rm_quiet(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return xs_rm(h, t, path) || errno == ENOENT;
}

/* Remove path, then each parent up to stop that is left empty. */
static bool
rm_up(struct xs_handle *h, xs_transaction_t t, const char *path,
      const char *stop)
{
	char p[PATH_LEN], *slash, **ents, *val;
	unsigned n, len;

	if (!rm_quiet(h, t, path))
		return false;
	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		slash = strrchr(p, '/');
		if (slash == NULL || slash == p)
			return true;
		*slash = '\0';
		if (strcmp(p, stop) == 0)
			return true;
		ents = xs_directory(h, t, p, &n);
		if (ents == NULL)
			continue;
		free(ents);
		if (n != 0)
			return true;
		val = xs_read(h, t, p, &len);
		free(val);
		if (val != NULL && len != 0)
			return true;
		if (!rm_quiet(h, t, p))
			return false;
	}
}

static bool
destroy_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct dev *d = arg;
	char home[64], bhome[64], lhome[64];

	snprintf(home, sizeof(home), "/local/domain/%u/device", d->domid);
	snprintf(bhome, sizeof(bhome), "/local/domain/%u", BACKEND_DOMID);
	snprintf(lhome, sizeof(lhome), "/libxl/%u/device", d->domid);
	return rm_up(h, t, d->front, home) && rm_up(h, t, d->back, bhome) &&
	       rm_up(h, t, d->copy, lhome);
}

int
device_detach(enum device_kind kind, const char *dom, const char *id)
{
	struct dev d = {.kind = kind};
	struct timespec ts = {0, POLL_MS * 1000000L};
	struct xs_handle *xsh;
	int waited, limit, r = -1;
	long devid;

	devid = kind == DEVICE_VBD ? vdev_devid(id) : -1;
	if (kind == DEVICE_VIF) {
		char *end;

		devid = strtol(id, &end, 10);
		if (*id == '\0' || *end != '\0' || devid < 0)
			devid = -1;
	}
	if (devid < 0) {
		util_errx("bad device %s", id);
		return -1;
	}
	if (find_domid(dom, &d.domid) < 0)
		return -1;
	d.devid = (unsigned)devid;
	dev_paths(&d);
	xsh = open_xs();
	if (xsh == NULL)
		return -1;
	if (!xs_transaction_retry(xsh, close_txn, &d, TXN_ATTEMPTS)) {
		if (errno == ENOENT)
			util_errx("no such device %s %s in domain %u",
				  kind_name(kind), id, d.domid);
		else
			util_err("cannot close %s", d.back);
		goto out;
	}
	limit = timeout_ms();
	for (waited = 0; !closed(xsh, &d); waited += POLL_MS) {
		if (waited >= limit) {
			util_errx("warning: backend %s did not close within "
				  "%d ms; removing it anyway",
				  d.back, limit);
			break;
		}
		nanosleep(&ts, NULL);
	}
	if (!xs_transaction_retry(xsh, destroy_txn, &d, TXN_ATTEMPTS)) {
		util_err("cannot remove %s and %s", d.front, d.back);
		goto out;
	}
	r = 0;
out:
	xs_close(xsh);
	return r;
}

/* The number in dir/k, or -1. */
static int
read_int(struct xs_handle *xsh, const char *dir, const char *k)
{
	char path[PATH_LEN + 32], *v;
	int r = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, k);
	v = xs_read(xsh, XBT_NULL, path, NULL);
	if (v != NULL)
		r = atoi(v);
	free(v);
	return r;
}

static int
cmp_uint(const void *a, const void *b)
{
	unsigned long x = strtoul(*(char *const *)a, NULL, 10);
	unsigned long y = strtoul(*(char *const *)b, NULL, 10);

	return (x > y) - (x < y);
}

static void
list_one(struct xs_handle *xsh, struct dev *d)
{
	char path[PATH_LEN + 16], *be, *mac;
	int backend_id = read_int(xsh, d->front, "backend-id");
	int state;

	snprintf(path, sizeof(path), "%s/backend", d->front);
	be = xs_read(xsh, XBT_NULL, path, NULL);
	state = be != NULL ? read_int(xsh, be, "state") : -1;
	if (d->kind == DEVICE_VBD) {
		printf("%-5u %-3d %-6u %-5d %-6d %-8d %-30s\n", d->devid,
		       backend_id, d->domid, state,
		       read_int(xsh, d->front, "event-channel"),
		       read_int(xsh, d->front, "ring-ref"), be ? be : "");
	} else {
		snprintf(path, sizeof(path), "%s/mac", d->front);
		mac = xs_read(xsh, XBT_NULL, path, NULL);
		printf("%-3u %-2d %-17s %-6u %-5d %-6d %5d/%-11d %-30s\n",
		       d->devid, backend_id, mac ? mac : "", d->devid, state,
		       read_int(xsh, d->front, "event-channel"),
		       read_int(xsh, d->front, "tx-ring-ref"),
		       read_int(xsh, d->front, "rx-ring-ref"), be ? be : "");
		free(mac);
	}
	free(be);
}

int
device_list(enum device_kind kind, const char *dom)
{
	struct dev d = {.kind = kind};
	struct xs_handle *xsh;
	char dir[64], **ents;
	unsigned i, n;

	if (find_domid(dom, &d.domid) < 0)
		return -1;
	xsh = open_xs();
	if (xsh == NULL)
		return -1;
	if (kind == DEVICE_VBD)
		printf("%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n", "Vdev", "BE",
		       "handle", "state", "evt-ch", "ring-ref", "BE-path");
	else
		printf("%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-11s %-30s\n",
		       "Idx", "BE", "Mac Addr.", "handle", "state", "evt-ch",
		       "tx-", "rx-ring-ref", "BE-path");
	snprintf(dir, sizeof(dir), "/local/domain/%u/device/%s", d.domid,
		 kind_name(kind));
	ents = xs_directory(xsh, XBT_NULL, dir, &n);
	if (ents != NULL) {
		qsort(ents, n, sizeof(ents[0]), cmp_uint);
		for (i = 0; i < n; i++) {
			d.devid = (unsigned)strtoul(ents[i], NULL, 10);
			dev_paths(&d);
			list_one(xsh, &d);
		}
	}
	free(ents);
	xs_close(xsh);
	return 0;
}
