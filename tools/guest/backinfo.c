/* SPDX-License-Identifier: MIT */
/*
 * A backend's probe (backinfo.h): the keys Linux's blkback and netback
 * publish before InitWait, the size of the disk named by `params`, and
 * the simulated interface of a vif.  The interface is an empty file: on
 * the simulated host there is no kernel to make a real one, and the
 * hotplug script's `ip` only needs to see that it exists.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backinfo.h"
#include "xenbus.h"

#define VDISK_READONLY 4 /* blkif.h's `info` bit */

/* params's size in 512-byte sectors; 0 if it cannot be told. */
static unsigned long long
sectors(const char *params)
{
	unsigned long long bytes = 0;
	struct stat st;
	int fd;

	if (params == NULL || stat(params, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return (unsigned long long)st.st_size / 512;
	if (!S_ISBLK(st.st_mode))
		return 0;
	fd = open(params, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
		bytes = 0;
	close(fd);
	return bytes / 512;
}

static void
vbd_keys(const char *node, struct xenbus_kv *kv, unsigned *n)
{
	char *params = xenbus_read_key(node, "params");
	char *mode = xenbus_read_key(node, "mode");

	xenbus_kv_add(kv, n, "feature-flush-cache", "1");
	xenbus_kv_add(kv, n, "feature-persistent", "0");
	xenbus_kv_add(kv, n, "max-ring-page-order", "0");
	xenbus_kv_add(kv, n, "sectors", "%llu", sectors(params));
	xenbus_kv_add(kv, n, "sector-size", "512");
	xenbus_kv_add(kv, n, "info", "%d",
		      mode != NULL && strcmp(mode, "r") == 0 ? VDISK_READONLY
							     : 0);
	free(params);
	free(mode);
}

/* $XSIM_NET_DIR/link (dir_only) or .../link/vif<domu>.<devid>; -1 if unset. */
static int
link_path(char *buf, size_t size, unsigned domu, unsigned devid, bool dir_only)
{
	const char *net = getenv("XSIM_NET_DIR");
	int n;

	if (net == NULL || *net == '\0')
		return -1;
	if (dir_only)
		n = snprintf(buf, size, "%s/link", net);
	else
		n = snprintf(buf, size, "%s/link/vif%u.%u", net, domu, devid);
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

/* Create the interface; 0 (also when XSIM_NET_DIR is not set) or -1. */
static int
make_link(unsigned domu, unsigned devid, ino_t *made)
{
	char path[4096];
	struct stat st;
	int fd;

	if (link_path(path, sizeof(path), domu, devid, true) < 0)
		return 0;
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		/* mkdir -p: the net directory itself may be missing. */
		char parent[4096];

		snprintf(parent, sizeof(parent), "%s", getenv("XSIM_NET_DIR"));
		if (mkdir(parent, 0755) < 0 && errno != EEXIST)
			return -1;
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
	}
	link_path(path, sizeof(path), domu, devid, false);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0)
		*made = st.st_ino;
	close(fd);
	return 0;
}

int
backinfo_publish(const char *node, const char *kind, unsigned domu,
		 unsigned devid, unsigned max_queues, ino_t *link)
{
	struct xenbus_kv kv[16];
	unsigned n = 0;

	xenbus_kv_add(kv, &n, "multi-queue-max-queues", "%u", max_queues);
	if (strcmp(kind, "vbd") == 0) {
		vbd_keys(node, kv, &n);
	} else {
		xenbus_kv_add(kv, &n, "feature-sg", "1");
		xenbus_kv_add(kv, &n, "feature-rx-copy", "1");
		xenbus_kv_add(kv, &n, "feature-split-event-channels", "0");
		/* Before InitWait: the hotplug script looks for it then. */
		if (!*link && make_link(domu, devid, link) < 0)
			return -1;
	}
	xenbus_kv_add(kv, &n, "state", "%d", XenbusStateInitWait);
	return xenbus_write_keys(node, kv, n);
}

void
backinfo_unlink(ino_t link)
{
	char dir[4096], path[8192];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (link_path(dir, sizeof(dir), 0, 0, true) < 0 ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &st) < 0 ||
		    st.st_ino != link)
			continue;
		if (unlink(path) < 0)
			fprintf(stderr, "xsim-guest: cannot remove %s: %s\n",
				path, strerror(errno));
		break;
	}
	closedir(d);
}
