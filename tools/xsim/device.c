/* SPDX-License-Identifier: MIT */
/*
 * PV devices (device.h): attach, detach and removal for the simulated
 * host, as libxl does them.
 *
 * Attach mirrors libxl__device_generic_add and its waits: in one
 * transaction retried on EAGAIN, check that neither directory nor the
 * /libxl copy exists, make the frontend directory (n<domU> r<backdom>)
 * and its keys, the backend directory (n<backdom> r<domU>) and its keys,
 * and the /libxl copy.  Then wait for the backend driver's InitWait (10
 * s) and for hotplug-status (40 s): "connected" is success; "error" or
 * "busy" (the script failed, with its hotplug-error), or a timeout, is
 * failure, and the device is taken away again, so no device stays half
 * attached.  Connected is not waited for: that is the drivers' affair
 * (xsim wait).
 *
 * Removal mirrors libxl__initiate_device_generic_remove: online=0 and
 * state=5 in a transaction, a bounded wait until the device is done
 * closing (wait_closed: the backend Closed, and deleted by the hotplug
 * daemon after its remove script if one handled it; a live frontend
 * Closed), then one transaction removing what is left and every parent
 * left empty.  A device that never closes is removed anyway after the
 * timeout (libxl's forced removal).  Destroying a domain walks all its
 * devices at once, within one timeout.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "device.h"
#include "host.h"
#include "record.h"
#include "spec.h"
#include "txn.h"
#include "util.h"
#include "wait.h"

#define MAX_VIFS 64
#define PATH_LEN 256
#define MAX_DEVS 128

struct dev {
	enum device_kind kind;
	unsigned domid;
	unsigned backdom;
	unsigned devid;
	char front[PATH_LEN];
	char back[PATH_LEN];
	char copy[PATH_LEN];
	const struct disk_spec *disk;
	const struct vif_spec *vif;
	char mac[18];
	char script[PATH_LEN + 64];
	bool force;	 /* the guest is dead: its frontend is Closed */
	bool front_live; /* a frontend driver took part: wait for it */
};

static const char *
kind_name(enum device_kind kind)
{
	return kind == DEVICE_VBD ? "vbd" : "vif";
}

static int
find_domid(const char *dom, unsigned *domid)
{
	struct record r;

	if (record_get(dom, &r) < 0)
		return -1;
	*domid = r.domid;
	return 0;
}

/* backend=NAME: dom0 by name or number, else a domain we created. */
static int
find_backdom(const char *name, unsigned *backdom)
{
	struct record r;

	if (name[0] == '\0' || strcmp(name, "0") == 0 ||
	    strcmp(name, "Domain-0") == 0) {
		*backdom = 0;
		return 0;
	}
	if (record_find(name, &r) < 0) {
		util_errx("backend domain %s does not exist", name);
		return -1;
	}
	*backdom = r.domid;
	return 0;
}

static void
dev_paths(struct dev *d)
{
	const char *k = kind_name(d->kind);

	snprintf(d->front, sizeof(d->front), "/local/domain/%u/device/%s/%u",
		 d->domid, k, d->devid);
	snprintf(d->back, sizeof(d->back), "/local/domain/%u/backend/%s/%u/%u",
		 d->backdom, k, d->domid, d->devid);
	snprintf(d->copy, sizeof(d->copy), "/libxl/%u/device/%s/%u", d->domid,
		 k, d->devid);
}

/* "vbd 51712 of domain 3 (dom0)", for messages. */
static const char *
dev_name(const struct dev *d)
{
	static char buf[96];

	snprintf(buf, sizeof(buf), "%s %u of domain %u (dom%u)",
		 kind_name(d->kind), d->devid, d->domid, d->backdom);
	return buf;
}

static bool
exists(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	unsigned n;
	char **ents = xs_directory(h, t, path, &n);

	free(ents);
	return ents != NULL;
}

/* dir/k = value (skipped when value is empty and optional), with perms. */
static bool
key(struct xs_handle *h, xs_transaction_t t, const char *dir, const char *k,
    const char *value, struct xs_permissions *perms)
{
	char path[PATH_LEN + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, k);
	return xs_write(h, t, path, value, (unsigned)strlen(value)) &&
	       xs_set_permissions(h, t, path, perms, 2);
}

