/* SPDX-License-Identifier: MIT */
/*
 * The client end of a hypercall channel (chan.h).  Owns how a process
 * reaches the hypervisor; it never decides anything about identity: the
 * hypervisor knows who is on the other end of each channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "chan.h"
#include "xensim.h"
#include "xsim_msg.h"

void
chan_close_fds(const int *fds, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

void *
chan_reserve(unsigned n)
{
	void *p = mmap(NULL, (size_t)n * XSIM_PAGE_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int
chan_map_at(void *area, unsigned i, int fd, int prot)
{
	void *want = (char *)area + (size_t)i * XSIM_PAGE_SIZE, *got;
	int err;

	got = mmap(want, XSIM_PAGE_SIZE, prot, MAP_SHARED | MAP_FIXED, fd, 0);
	err = errno;
	close(fd);
	if (got == MAP_FAILED) {
		errno = err;
		return -1;
	}
	return 0;
}

static int
connect_dom0(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *dir = getenv(XENHYP_RUNDIR_ENV);
	int fd, n;

	if (dir == NULL || *dir == '\0')
		dir = XENHYP_RUNDIR_DEFAULT;
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
		     XENHYP_SOCKET_NAME);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		n = errno;
		close(fd);
		errno = n;
		return -1;
	}
	return fd;
}

/* The channel this guest process inherited, or -1 if it has none. */
static int
inherited_channel(void)
{
	const char *s = getenv(XENHYP_CHANNEL_ENV);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX ||
	    fcntl((int)v, F_GETFD) < 0)
		return -2;
	return (int)v;
}

static Xsim__Reply *
call_fd(int fd, const Xsim__Request *req, int *fds, unsigned maxfds,
	unsigned *nfds)
{
	uint8_t out[1024]; /* requests are a few dozen bytes */
	uint8_t *in;
	int got[XSIM_MSG_MAX_FDS];
	unsigned ngot = 0;
	Xsim__Reply *r;
	size_t len;
	ssize_t n;

	if (nfds)
		*nfds = 0;
	len = xsim__request__get_packed_size(req);
	if (len > sizeof(out)) {
		errno = EMSGSIZE;
		return NULL;
	}
	xsim__request__pack(req, out);
	if (xsim_msg_send(fd, out, len, NULL, 0) < 0)
		return NULL;
	in = malloc(XSIM_MSG_MAX);
	if (in == NULL)
		return NULL;
	n = xsim_msg_recv(fd, in, XSIM_MSG_MAX, got, XSIM_MSG_MAX_FDS, &ngot);
	if (n < 0) {
		free(in);
		return NULL;
	}
	r = xsim__reply__unpack(NULL, (size_t)n, in);
	free(in);
	if (r == NULL || (r->err != 0 && ngot > 0) || ngot > maxfds) {
		if (r)
			xsim__reply__free_unpacked(r, NULL);
		chan_close_fds(got, ngot);
		errno = EPROTO;
		return NULL;
	}
	if (r->err != 0) {
		errno = r->err > 0 ? r->err : EPROTO;
		xsim__reply__free_unpacked(r, NULL);
		return NULL;
	}
	if (ngot > 0)
		memcpy(fds, got, sizeof(int) * ngot);
	if (nfds)
		*nfds = ngot;
	return r;
}

int
chan_open(struct xsim_chan *c)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	Xsim__Reply *r;
	int parent = inherited_channel(), fd, err;
	unsigned n;

	if (parent == -2) {
		errno = EBADF;
		return -1;
	}
	if (parent >= 0) {
		req.op = XSIM__OP__OP_CLONE;
		r = call_fd(parent, &req, &fd, 1, &n);
		if (r == NULL)
			return -1;
		xsim__reply__free_unpacked(r, NULL);
		if (n != 1) {
			chan_close_fds(&fd, n);
			errno = EPROTO;
			return -1;
		}
	} else {
		fd = connect_dom0();
		if (fd < 0)
			return -1;
	}
	req.op = XSIM__OP__OP_HELLO;
	r = call_fd(fd, &req, NULL, 0, NULL);
	if (r == NULL) {
		err = errno;
		close(fd);
		/* A refused dom0 connection is closed at once. */
		if (parent < 0 && (err == ECONNRESET || err == EPIPE))
			err = EACCES;
		errno = err;
		return -1;
	}
	c->fd = fd;
	c->domid = r->domid;
	c->privileged = r->privileged;
	xsim__reply__free_unpacked(r, NULL);
	return 0;
}

int
chan_adopt(struct xsim_chan *c, int fd)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	Xsim__Reply *r;

	req.op = XSIM__OP__OP_HELLO;
	r = call_fd(fd, &req, NULL, 0, NULL);
	if (r == NULL)
		return -1;
	c->fd = fd;
	c->domid = r->domid;
	c->privileged = r->privileged;
	xsim__reply__free_unpacked(r, NULL);
	return 0;
}

void
chan_close(struct xsim_chan *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

Xsim__Reply *
chan_call(struct xsim_chan *c, const Xsim__Request *req, int *fds,
	  unsigned maxfds, unsigned *nfds)
{
	return call_fd(c->fd, req, fds, maxfds, nfds);
}

int
chan_simple(struct xsim_chan *c, const Xsim__Request *req)
{
	Xsim__Reply *r = chan_call(c, req, NULL, 0, NULL);

	if (r == NULL)
		return -1;
	xsim__reply__free_unpacked(r, NULL);
	return 0;
}
