/* SPDX-License-Identifier: MIT */
/*
 * Unix-domain socket helpers for the daemon and the client library.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "unix.h"

static int
fill_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

/*
 * The socket is bound under a temporary name and renamed into place once
 * it listens: a client that sees the path can connect at once.
 */
int
unix_listen(const char *path, mode_t mode)
{
	struct sockaddr_un sun;
	char tmp[sizeof(sun.sun_path)];
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld", path,
			     (long)getpid()) >= sizeof(tmp))
		snprintf(tmp, sizeof(tmp), "%s", path);
	if (fill_addr(&sun, tmp) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (unlink(tmp) != 0 && errno != ENOENT)
		goto err;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		goto err;
	if (chmod(tmp, mode) != 0 || listen(fd, 128) != 0)
		goto err_unlink;
	if (strcmp(tmp, path) != 0 && rename(tmp, path) != 0)
		goto err_unlink;
	return fd;
err_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
err:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
unix_accept(int listen_fd)
{
	return accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int
unix_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd, saved;

	if (fill_addr(&sun, path) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}
