/* SPDX-License-Identifier: MIT */
/*
 * Hypercall channels: the connections through which processes act as
 * domains.  Owns the dom0 socket (and its SO_PEERCRED check), the guest
 * channels handed out to toolstacks, reading requests and answering them
 * through one table of handlers.  A channel's domain is fixed when the
 * channel is made; nothing a process sends can change it.
 */
#ifndef XSIM_CHANNEL_H
#define XSIM_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct event;

struct channel {
	struct channel *next, *prev;
	int fd;
	struct event *ev;
	uint32_t domid;
	bool primary; /* the guest's own channel: closing it kills the domain */
};

/*
 * Listen on the dom0 socket at path (created mode 0600, owned by
 * dom0_uid) and accept connections from processes running as dom0_uid.
 * 0, or -1 with errno.
 */
int channel_listen(struct event_base *base, const char *path, uid_t dom0_uid);

/* Free every channel of domid (its domain died or is destroyed). */
void channel_drop_domain(uint32_t domid);

/* Close everything (shutdown). */
void channel_exit(void);

#endif /* XSIM_CHANNEL_H */
