/* SPDX-License-Identifier: MIT */
/*
 * Xen's per-domain xenstore layout (layout.h), as libxl__domain_make and
 * libxl__build_post write it.  Permission shorthands are libxl's:
 *
 *   roperm  n0 r<d>   dom0 owns, the guest reads   (home, vm, cpu, memory,
 *                                                   control, device)
 *   rwperm  n<d>      the guest owns               (data, drivers, feature,
 *                                                   attr, error, the
 *                                                   control/shutdown and
 *                                                   feature-* nodes)
 *   noperm  n0        dom0 only                    (/libxl/<d>)
 *
 * Nodes created below a roperm node by dom0 inherit roperm, so only the
 * directories need explicit permissions.  Every step below runs inside
 * the one transaction of layout_domain_create(); devices are not steps:
 * each is attached and waited for on its own (device.c), as libxl does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "layout.h"
#include "txn.h"

typedef bool layout_step(struct xs_handle *h, xs_transaction_t t,
			 const struct layout_dom *d);

static bool
mknod_perms(struct xs_handle *h, xs_transaction_t t, const char *path,
	    struct xs_permissions *perms, unsigned n)
{
	return xs_mkdir(h, t, path) && xs_set_permissions(h, t, path, perms, n);
}

static bool __attribute__((format(printf, 4, 5)))
writef(struct xs_handle *h, xs_transaction_t t, const char *path,
       const char *fmt, ...)
{
	char value[256];
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

/* "/local/domain/<d>/<sub>" into buf. */
static const char *
home(char *buf, size_t len, const struct layout_dom *d, const char *sub)
{
	snprintf(buf, len, "/local/domain/%u%s%s", d->domid, *sub ? "/" : "",
		 sub);
	return buf;
}

/* The home, the VM directory and the toolstack's directory. */
static bool
step_dirs(struct xs_handle *h, xs_transaction_t t, const struct layout_dom *d)
{
	struct xs_permissions roperm[2] = {{0, XS_PERM_NONE},
					   {d->domid, XS_PERM_READ}};
	struct xs_permissions noperm[1] = {{0, XS_PERM_NONE}};
	char path[256];

	/* A reused domid must not inherit anything of its predecessor. */
	home(path, sizeof(path), d, "");
	if (!xs_rm(h, t, path) && errno != ENOENT)
		return false;
	if (!mknod_perms(h, t, path, roperm, 2))
		return false;
	snprintf(path, sizeof(path), "/vm/%s", d->uuid);
	if (!d->keep_vm && !xs_rm(h, t, path) && errno != ENOENT)
		return false;
	if (!d->keep_vm && !mknod_perms(h, t, path, roperm, 2))
		return false;
	snprintf(path, sizeof(path), "/libxl/%u", d->domid);
	if (!xs_rm(h, t, path) && errno != ENOENT)
		return false;
	if (!mknod_perms(h, t, path, noperm, 1))
		return false;
	snprintf(path, sizeof(path), "/libxl/%u/device", d->domid);
	if (!mknod_perms(h, t, path, noperm, 1))
		return false;
	snprintf(path, sizeof(path), "/libxl/%u/type", d->domid);
	return writef(h, t, path, "pv");
}

/* Who the domain is: ~/name, ~/domid, ~/vm and the VM directory. */
static bool
step_identity(struct xs_handle *h, xs_transaction_t t,
	      const struct layout_dom *d)
{
	char path[256];

	if (d->keep_vm)
		goto home; /* what the guest's first host wrote stays */
	snprintf(path, sizeof(path), "/vm/%s/uuid", d->uuid);
	if (!writef(h, t, path, "%s", d->uuid))
		return false;
	snprintf(path, sizeof(path), "/vm/%s/name", d->uuid);
	if (!writef(h, t, path, "%s", d->name))
		return false;
	snprintf(path, sizeof(path), "/vm/%s/start_time", d->uuid);
	if (!writef(h, t, path, "%ld.00", (long)time(NULL)))
		return false;
home:
	return writef(h, t, home(path, sizeof(path), d, "vm"), "/vm/%s",
		      d->uuid) &&
	       writef(h, t, home(path, sizeof(path), d, "name"), "%s",
		      d->name) &&
	       writef(h, t, home(path, sizeof(path), d, "domid"), "%u",
		      d->domid);
}

