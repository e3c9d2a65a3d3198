/* SPDX-License-Identifier: MIT */
/*
 * xl's disk and vif specs (spec.h).  A spec is split at commas (blanks
 * around an item are dropped); an item with '=' sets that key, a bare
 * `cdrom` is the devtype flag, and any other item fills the first
 * positional parameter not set yet: target, format, vdev, access.  xl's
 * older three-item form `TARGET,VDEV,ACCESS` (and xsim block-attach's
 * `TARGET VDEV [r|w]`, joined with commas as xl joins its arguments)
 * works because a second item that is not a format name but is a vdev
 * goes to vdev, as in xl, where formats are a closed set.
 *
 *   "/img,,xvda"                      target /img, vdev xvda, access rw
 *   "phy:/img,xvdb,r"                 target /img, vdev xvdb, access r
 *   "vdev=hdc, access=ro, target=/x"  the same keys by name
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

#define XVD_MAJOR 202

static int
set(char *field, size_t size, const char *value, const char *what, char *err,
    size_t errlen)
{
	if (field[0] != '\0') {
		snprintf(err, errlen, "%s given twice", what);
		return -1;
	}
	if (strlen(value) >= size) {
		snprintf(err, errlen, "%s too long", what);
		return -1;
	}
	strcpy(field, value);
	return 0;
}

#define SET(field, value, what)                                                \
	set(field, sizeof(field), value, what, err, errlen)

/* "X[N]" of a disk name: disk index (a = 0, z = 25, aa = 26) and partition. */
static int
disk_part(const char *s, long *disk, long *part)
{
	char *end;

	if (!islower((unsigned char)*s))
		return -1;
	for (*disk = 0; islower((unsigned char)*s) && *disk < 100000; s++)
		*disk = *disk * 26 + (*s - 'a' + 1);
	(*disk)--;
	*part = 0;
	if (*s == '\0')
		return 0;
	if (*s < '1' || *s > '9')
		return -1;
	*part = strtol(s, &end, 10);
	return *end == '\0' && *part <= 255 ? 0 : -1;
}

long
spec_vdev_devid(const char *s)
{
	static const int ide_majors[] = {3, 22, 33, 34};
	long n, disk, part;
	char *end;

	if (isdigit((unsigned char)s[0])) {
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno != 0 || *end != '\0' || n <= 0 || n > 0x7fffffff)
			return -1;
		return n;
	}
	if (strncmp(s, "xvd", 3) == 0) {
		if (disk_part(s + 3, &disk, &part) < 0)
			return -1;
		if (disk < 16 && part < 16)
			return (long)XVD_MAJOR << 8 | disk << 4 | part;
		/* Xen's extended scheme for many disks. */
		return disk < (1L << 20) ? 1L << 28 | disk << 8 | part : -1;
	}
	if (strncmp(s, "sd", 2) == 0) {
		if (disk_part(s + 2, &disk, &part) < 0 || disk >= 16 ||
		    part >= 16)
			return -1;
		return 8L << 8 | disk << 4 | part;
	}
	if (strncmp(s, "hd", 2) == 0) {
		if (disk_part(s + 2, &disk, &part) < 0 || disk >= 8 ||
		    part >= 64)
			return -1;
		return (long)ide_majors[disk / 2] << 8 | (disk % 2) * 64 | part;
	}
	return -1;
}

/* The next comma-separated item of *sp, blanks trimmed, into item. */
static bool
next_item(const char **sp, char *item, size_t len)
{
	const char *s = *sp, *end;
	size_t n;

	if (s == NULL)
		return false;
	end = strchr(s, ',');
	n = end != NULL ? (size_t)(end - s) : strlen(s);
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= len)
		n = len - 1; /* too long for any field: caught there */
	memcpy(item, s, n);
	item[n] = '\0';
	*sp = end != NULL ? end + 1 : NULL;
	return true;
}

static bool
is_format(const char *s)
{
	static const char *const formats[] = {"raw", "qcow", "qcow2",
					      "vhd", "qed",  "empty"};
	unsigned i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(s, formats[i]) == 0)
			return true;
	return false;
}

struct disk_parse {
	struct disk_spec *d;
	char access[8];
	char devtype[8];
	int pos; /* next positional slot: target, format, vdev, access */
};

