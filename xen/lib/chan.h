/* SPDX-License-Identifier: MIT */
/*
 * The client end of a hypercall channel, shared by every simulated Xen
 * library: finding the hypervisor (dom0 socket or the guest's inherited
 * channel), and one request/reply round trip with descriptors.  Internal
 * to xen/lib: not exported from the shared libraries.
 */
#ifndef XSIM_CHAN_H
#define XSIM_CHAN_H

#include <stdbool.h>
#include <stdint.h>

#include "hypercall.pb-c.h"

#define XSIM_HIDDEN __attribute__((visibility("hidden")))

struct xsim_chan {
	int fd;
	uint32_t domid;
	bool privileged;
};

/*
 * Open a channel of our own: a connection to the dom0 socket, or, in a
 * guest process ($XENHYP_CHANNEL_FD set), a clone of the inherited
 * channel.  Learns our domain id.  0, or -1 with errno.
 */
XSIM_HIDDEN int chan_open(struct xsim_chan *c);

/*
 * Use fd, a channel this process already has (kept across exec), as c:
 * learns our domain id.  0, or -1 with errno.
 */
XSIM_HIDDEN int chan_adopt(struct xsim_chan *c, int fd);

/* Close the channel; the hypervisor drops what it held for it. */
XSIM_HIDDEN void chan_close(struct xsim_chan *c);

/*
 * Send req and wait for the reply.  Descriptors that come with the reply
 * are stored in fds (up to maxfds; the caller owns them) and counted in
 * *nfds (may be NULL when maxfds is 0).  Returns the reply (free it with
 * xsim__reply__free_unpacked(r, NULL)), or NULL with errno: the reply's
 * err if the hypervisor refused (no descriptors then), EPROTO for a
 * malformed reply, ECONNRESET if the hypervisor went away.
 */
XSIM_HIDDEN Xsim__Reply *chan_call(struct xsim_chan *c,
				   const Xsim__Request *req, int *fds,
				   unsigned maxfds, unsigned *nfds);

/* As chan_call for requests answered by err alone: 0 or -1 with errno. */
XSIM_HIDDEN int chan_simple(struct xsim_chan *c, const Xsim__Request *req);

/*
 * Reserve n pages of address space (inaccessible until filled); NULL
 * with errno.
 */
XSIM_HIDDEN void *chan_reserve(unsigned n);

/*
 * Map the page behind fd (closed afterwards either way) at page i of
 * area with prot.  0, or -1 with errno.
 */
XSIM_HIDDEN int chan_map_at(void *area, unsigned i, int fd, int prot);

/* Close n descriptors. */
XSIM_HIDDEN void chan_close_fds(const int *fds, unsigned n);

#endif /* XSIM_CHAN_H */
