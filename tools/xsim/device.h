/* SPDX-License-Identifier: MIT */
/*
 * PV devices of the simulated host's guests, as xl and libxl make them
 * (reference 11.3, 11.5): the frontend directory
 * /local/domain/<domU>/device/<vbd|vif>/<devid>, the backend directory
 * /local/domain/<backdom>/backend/<vbd|vif>/<domU>/<devid> (backdom is 0
 * or a driver domain) and the toolstack's copy
 * /libxl/<domU>/device/<kind>/<devid>, written with libxl's keys and
 * permissions in one transaction retried on EAGAIN; the waits of an
 * attach (InitWait, then hotplug-status); removal through the backend's
 * Closing/Closed handshake; and listing in xl's format.  Running hotplug
 * scripts is xenstore-hotplugd's, the handshake the drivers'.
 */
#ifndef DEVICE_H
#define DEVICE_H

#include <stdbool.h>

#include "xenstore.h"

enum device_kind { DEVICE_VBD, DEVICE_VIF };

/*
 * Attach the device described by spec (xl's disk or vif spec) to domid
 * and wait as libxl does: the backend reaches InitWait, then the hotplug
 * script reports.  On any failure the device is removed again.  0, or
 * -1 after printing what failed, naming the device.
 */
int device_attach(struct xs_handle *xsh, unsigned domid, enum device_kind kind,
		  const char *spec);

/*
 * xl block-attach / network-attach: the n arguments are joined with
 * commas into one spec, as xl does.  0 or -1.
 */
int device_attach_args(enum device_kind kind, const char *dom, char **args,
		       int n);

/*
 * Detach the device id (vbd: vdev name or number; vif: devid) of dom:
 * online=0, state=5, wait (bounded) for the backend to close or be
 * removed, then remove both directories.  0 or -1.
 */
int device_detach(enum device_kind kind, const char *dom, const char *id);

/*
 * Remove every device of domid (found through its /libxl copies) with
 * the same walk, all at once, within one timeout.  force: the guest is
 * dead, so its frontends are set Closed for the backends to see.  0, or
 * -1 after a message.
 */
int device_remove_all(struct xs_handle *xsh, unsigned domid, bool force);

/* Print dom's devices of kind as xl block-list / network-list do. */
int device_list(enum device_kind kind, const char *dom);

/*
 * Wait until every device of dom is Connected (4) at both ends, at most
 * timeout_ms; else print each device not there with its states and any
 * error nodes.  0 or -1.
 */
int device_wait_connected(const char *dom, int timeout_ms);

#endif /* DEVICE_H */