static bool
opt_key(struct xs_handle *h, xs_transaction_t t, const char *dir, const char *k,
	const char *value, struct xs_permissions *perms)
{
	return value[0] == '\0' || key(h, t, dir, k, value, perms);
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
front_keys(struct xs_handle *h, xs_transaction_t t, const struct dev *d,
	   struct xs_permissions *fperm, struct xs_permissions *roperm)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", d->backdom);
	if (!key(h, t, d->front, "backend", d->back, fperm) ||
	    !key(h, t, d->front, "backend-id", num, fperm) ||
	    !key(h, t, d->front, "state", "1", fperm))
		return false;
	snprintf(num, sizeof(num), "%u", d->devid);
	if (d->kind == DEVICE_VBD)
		return key(h, t, d->front, "virtual-device", num, fperm) &&
		       key(h, t, d->front, "device-type",
			   d->disk->cdrom ? "cdrom" : "disk", fperm);
	/* mtu is read-only for the guest (libxl's ro_fents). */
	return key(h, t, d->front, "handle", num, fperm) &&
	       key(h, t, d->front, "mac", d->mac, fperm) &&
	       opt_key(h, t, d->front, "mtu", d->vif->mtu, roperm);
}

static bool
back_keys(struct xs_handle *h, xs_transaction_t t, const struct dev *d,
	  struct xs_permissions *bperm)
{
	const struct vif_spec *v = d->vif;
	char num[16];

	snprintf(num, sizeof(num), "%u", d->domid);
	if (!key(h, t, d->back, "frontend", d->front, bperm) ||
	    !key(h, t, d->back, "frontend-id", num, bperm) ||
	    !key(h, t, d->back, "online", "1", bperm) ||
	    !key(h, t, d->back, "state", "1", bperm) ||
	    !key(h, t, d->back, "script", d->script, bperm))
		return false;
	snprintf(num, sizeof(num), "%u", d->devid);
	if (d->kind == DEVICE_VBD)
		return key(h, t, d->back, "params", d->disk->target, bperm) &&
		       key(h, t, d->back, "mode", d->disk->mode, bperm) &&
		       key(h, t, d->back, "type", "phy", bperm) &&
		       key(h, t, d->back, "dev", d->disk->vdev, bperm) &&
		       key(h, t, d->back, "device-type",
			   d->disk->cdrom ? "cdrom" : "disk", bperm) &&
		       key(h, t, d->back, "removable",
			   d->disk->cdrom ? "1" : "0", bperm) &&
		       key(h, t, d->back, "bootable", "1", bperm);
	return key(h, t, d->back, "mac", d->mac, bperm) &&
	       key(h, t, d->back, "bridge", v->bridge[0] ? v->bridge : "xenbr0",
		   bperm) &&
	       key(h, t, d->back, "handle", num, bperm) &&
	       key(h, t, d->back, "type", v->type, bperm) &&
	       opt_key(h, t, d->back, "vifname", v->vifname, bperm) &&
	       opt_key(h, t, d->back, "ip", v->ip, bperm) &&
	       opt_key(h, t, d->back, "mtu", v->mtu, bperm) &&
	       opt_key(h, t, d->back, "rate", v->rate, bperm) &&
	       opt_key(h, t, d->back, "gatewaydev", v->gatewaydev, bperm);
}

static bool
attach_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct dev *d = arg;
	struct xs_permissions fperm[2] = {{d->domid, XS_PERM_NONE},
					  {d->backdom, XS_PERM_READ}};
	struct xs_permissions bperm[2] = {{d->backdom, XS_PERM_NONE},
					  {d->domid, XS_PERM_READ}};
	char path[PATH_LEN + 16];

	if (d->kind == DEVICE_VIF && d->vif->devid < 0 && !free_vif(h, t, d))
		return false;
	if (exists(h, t, d->front) || exists(h, t, d->back) ||
	    exists(h, t, d->copy)) {
		errno = EEXIST;
		return false;
	}
	snprintf(path, sizeof(path), "%s/frontend", d->copy);
	if (!xs_write(h, t, path, d->front, (unsigned)strlen(d->front)))
		return false;
	snprintf(path, sizeof(path), "%s/backend", d->copy);
	if (!xs_write(h, t, path, d->back, (unsigned)strlen(d->back)))
		return false;
	/* The frontend: the guest owns it, the backend reads it. */
	if (!xs_mkdir(h, t, d->front) ||
	    !xs_set_permissions(h, t, d->front, fperm, 2) ||
	    !front_keys(h, t, d, fperm, bperm))
		return false;
	/* The backend: its domain owns it, the guest reads it. */
	return xs_mkdir(h, t, d->back) &&
	       xs_set_permissions(h, t, d->back, bperm, 2) &&
	       back_keys(h, t, d, bperm);
}

