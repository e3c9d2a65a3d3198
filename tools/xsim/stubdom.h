/* SPDX-License-Identifier: MIT */
/*
 * xenstore in its own domain (XENSTORETYPE=domain, as xencommons sets it
 * on a Xen host): what Xen's init-xenstore-domain does, for the
 * simulated host.  The domain is flagged as the xenstore domain, named
 * "Xenstore", receives VIRQ_DOM_EXC, and runs our xenstored as its
 * kernel with nothing but its hypercall channel; dom0 reaches it through
 * xsim-xenbus, dom0's xenbus device, whose socket is XENSTORED_PATH.
 */
#ifndef STUBDOM_H
#define STUBDOM_H

#include <stdbool.h>

/* True when xencommons' XENSTORETYPE asks for a xenstore domain. */
bool stubdom_wanted(void);

/*
 * Build and boot the xenstore domain (the hypervisor runs already),
 * start dom0's xenbus device for it, wait until the daemon serves dom0
 * and write /tool/xenstored/domid and the domain's nodes.  extra_args
 * go to the daemon (NULL-terminated, may be NULL).  0, or -1 after a
 * message.  Records RUNDIR/xenstored.pid (the daemon in the domain)
 * and RUNDIR/xenbus.pid.
 */
int stubdom_start(char *const *extra_args);

/* The xenstore domain's id (from RUNDIR/xenstored/domid), or 0. */
unsigned stubdom_domid(void);

#endif /* STUBDOM_H */
