/* SPDX-License-Identifier: MIT */
/*
 * PV devices of the simulated host's guests, as xl block-attach and
 * network-attach make them (reference 11.3, 11.5): the frontend
 * directory /local/domain/<domU>/device/<vbd|vif>/<devid>, the backend
 * directory /local/domain/0/backend/<vbd|vif>/<domU>/<devid> and the
 * toolstack's copy /libxl/<domU>/device/<kind>/<devid>, written with
 * libxl's keys and permissions in one transaction retried on EAGAIN;
 * their removal through the backend's Closing/Closed handshake; and
 * their listing in xl's format.  Running hotplug scripts is not ours:
 * xenstore-hotplugd does that once a backend driver reaches InitWait.
 */
#ifndef DEVICE_H
#define DEVICE_H

enum device_kind { DEVICE_VBD, DEVICE_VIF };

/*
 * Attach a disk: target is the backing file or device, vdev "xvdX[N]"
 * or a number, mode "r" or "w".  0, or -1 after printing what failed.
 */
int device_block_attach(const char *dom, const char *target, const char *vdev,
			const char *mode);

/*
 * Attach a network interface with options "mac=...", "bridge=..." and
 * "script=..." (n of them; defaults: a random 00:16:3e MAC, xenbr0,
 * /etc/xen/scripts/vif-bridge); the devid is the lowest free one.
 * 0 or -1.
 */
int device_network_attach(const char *dom, char **opts, int n);

/*
 * Detach the device id (vbd: vdev name or number; vif: devid) of dom:
 * online=0, state=5, wait (bounded) for the backend to close or be
 * removed, then remove both directories.  0 or -1.
 */
int device_detach(enum device_kind kind, const char *dom, const char *id);

/* Print dom's devices of kind as xl block-list / network-list do. */
int device_list(enum device_kind kind, const char *dom);

#endif /* DEVICE_H */
