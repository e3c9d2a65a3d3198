/* SPDX-License-Identifier: MIT */
/*
 * What runs in dom0 besides the daemons of host.c for devices to work:
 * the backend drivers (dom0's kernel, played by `xsim-guest -s -b
 * serve`), xenstore-hotplugd for dom0's backends, and the simulated
 * network (RUNDIR/net, where the simulated `ip` keeps links and
 * bridges; xenbr0 exists from the start).  Also the hotplug daemon of a
 * driver domain, which its monitor owns.
 */
#ifndef DOM0_H
#define DOM0_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Make RUNDIR/net with bridge xenbr0; unless bare, start dom0's backend
 * drivers and hotplug daemon (RUNDIR/backend.pid, hotplugd.pid and
 * their .log).  0, or -1 after a message (what was started is stopped).
 */
int dom0_start(bool bare);

/* Stop dom0's hotplug daemon and backend drivers; 0 or -1. */
int dom0_stop(void);

/*
 * Start `xenstore-hotplugd -d domid -a` for a driver domain, recorded
 * in RUNDIR/hotplugd-<domid>.pid; its pid, or -1 after a message.
 */
pid_t dom0_driver_hotplugd(unsigned domid);

/* Stop what dom0_driver_hotplugd(domid) started. */
void dom0_driver_hotplugd_stop(unsigned domid);

#endif /* DOM0_H */
