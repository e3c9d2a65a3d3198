/* SPDX-License-Identifier: MIT */
/*
 * xl's device specifications, parsed into what the toolstack writes:
 * disks as xl-disk-configuration(5) describes them (positional
 * `target,format,vdev,access`, `key=value` settings, the `cdrom` flag,
 * `phy:`/`file:` prefixes on the target) and vifs as xl-network-
 * configuration(5) does (`key=value` settings).  Pure functions: no
 * xenstore; the backend domain stays a name for the caller to resolve.
 */
#ifndef SPEC_H
#define SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define SPEC_STR 256

struct disk_spec {
	char target[SPEC_STR];
	char format[16]; /* "raw" */
	char vdev[32];
	char mode[2];	       /* "r" or "w" */
	bool cdrom;	       /* devtype=cdrom */
	char backend[64];      /* "": dom0 */
	char script[SPEC_STR]; /* "": block */
	long devid;	       /* from vdev */
};

struct vif_spec {
	char mac[18];	       /* "": the caller picks one */
	char bridge[64];       /* "": xenbr0 */
	char script[SPEC_STR]; /* "": vif-bridge */
	char backend[64];
	char vifname[32];
	char ip[128];
	char mtu[8];
	char rate[64];
	char gatewaydev[32];
	char type[16]; /* "vif" (default) or "vif_ioemu" */
	long devid;    /* -1: the lowest free one */
};

/*
 * Parse a disk spec.  0, or -1 with a message for humans in err (the
 * caller adds which spec).
 */
int spec_disk_parse(const char *s, struct disk_spec *d, char *err,
		    size_t errlen);

/* Parse a vif spec; 0 or -1 with err. */
int spec_vif_parse(const char *s, struct vif_spec *v, char *err, size_t errlen);

/*
 * The Linux device number of a virtual disk name as Xen encodes it:
 * xvdX[N] (202 << 8 | disk << 4 | N, disks a-p; beyond: 1 << 28 |
 * disk << 8 | N), hdX[N] (IDE majors 3, 22, 33, 34), sdX[N] (8 << 8 |
 * disk << 4 | N) or a plain number.  -1 if s is none of these.
 */
long spec_vdev_devid(const char *s);

#endif /* SPEC_H */
