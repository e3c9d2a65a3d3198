/* SPDX-License-Identifier: MIT */
/*
 * The backend devices of one domain, as the hotplug daemon sees them:
 * which are waiting for their backend driver, running a script, attached
 * or being removed, and what the toolstack's writes mean for each (the
 * contract of `xl devd`, docs/hotplug.md).  This module owns the device
 * table and every xenstore write the daemon makes; it starts scripts
 * through script.c and never waits for one.
 */
#ifndef HOTPLUG_DEVICE_H
#define HOTPLUG_DEVICE_H

#include <stdbool.h>

struct event_base;
struct xs_handle;

struct device_config {
	unsigned int domid;	/* the backend domain served */
	const char *script_dir; /* for relative or missing `script` keys */
	unsigned int timeout;	/* seconds per script run, 0: none */
	bool absolute_path;	/* XENBUS_PATH absolute, not Xen's relative */
	bool early;		/* add at state 1, not the driver's InitWait */
	unsigned int init_timeout; /* for InitWait, seconds; 0: none */
};

/*
 * Start serving: remember cfg (which must outlive the module), and watch
 * /local/domain/<domid>/backend on xs.  The first event of that watch
 * makes the initial scan.  Returns 0, or -1 with errno.
 */
int device_init(struct event_base *base, struct xs_handle *xs,
		const struct device_config *cfg);

/* One watch event: path as the daemon sent it. */
void device_event(const char *path);

/* The number of scripts running now. */
unsigned int device_running(void);

/* Forget every device (scripts must have been killed): for shutdown. */
void device_shutdown(void);

#endif /* HOTPLUG_DEVICE_H */