/* A positional item into the first slot still free. */
static int
disk_positional(struct disk_parse *p, const char *item, char *err,
		size_t errlen)
{
	struct disk_spec *d = p->d;
	char *slots[] = {d->target, d->format, d->vdev, p->access};
	size_t sizes[] = {sizeof(d->target), sizeof(d->format), sizeof(d->vdev),
			  sizeof(p->access)};
	static const char *const names[] = {"target", "format", "vdev",
					    "access"};

	while (p->pos < 4 && slots[p->pos][0] != '\0')
		p->pos++;
	/* xl's TARGET,VDEV,ACCESS: no format, the vdev comes second. */
	if (p->pos == 1 && *item != '\0' && !is_format(item) &&
	    spec_vdev_devid(item) >= 0)
		p->pos = 2;
	if (p->pos >= 4) {
		snprintf(err, errlen, "too many positional parameters at %s",
			 item);
		return -1;
	}
	if (*item == '\0') {
		p->pos++;
		return 0;
	}
	return set(slots[p->pos], sizes[p->pos], item, names[p->pos], err,
		   errlen);
}

static int
disk_item(struct disk_parse *p, const char *item, char *err, size_t errlen)
{
	struct disk_spec *d = p->d;
	const char *v = strchr(item, '=');

	if (v == NULL)
		return strcmp(item, "cdrom") == 0
			       ? SET(p->devtype, "cdrom", "devtype")
			       : disk_positional(p, item, err, errlen);
	v++;
	if (strncmp(item, "format=", 7) == 0)
		return SET(d->format, v, "format");
	if (strncmp(item, "vdev=", 5) == 0)
		return SET(d->vdev, v, "vdev");
	if (strncmp(item, "access=", 7) == 0)
		return SET(p->access, v, "access");
	if (strncmp(item, "devtype=", 8) == 0)
		return SET(p->devtype, v, "devtype");
	if (strncmp(item, "backend=", 8) == 0)
		return SET(d->backend, v, "backend");
	if (strncmp(item, "script=", 7) == 0)
		return SET(d->script, v, "script");
	if (strncmp(item, "backendtype=", 12) == 0 && strcmp(v, "phy") == 0)
		return 0;
	snprintf(err, errlen, "unknown key %.*s", (int)(v - 1 - item), item);
	return -1;
}

/* Defaults and checks once every item is in. */
static int
disk_finish(struct disk_parse *p, char *err, size_t errlen)
{
	struct disk_spec *d = p->d;
	static const char *const prefixes[] = {"phy:", "file:", "raw:"};
	unsigned i;

	for (i = 0; i < 3; i++)
		if (strncmp(d->target, prefixes[i], strlen(prefixes[i])) == 0)
			memmove(d->target, d->target + strlen(prefixes[i]),
				strlen(d->target) - strlen(prefixes[i]) + 1);
	if (d->format[0] == '\0')
		strcpy(d->format, "raw");
	if (strcmp(d->format, "raw") != 0) {
		snprintf(err, errlen,
			 "format %s is not supported (only raw: the others "
			 "need QEMU's qdisk)",
			 d->format);
		return -1;
	}
	if (p->devtype[0] != '\0' && strcmp(p->devtype, "disk") != 0 &&
	    strcmp(p->devtype, "cdrom") != 0) {
		snprintf(err, errlen, "bad devtype %s (disk or cdrom)",
			 p->devtype);
		return -1;
	}
	d->cdrom = strcmp(p->devtype, "cdrom") == 0;
	if (p->access[0] == '\0')
		strcpy(p->access, d->cdrom ? "r" : "w");
	if (strcmp(p->access, "r") == 0 || strcmp(p->access, "ro") == 0) {
		strcpy(d->mode, "r");
	} else if (strcmp(p->access, "w") == 0 ||
		   strcmp(p->access, "rw") == 0) {
		strcpy(d->mode, "w");
	} else {
		snprintf(err, errlen, "bad access %s (r, ro, w or rw)",
			 p->access);
		return -1;
	}
	if (d->target[0] == '\0') {
		snprintf(err, errlen, "no target");
		return -1;
	}
	if (d->vdev[0] == '\0') {
		snprintf(err, errlen, "no vdev");
		return -1;
	}
	d->devid = spec_vdev_devid(d->vdev);
	if (d->devid < 0) {
		snprintf(err, errlen,
			 "bad vdev %s (xvdX[N], hdX[N], sdX[N] or a number)",
			 d->vdev);
		return -1;
	}
	return 0;
}

