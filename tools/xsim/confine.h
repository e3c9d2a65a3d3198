/* SPDX-License-Identifier: MIT */
/*
 * What the xenstore domain's process may not do to itself, applied by
 * the toolstack before it boots the kernel, kept across every exec (live
 * update) and beyond the domain's reach to undo (seccomp).
 */
#ifndef XSIM_CONFINE_H
#define XSIM_CONFINE_H

/*
 * Confine the calling process: it may not set its data limit
 * (setrlimit or prlimit of RLIMIT_DATA: EPERM), which only the
 * hypervisor raises as its domain grows.  0, or -1 with errno.
 */
int confine_domain(void);

#endif
