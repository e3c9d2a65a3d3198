/* SPDX-License-Identifier: MIT */
/*
 * The descriptor transport: a unix socket to the daemon (connected with
 * transport/unix.c) or a xenbus character device, both plain streams of
 * framed messages.  Owns the descriptor and nothing else; knows nothing
 * about messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unix.h"
#include "xs_transport.h"

struct fd_transport {
	struct xs_transport tp; /* first: the generic head */
	int fd;
	int is_socket;
};

static ssize_t
fd_send(struct xs_transport *tp, const void *buf, size_t len)
{
	struct fd_transport *ft = (struct fd_transport *)tp;
	ssize_t n;

	do {
		if (ft->is_socket)
			n = send(ft->fd, buf, len, MSG_NOSIGNAL);
		else
			n = write(ft->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n == 0) {
		errno = EBADF;
		return -1;
	}
	return n;
}

static ssize_t
fd_recv(struct xs_transport *tp, void *buf, size_t len)
{
	struct fd_transport *ft = (struct fd_transport *)tp;
	struct pollfd pfd = {.fd = ft->fd, .events = POLLIN};
	ssize_t n;
	int r;

	/* A device may not honour O_NONBLOCK: ask poll first. */
	do {
		r = poll(&pfd, 1, 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0) {
		errno = EAGAIN;
		return -1;
	}
	do {
		n = read(ft->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return n;
}

static int
fd_pollfd(struct xs_transport *tp)
{
	return ((struct fd_transport *)tp)->fd;
}

static void
fd_close(struct xs_transport *tp)
{
	struct fd_transport *ft = (struct fd_transport *)tp;

	close(ft->fd);
	free(ft);
}

static const struct xs_transport_ops fd_ops = {
	.send = fd_send,
	.recv = fd_recv,
	.pollfd = fd_pollfd,
	.close = fd_close,
};

struct xs_transport *
xs_transport_open_path(const char *path)
{
	struct fd_transport *ft;
	struct stat st;
	int saved;

	if (path == NULL) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (stat(path, &st) != 0)
		return NULL;
	ft = malloc(sizeof(*ft));
	if (ft == NULL)
		return NULL;
	ft->tp.ops = &fd_ops;
	ft->is_socket = S_ISSOCK(st.st_mode);
	if (ft->is_socket)
		ft->fd = unix_connect(path);
	else
		ft->fd = open(path, O_RDWR | O_CLOEXEC);
	if (ft->fd < 0) {
		saved = errno;
		free(ft);
		errno = saved;
		return NULL;
	}
	return &ft->tp;
}

const char *
xs_transport_device_path(void)
{
	const char *s = getenv("XENSTORED_PATH");

	if (s != NULL)
		return s;
	if (access("/dev/xen/xenbus", F_OK) == 0)
		return "/dev/xen/xenbus";
	return "/proc/xen/xenbus";
}
