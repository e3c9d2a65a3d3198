/* SPDX-License-Identifier: MIT */
/*
 * Datagrams with descriptors on a hypercall channel (xsim_msg.h).  Owns
 * the SCM_RIGHTS plumbing and nothing else: no message knowledge.
 *
 * Each datagram starts with a tag byte before the packed message: an
 * empty protobuf message packs to zero bytes, and a zero-length
 * datagram would read as end of file.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsim_msg.h"

int
xsim_msg_send(int sock, const void *buf, size_t len, const int *fds,
	      unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * XSIM_MSG_MAX_FDS)];
		struct cmsghdr align;
	} u;
	static const uint8_t tag = XSIM_MSG_TAG;
	struct iovec iov[2] = {
		{.iov_base = (void *)(uintptr_t)&tag, .iov_len = 1},
		{.iov_base = (void *)(uintptr_t)buf, .iov_len = len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	struct cmsghdr *cm;
	ssize_t n;

	if (nfds > XSIM_MSG_MAX_FDS) {
		errno = EINVAL;
		return -1;
	}
	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len + 1) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

ssize_t
xsim_msg_recv(int sock, void *buf, size_t cap, int *fds, unsigned maxfds,
	      unsigned *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * XSIM_MSG_MAX_FDS)];
		struct cmsghdr align;
	} u;
	uint8_t tag = 0;
	struct iovec iov[2] = {{.iov_base = &tag, .iov_len = 1},
			       {.iov_base = buf, .iov_len = cap}};
	struct msghdr mh = {.msg_iov = iov,
			    .msg_iovlen = 2,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm;
	unsigned got = 0, i;
	int tmp[XSIM_MSG_MAX_FDS];
	ssize_t n;

	*nfds = 0;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = ECONNRESET;
		return -1;
	}
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
			if (got < XSIM_MSG_MAX_FDS)
				tmp[got++] = fd;
			else
				close(fd);
		}
	}
	if (tag != XSIM_MSG_TAG) {
		for (i = 0; i < got; i++)
			close(tmp[i]);
		errno = EPROTO;
		return -1;
	}
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || got > maxfds) {
		for (i = 0; i < got; i++)
			close(tmp[i]);
		errno = EMSGSIZE;
		return -1;
	}
	if (got > 0)
		memcpy(fds, tmp, sizeof(int) * got);
	*nfds = got;
	return n - 1;
}