/* The read-only directories and the guest-writable areas. */
static bool
step_areas(struct xs_handle *h, xs_transaction_t t, const struct layout_dom *d)
{
	static const char *const ro_dirs[] = {"cpu", "memory", "control",
					      "device"};
	static const char *const rw_nodes[] = {
		"device/suspend/event-channel",
		"control/shutdown",
		"control/feature-poweroff",
		"control/feature-reboot",
		"control/feature-suspend",
		"control/feature-s3",
		"control/feature-s4",
		"control/sysrq",
		"data",
		"drivers",
		"feature",
		"attr",
		"error",
	};
	static const char *const driver_nodes[] = {"libxl", "device-model"};
	static const char *const platform[] = {
		"control/platform-feature-multiprocessor-suspend",
		"control/platform-feature-xs_reset_watches",
	};
	struct xs_permissions roperm[2] = {{0, XS_PERM_NONE},
					   {d->domid, XS_PERM_READ}};
	struct xs_permissions rwperm[1] = {{d->domid, XS_PERM_NONE}};
	char path[256];
	unsigned i;

	for (i = 0; i < sizeof(ro_dirs) / sizeof(ro_dirs[0]); i++)
		if (!mknod_perms(h, t, home(path, sizeof(path), d, ro_dirs[i]),
				 roperm, 2))
			return false;
	for (i = 0; i < sizeof(rw_nodes) / sizeof(rw_nodes[0]); i++)
		if (!mknod_perms(h, t, home(path, sizeof(path), d, rw_nodes[i]),
				 rwperm, 1))
			return false;
	for (i = 0; d->driver_domain && i < 2; i++)
		if (!mknod_perms(h, t,
				 home(path, sizeof(path), d, driver_nodes[i]),
				 rwperm, 1))
			return false;
	for (i = 0; i < sizeof(platform) / sizeof(platform[0]); i++)
		if (!writef(h, t, home(path, sizeof(path), d, platform[i]),
			    "1"))
			return false;
	return true;
}

/* What the domain builder leaves: store, memory, cpus. */
static bool
step_build(struct xs_handle *h, xs_transaction_t t, const struct layout_dom *d)
{
	char path[256], sub[32];
	unsigned i;

	if (!writef(h, t, home(path, sizeof(path), d, "store/port"), "%u",
		    d->store_port) ||
	    !writef(h, t, home(path, sizeof(path), d, "store/ring-ref"), "%lu",
		    d->store_gfn) ||
	    !writef(h, t, home(path, sizeof(path), d, "memory/static-max"),
		    "%lu", d->maxkb ? d->maxkb : d->memkb) ||
	    !writef(h, t, home(path, sizeof(path), d, "memory/target"), "%lu",
		    d->memkb))
		return false;
	for (i = 0; i < d->vcpus; i++) {
		snprintf(sub, sizeof(sub), "cpu/%u/availability", i);
		if (!writef(h, t, home(path, sizeof(path), d, sub), "online"))
			return false;
	}
	return true;
}

static layout_step *const create_steps[] = {
	step_dirs,
	step_identity,
	step_areas,
	step_build,
};

static bool
create_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	const struct layout_dom *d = arg;
	unsigned i;

	for (i = 0; i < sizeof(create_steps) / sizeof(create_steps[0]); i++)
		if (!create_steps[i](h, t, d))
			return false;
	return true;
}

int
layout_domain_create(struct xs_handle *xsh, const struct layout_dom *d)
{
	struct layout_dom copy = *d; /* the callback's argument is not const */

	return txn_run(xsh, create_txn, &copy) ? 0 : -1;
}

static bool
dom0_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	(void)arg;
	return writef(h, t, "/local/domain/0/name", "Domain-0") &&
	       writef(h, t, "/local/domain/0/domid", "0") &&
	       writef(h, t, "/local/pool/0/name", "Pool-0");
}

int
layout_dom0(struct xs_handle *xsh)
{
	return txn_run(xsh, dom0_txn, NULL) ? 0 : -1;
}

static bool
rm_quiet(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return xs_rm(h, t, path) || errno == ENOENT;
}

struct removal {
	unsigned domid;
	bool keep_vm;
};

static bool
remove_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	static const char *const kinds[] = {"vbd", "vif"};
	const struct removal *rm = arg;
	unsigned domid = rm->domid;
	char path[256], *vm;
	unsigned i;

	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	vm = rm->keep_vm ? NULL : xs_read(h, t, path, NULL);
	if (vm != NULL && strncmp(vm, "/vm/", 4) == 0 && !rm_quiet(h, t, vm)) {
		free(vm);
		return false;
	}
	free(vm);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	if (!rm_quiet(h, t, path))
		return false;
	/* Its devices' backends (xsim block-attach, network-attach). */
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u",
			 kinds[i], domid);
		if (!rm_quiet(h, t, path))
			return false;
	}
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	return rm_quiet(h, t, path);
}

int
layout_domain_remove(struct xs_handle *xsh, unsigned domid, bool keep_vm)
{
	struct removal rm = {domid, keep_vm};

	return txn_run(xsh, remove_txn, &rm) ? 0 : -1;
}

char *
layout_domain_name(struct xs_handle *xsh, unsigned domid)
{
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	return xs_read(xsh, XBT_NULL, path, NULL);
}

int
layout_new_uuid(unsigned char b[16], char uuid[LAYOUT_UUID_LEN + 1])
{
	if (getrandom(b, 16, 0) != 16)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(uuid, LAYOUT_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}
