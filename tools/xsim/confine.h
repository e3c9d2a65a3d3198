/* SPDX-License-Identifier: MIT */
/*
 * What the xenstore domain's process may not do, applied by the
 * toolstack before it boots the kernel, kept across every exec (live
 * update) and beyond the domain's reach to undo: seccomp (confine.c)
 * and Landlock (landlock.c).  The domain is to have nothing but the
 * hypervisor's interfaces: its hypercall channel, inherited, and its
 * share, the directory that plays Xen's 9pfs share.
 */
#ifndef XSIM_CONFINE_H
#define XSIM_CONFINE_H

/* A build under AddressSanitizer: LeakSanitizer ptraces its own threads. */
#if defined(__SANITIZE_ADDRESS__)
#define CONFINE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONFINE_SANITIZED 1
#endif
#endif
#ifndef CONFINE_SANITIZED
#define CONFINE_SANITIZED 0
#endif

/*
 * Confine the calling process's system calls (seccomp), each refused
 * with EPERM: setting its data limit (setrlimit or prlimit of
 * RLIMIT_DATA), which only the hypervisor raises as its domain grows;
 * creating a socket (socket, socketpair), so that no unix socket of
 * dom0's nor any network is reachable; and reading or tracing another
 * process (ptrace, process_vm_readv/writev; Landlock alone bounds ptrace
 * under AddressSanitizer, whose leak checker needs it).  0, or -1 with
 * errno.
 */
int confine_domain(void);

/* The Landlock ABI version the running kernel has, 0 if none. */
int confine_abi(void);

/*
 * Confine the calling process's file system (Landlock), handling every
 * right the running kernel knows: read and write beneath share only;
 * execute only the files run names (NULL-terminated) and the loader
 * each names, reading them too; read beneath what the dynamic loader
 * needs (/usr, /lib*, /etc/ld.so.cache), its own /proc directory, and the
 * directories read names (NULL-terminated, may be NULL).  Where the ABI has
 * them, no TCP bind or connect, and no abstract unix socket or signal reaching
 * outside.  The ABI version applied, 0 if the kernel has no Landlock
 * (nothing done), or -1 with errno.
 */
int confine_files(const char *share, const char *const *run,
		  const char *const *read);

#endif
