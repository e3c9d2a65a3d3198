/* SPDX-License-Identifier: MIT */
/*
 * Domain memory (memory.h).  The domain's process is limited with
 * RLIMIT_DATA: soft at the domain's size, hard at its maximum.  The
 * hypervisor raises the soft limit with prlimit(2) when it grants an
 * increase, which takes no capability (raising a hard limit would:
 * CAP_SYS_RESOURCE, which a container's root may well not have); the
 * process itself is kept from raising it by the toolstack's seccomp
 * filter (tools/xsim/confine.c).
 */
#include <errno.h>
#include <stddef.h>
#include <sys/resource.h>

#include "log.h"
#include "memory.h"

static int
apply(const struct domain *d, uint64_t kb)
{
	struct rlimit rl;

	if (d->mem_pid == 0)
		return 0;
	rl.rlim_cur = (rlim_t)kb << 10;
	rl.rlim_max = (rlim_t)d->max_kb << 10;
	return prlimit(d->mem_pid, RLIMIT_DATA, &rl, NULL) < 0 ? errno : 0;
}

int
mem_set(struct domain *d, pid_t pid, uint64_t mem_kb, uint64_t max_kb)
{
	int err;

	if (mem_kb == 0 || max_kb < mem_kb || max_kb > (uint64_t)1 << 40)
		return EINVAL;
	d->mem_pid = pid;
	d->max_kb = max_kb;
	if ((err = apply(d, mem_kb)) != 0) {
		d->mem_pid = 0;
		d->max_kb = 0;
		return err;
	}
	d->mem_kb = mem_kb;
	return 0;
}

int
mem_increase(struct domain *d, uint64_t want_kb)
{
	uint64_t kb, room = d->max_kb - d->mem_kb;
	int err;

	if (d->mem_kb == 0 || room == 0)
		return ENOMEM;
	kb = want_kb < MEM_STEP_KB ? want_kb : MEM_STEP_KB;
	if (kb == 0)
		kb = MEM_STEP_KB;
	if (kb > room)
		kb = room;
	if ((err = apply(d, d->mem_kb + kb)) != 0)
		return err;
	d->mem_kb += kb;
	log_warnx("dom%u grew by %llu KiB to %llu KiB (at most %llu)", d->domid,
		  (unsigned long long)kb, (unsigned long long)d->mem_kb,
		  (unsigned long long)d->max_kb);
	return 0;
}