/*
 * Step 1 of the removal; ENOENT if there is no such device.  Forced (a
 * domain being destroyed, its guest dead), the frontend's state is set
 * to Closed in the same transaction.  libxl removes the frontend
 * directory instead; but a backend in a driver domain cannot tell a
 * removed frontend from one it may not read (the guest's device
 * directory is closed to it: EACCES either way), nor ask the hypervisor
 * whether the guest died, while it can read a Closed state, and so
 * closes at once.
 */
static bool
close_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct dev *d = arg;
	char path[PATH_LEN + 16], *state;
	bool ok;

	snprintf(path, sizeof(path), "%s/state", d->front);
	if (d->force && exists(h, t, d->back) && exists(h, t, d->front) &&
	    !xs_write(h, t, path, "6", 1))
		return false;
	if (!exists(h, t, d->back)) {
		if (!exists(h, t, d->front) && !exists(h, t, d->copy)) {
			errno = ENOENT;
			return false;
		}
		return true; /* only cleaning up is left */
	}
	/* A frontend at 3 or 4 is a live driver: it will close too. */
	snprintf(path, sizeof(path), "%s/state", d->front);
	state = d->force ? NULL : xs_read(h, t, path, NULL);
	d->front_live = state != NULL &&
			(strcmp(state, "3") == 0 || strcmp(state, "4") == 0);
	free(state);
	snprintf(path, sizeof(path), "%s/online", d->back);
	if (!xs_write(h, t, path, "0", 1))
		return false;
	snprintf(path, sizeof(path), "%s/state", d->back);
	state = xs_read(h, t, path, NULL);
	ok = state != NULL && strcmp(state, "6") == 0;
	free(state);
	return ok || xs_write(h, t, path, "5", 1);
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
	snprintf(bhome, sizeof(bhome), "/local/domain/%u", d->backdom);
	snprintf(lhome, sizeof(lhome), "/libxl/%u/device", d->domid);
	return rm_up(h, t, d->front, home) && rm_up(h, t, d->back, bhome) &&
	       rm_up(h, t, d->copy, lhome);
}

/*
 * The removal walk for devs[n]: close all, wait for all within one
 * timeout, remove all.  Devices with no backend left are only cleaned
 * up.  0, or -1 after a message.
 */
static int
remove_walk(struct xs_handle *xsh, struct dev *devs, unsigned n, bool quiet)
{
	struct wait_close w[MAX_DEVS];
	bool done[MAX_DEVS] = {false};
	int limit = wait_timeout(WAIT_DESTROY_MS), r = 0;
	char secs[32];
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!txn_run(xsh, close_txn, &devs[i]) && errno != ENOENT) {
			util_err("cannot close %s", devs[i].back);
			r = -1;
		}
		w[i].back = devs[i].back;
		w[i].front = devs[i].front_live ? devs[i].front : NULL;
	}
	if (wait_closed(xsh, w, done, n, limit) < 0)
		for (i = 0; i < n && !quiet; i++)
			if (!done[i])
				util_errx("warning: %s %u of domain %u did not "
					  "close within %s; removing it anyway",
					  kind_name(devs[i].kind),
					  devs[i].devid, devs[i].domid,
					  wait_secs(secs, sizeof(secs), limit));
	for (i = 0; i < n; i++) {
		if (!txn_run(xsh, destroy_txn, &devs[i])) {
			util_err("cannot remove %s and %s", devs[i].front,
				 devs[i].back);
			r = -1;
		}
	}
	return r;
}

