/* SPDX-License-Identifier: MIT */
/*
 * What a backend advertises when it probes a device (the features, the
 * disk's size) and the simulated network interface of a vif
 * ($XSIM_NET_DIR/link/vif<domU>.<devid>, which the simulated `ip` of the
 * hotplug tests looks for).  No handshake here: back.c walks the states.
 */
#ifndef BACKINFO_H
#define BACKINFO_H

#include <stdbool.h>

/*
 * Probe the backend directory node of a kind ("vbd", "vif") device:
 * publish its features (max_queues as multi-queue-max-queues), create a
 * vif's interface (*link set once it exists), and switch to InitWait, in
 * one transaction.  0, or -1 with errno (ENOENT: the directory is gone).
 */
int backinfo_publish(const char *node, const char *kind, unsigned domu,
		     unsigned devid, unsigned max_queues, bool *link);

/* Remove the simulated interface of vif domu.devid, if any. */
void backinfo_unlink(unsigned domu, unsigned devid);

#endif /* BACKINFO_H */
