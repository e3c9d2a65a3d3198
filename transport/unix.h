/* SPDX-License-Identifier: MIT */
/*
 * Unix-domain stream sockets for xenstore: listening, accepting and
 * connecting.  Plain file descriptors, no event loop.
 */
#ifndef UNIX_H
#define UNIX_H

#include <sys/types.h>

/*
 * Create a listening socket at path with the given mode, replacing a stale
 * file.  Returns the fd (non-blocking, close-on-exec), or -1 with errno.
 */
int unix_listen(const char *path, mode_t mode);

/* Accept one connection, non-blocking and close-on-exec; -1 with errno. */
int unix_accept(int listen_fd);

/* Connect to the socket at path (blocking, close-on-exec); -1 with errno. */
int unix_connect(const char *path);

#endif /* UNIX_H */
