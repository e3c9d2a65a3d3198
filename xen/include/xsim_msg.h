/* SPDX-License-Identifier: MIT */
/*
 * Datagrams on a hypercall channel (a SOCK_SEQPACKET unix socket): one
 * packed protobuf message (hypercall.proto) per datagram, with file
 * descriptors alongside as SCM_RIGHTS.  Implemented in xen/lib/msg.c and
 * used by the hypervisor and the libraries alike.
 */
#ifndef XSIM_MSG_H
#define XSIM_MSG_H

#include <stddef.h>
#include <sys/types.h>

/* The first byte of every datagram (then the packed message). */
#define XSIM_MSG_TAG 0x58

/* Largest datagram either side sends or accepts. */
#define XSIM_MSG_MAX 65536
/* Most descriptors one datagram carries. */
#define XSIM_MSG_MAX_FDS 8

/*
 * Send len bytes of buf and nfds descriptors (still owned by the caller).
 * Returns 0, or -1 with errno (EINVAL if nfds is too large).
 */
int xsim_msg_send(int sock, const void *buf, size_t len, const int *fds,
		  unsigned nfds);

/*
 * Receive one datagram into buf (cap bytes) and up to maxfds descriptors
 * into fds (the caller owns them; extra ones are closed).  Returns the
 * message's length (0 is a valid empty message), or -1 with errno:
 * ECONNRESET at end of file, EMSGSIZE if the datagram or its descriptors
 * were truncated, EPROTO if it lacks the tag (no descriptors returned).
 */
ssize_t xsim_msg_recv(int sock, void *buf, size_t cap, int *fds,
		      unsigned maxfds, unsigned *nfds);

#endif /* XSIM_MSG_H */
