/* SPDX-License-Identifier: MIT */
/*
 * confine.h, with libseccomp.  The domain's data limit is its memory:
 * soft at its size, hard at the most it may grow to, so that the
 * hypervisor (prlimit, same user, no capability needed) can raise the
 * soft limit.  The kernel would let the process raise its soft limit up
 * to the hard one too; this filter is what stops it.  Reading the limit
 * (prlimit64 without a new value, which getrlimit is) stays allowed, and
 * so does setting any other limit (AddressSanitizer sets RLIMIT_CORE).
 * Its hypercall channel is inherited and its event channel and grant
 * handles come over it (sendmsg, recvmsg): it never needs a socket of
 * its own, and Landlock does not bound connecting to a unix socket by
 * its path.  A refused call fails with EPERM: the daemon keeps running.
 */
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "confine.h"

/* Calls refused whatever their arguments. */
static const int refused[] = {
	SCMP_SYS(socket),	    SCMP_SYS(socketpair),
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
#if !CONFINE_SANITIZED
	SCMP_SYS(ptrace),
#endif
};

int
confine_domain(void)
{
	size_t i;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int err;

	if (ctx == NULL) {
		errno = ENOMEM;
		return -1;
	}
	err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setrlimit),
			       1, SCMP_A0(SCMP_CMP_EQ, RLIMIT_DATA));
	if (err == 0)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				       SCMP_SYS(prlimit64), 2,
				       SCMP_A1(SCMP_CMP_EQ, RLIMIT_DATA),
				       SCMP_A2(SCMP_CMP_NE, 0));
	for (i = 0; err == 0 && i < sizeof(refused) / sizeof(refused[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), refused[i],
				       0);
	/* No privilege to gain by exec: what seccomp needs unprivileged. */
	if (err == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		err = -errno;
	if (err == 0)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	if (err < 0) {
		errno = -err;
		return -1;
	}
	return 0;
}