int
spec_disk_parse(const char *s, struct disk_spec *d, char *err, size_t errlen)
{
	struct disk_parse p = {.d = d};
	char item[SPEC_STR + 16];
	const char *rest = s;

	memset(d, 0, sizeof(*d));
	while (next_item(&rest, item, sizeof(item))) {
		/* target= takes the rest of the spec, commas and all. */
		if (strncmp(item, "target=", 7) == 0) {
			while (isspace((unsigned char)*s))
				s++;
			if (SET(d->target, s + 7, "target") < 0)
				return -1;
			break;
		}
		if (disk_item(&p, item, err, errlen) < 0)
			return -1;
		s = rest;
	}
	return disk_finish(&p, err, errlen);
}

static bool
mac_ok(const char *s)
{
	unsigned i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int
vif_check(struct vif_spec *v, char *err, size_t errlen)
{
	char *end;

	if (v->mac[0] != '\0' && !mac_ok(v->mac)) {
		snprintf(err, errlen, "bad mac %s (XX:XX:XX:XX:XX:XX)", v->mac);
		return -1;
	}
	if (strchr(v->bridge, '/') != NULL || strchr(v->vifname, '/')) {
		snprintf(err, errlen, "bad interface name %s%s", v->bridge,
			 v->vifname);
		return -1;
	}
	if (v->mtu[0] != '\0' && (strtol(v->mtu, &end, 10) < 68 || *end)) {
		snprintf(err, errlen, "bad mtu %s", v->mtu);
		return -1;
	}
	if (v->type[0] == '\0' || strcmp(v->type, "vif") == 0) {
		strcpy(v->type, "vif");
	} else if (strcmp(v->type, "ioemu") == 0) {
		strcpy(v->type, "vif_ioemu");
	} else {
		snprintf(err, errlen, "bad type %s (vif or ioemu)", v->type);
		return -1;
	}
	return 0;
}

static int
vif_item(struct vif_spec *v, const char *item, char *err, size_t errlen)
{
	struct {
		const char *key;
		char *field;
		size_t size;
	} keys[] = {
		{"mac", v->mac, sizeof(v->mac)},
		{"bridge", v->bridge, sizeof(v->bridge)},
		{"script", v->script, sizeof(v->script)},
		{"backend", v->backend, sizeof(v->backend)},
		{"vifname", v->vifname, sizeof(v->vifname)},
		{"ip", v->ip, sizeof(v->ip)},
		{"mtu", v->mtu, sizeof(v->mtu)},
		{"rate", v->rate, sizeof(v->rate)},
		{"gatewaydev", v->gatewaydev, sizeof(v->gatewaydev)},
		{"type", v->type, sizeof(v->type)},
	};
	const char *eq = strchr(item, '=');
	size_t klen = eq != NULL ? (size_t)(eq - item) : 0;
	char *end;
	unsigned i;

	for (i = 0; eq != NULL && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].key) == klen &&
		    strncmp(item, keys[i].key, klen) == 0)
			return set(keys[i].field, keys[i].size, eq + 1,
				   keys[i].key, err, errlen);
	if (eq != NULL && klen == 5 && strncmp(item, "devid", 5) == 0) {
		v->devid = strtol(eq + 1, &end, 10);
		if (eq[1] != '\0' && *end == '\0' && v->devid >= 0 &&
		    v->devid < 65536)
			return 0;
		snprintf(err, errlen, "bad devid %s", eq + 1);
		return -1;
	}
	if (eq != NULL && klen == 5 && strncmp(item, "model", 5) == 0)
		return 0; /* the emulated NIC's model: QEMU's business */
	snprintf(err, errlen, "unknown %s %.*s", eq ? "key" : "item",
		 eq ? (int)klen : (int)strlen(item), item);
	return -1;
}

int
spec_vif_parse(const char *s, struct vif_spec *v, char *err, size_t errlen)
{
	char item[SPEC_STR + 16];

	memset(v, 0, sizeof(*v));
	v->devid = -1;
	while (next_item(&s, item, sizeof(item)))
		if (item[0] != '\0' && vif_item(v, item, err, errlen) < 0)
			return -1;
	return vif_check(v, err, errlen);
}