/* The script key: absolute, or in the host's script directory. */
static void
set_script(struct dev *d, const char *given, const char *fallback)
{
	const char *s = given[0] != '\0' ? given : fallback;

	if (s[0] == '/')
		snprintf(d->script, sizeof(d->script), "%s", s);
	else
		snprintf(d->script, sizeof(d->script), "%s/%s",
			 host_script_dir(), s);
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

/* Fill d from the spec; 0 or -1 after a message. */
static int
dev_from_spec(struct dev *d, const char *spec, struct disk_spec *ds,
	      struct vif_spec *vs)
{
	const char *what = d->kind == DEVICE_VBD ? "disk" : "vif";
	const char *backend;
	char err[256];
	int r;

	r = d->kind == DEVICE_VBD ? spec_disk_parse(spec, ds, err, sizeof(err))
				  : spec_vif_parse(spec, vs, err, sizeof(err));
	if (r < 0) {
		util_errx("bad %s spec '%s': %s", what, spec, err);
		return -1;
	}
	backend = d->kind == DEVICE_VBD ? ds->backend : vs->backend;
	if (find_backdom(backend, &d->backdom) < 0)
		return -1;
	if (d->kind == DEVICE_VBD) {
		d->disk = ds;
		d->devid = (unsigned)ds->devid;
		set_script(d, ds->script, "block");
	} else {
		d->vif = vs;
		d->devid = vs->devid >= 0 ? (unsigned)vs->devid : 0;
		set_script(d, vs->script, "vif-bridge");
		if (vs->mac[0] != '\0')
			snprintf(d->mac, sizeof(d->mac), "%s", vs->mac);
		else if (random_mac(d->mac) < 0) {
			util_err("cannot make a MAC address");
			return -1;
		}
	}
	dev_paths(d);
	return 0;
}

/* Why a wait of the attach (errno) ended without what it waited for. */
static void
wait_failed(const struct dev *d, const char *who, const char *what, int ms)
{
	char secs[32];

	if (errno == ENOENT)
		util_errx("backend for %s was removed during the attach",
			  dev_name(d));
	else
		util_errx("%s for %s did not %s within %s", who, dev_name(d),
			  what, wait_secs(secs, sizeof(secs), ms));
}

/*
 * After the transaction: libxl's two waits.  -1: no backend driver
 * came (nothing ran, so the device is just removed); -2: the hotplug
 * step failed (the device goes through the removal walk).
 */
static int
attach_wait(struct xs_handle *xsh, struct dev *d)
{
	int init_ms = wait_timeout(WAIT_INIT_MS);
	int hp_ms = wait_timeout(WAIT_HOTPLUG_MS);
	char *status = NULL, *error;

	if (wait_initwait(xsh, d->back, init_ms) < 0) {
		wait_failed(d, "backend", "reach InitWait", init_ms);
		return -1;
	}
	if (wait_hotplug(xsh, d->back, hp_ms, &status) < 0) {
		wait_failed(d, "hotplug script", "report", hp_ms);
		return -2;
	}
	if (strcmp(status, "connected") == 0) {
		free(status);
		return 0;
	}
	error = wait_read(xsh, d->back, "hotplug-error");
	util_errx("hotplug script for %s failed (hotplug-status %s): %s",
		  dev_name(d), status, error ? error : "no hotplug-error");
	free(error);
	free(status);
	return -2;
}

int
device_attach(struct xs_handle *xsh, unsigned domid, enum device_kind kind,
	      const char *spec)
{
	struct dev d = {.kind = kind, .domid = domid};
	struct disk_spec ds;
	struct vif_spec vs;

	if (dev_from_spec(&d, spec, &ds, &vs) < 0)
		return -1;
	if (!txn_run(xsh, attach_txn, &d)) {
		if (errno == EEXIST)
			util_errx("device %s already exists in domain %u",
				  kind == DEVICE_VBD ? ds.vdev : "vif", domid);
		else if (errno == ENOSPC)
			util_errx("domain %u has %d interfaces already", domid,
				  MAX_VIFS);
		else
			util_err("cannot attach %s to domain %u", spec, domid);
		return -1;
	}
	switch (attach_wait(xsh, &d)) {
	case 0:
		return 0;
	case -1:
		if (!txn_run(xsh, destroy_txn, &d))
			util_err("cannot remove %s and %s", d.front, d.back);
		return -1;
	default:
		remove_walk(xsh, &d, 1, true);
		return -1;
	}
}

int
device_attach_args(enum device_kind kind, const char *dom, char **args, int n)
{
	struct xs_handle *xsh;
	char spec[1024] = "";
	unsigned domid;
	size_t len = 0;
	int i, r;

	for (i = 0; i < n; i++) {
		if (len + strlen(args[i]) + 2 > sizeof(spec)) {
			util_errx("device spec too long");
			return -1;
		}
		len += (size_t)snprintf(spec + len, sizeof(spec) - len, "%s%s",
					i ? "," : "", args[i]);
	}
	if (find_domid(dom, &domid) < 0)
		return -1;
	xsh = txn_open();
	if (xsh == NULL)
		return -1;
	r = device_attach(xsh, domid, kind, spec);
	xs_close(xsh);
	return r;
}

/*
 * d's backend path from its /libxl copy (the trusted one: the frontend's
 * own backend key is the guest's to write).  0, or -1 (ENOENT).
 */
static int
dev_from_copy(struct xs_handle *xsh, struct dev *d)
{
	char *back;
	unsigned backdom;

	dev_paths(d);
	back = wait_read(xsh, d->copy, "backend");
	if (back == NULL)
		return -1;
	if (sscanf(back, "/local/domain/%u/", &backdom) == 1) {
		d->backdom = backdom;
		dev_paths(d);
	}
	free(back);
	return 0;
}

int
device_detach(enum device_kind kind, const char *dom, const char *id)
{
	struct dev d = {.kind = kind};
	struct xs_handle *xsh;
	char *end;
	long devid;
	int r = -1;

	devid = kind == DEVICE_VBD ? spec_vdev_devid(id) : strtol(id, &end, 10);
	if (kind == DEVICE_VIF && (*id == '\0' || *end != '\0'))
		devid = -1;
	if (devid < 0) {
		util_errx("bad device %s", id);
		return -1;
	}
	if (find_domid(dom, &d.domid) < 0)
		return -1;
	d.devid = (unsigned)devid;
	xsh = txn_open();
	if (xsh == NULL)
		return -1;
	dev_from_copy(xsh, &d);
	if (!txn_run(xsh, close_txn, &d)) {
		if (errno == ENOENT)
			util_errx("no such device %s %s in domain %u",
				  kind_name(kind), id, d.domid);
		else
			util_err("cannot close %s", d.back);
		goto out;
	}
	r = remove_walk(xsh, &d, 1, false);
out:
	xs_close(xsh);
	return r;
}

/* Append the devices of kind that domid has copies of to devs. */
static void
collect(struct xs_handle *xsh, unsigned domid, enum device_kind kind,
	bool force, struct dev *devs, unsigned *n)
{
	char dir[64], **ents;
	unsigned i, m;

	snprintf(dir, sizeof(dir), "/libxl/%u/device/%s", domid,
		 kind_name(kind));
	ents = xs_directory(xsh, XBT_NULL, dir, &m);
	for (i = 0; ents != NULL && i < m && *n < MAX_DEVS; i++) {
		struct dev *d = &devs[*n];

		memset(d, 0, sizeof(*d));
		d->kind = kind;
		d->domid = domid;
		d->force = force;
		d->devid = (unsigned)strtoul(ents[i], NULL, 10);
		if (dev_from_copy(xsh, d) == 0)
			(*n)++;
	}
	free(ents);
}

int
device_remove_all(struct xs_handle *xsh, unsigned domid, bool force)
{
	struct dev *devs = calloc(MAX_DEVS, sizeof(*devs));
	unsigned n = 0;
	int r;

	if (devs == NULL)
		return -1;
	collect(xsh, domid, DEVICE_VBD, force, devs, &n);
	collect(xsh, domid, DEVICE_VIF, force, devs, &n);
	r = n > 0 ? remove_walk(xsh, devs, n, false) : 0;
	free(devs);
	return r;
}
