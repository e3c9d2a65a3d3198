/* SPDX-License-Identifier: MIT */
/*
 * The PV backend drivers (vbd and vif) of the domain we run as: they
 * watch /local/domain/<self>/backend/vbd and .../vif and walk each device
 * through the xenbus handshake with its frontend (docs/drivers.md).
 */
#ifndef BACK_H
#define BACK_H

/*
 * Start the backends (after xenbus_start()); max_queues is the
 * multi-queue-max-queues they advertise (-q).  0, or -1 with errno.
 */
int back_start(unsigned max_queues);

#endif /* BACK_H */
