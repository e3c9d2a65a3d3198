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
#include <sys/types.h>

/*
 * Probe the backend directory node of a kind ("vbd", "vif") device:
 * publish its features (max_queues as multi-queue-max-queues), create a
 * vif's interface (*link set to its inode once it exists), and switch to
 * InitWait, in one transaction.  0, or -1 with errno (ENOENT: the directory is
 * gone).
 */
int backinfo_publish(const char *node, const char *kind, unsigned domu,
		     unsigned devid, unsigned max_queues, ino_t *link);

/*
 * Remove the simulated interface with inode link, under whatever name the
 * hotplug script gave it (vifname), as netback destroys its interface.
 */
void backinfo_unlink(ino_t link);

#endif /* BACKINFO_H */
