/* SPDX-License-Identifier: MIT */
/*
 * The guest's PV frontend drivers (vbd and vif): they watch ~/device
 * (one watch, for device/vbd and device/vif) and walk each device through
 * the xenbus handshake with its backend (docs/drivers.md).
 */
#ifndef FRONT_H
#define FRONT_H

/*
 * Start the frontends (after xenbus_start()).  hold: the test hook -H,
 * never switch to this state or beyond (0: no limit).  0, or -1 with
 * errno.
 */
int front_start(int hold);

#endif /* FRONT_H */
