/* SPDX-License-Identifier: MIT */
/*
 * The client library's view of a connection to the daemon: a byte stream
 * with a pollable descriptor, behind a small table of operations so that
 * the socket (and xenbus device) transport of xs_transport.c and a
 * shared-ring transport can be used alike by the request engine
 * (xs_handle.c).  Framing is not done here: transport/frame.h does it.
 *
 * Internal to libxenstore: nothing here is exported from the library.
 */
#ifndef XS_TRANSPORT_H
#define XS_TRANSPORT_H

#include <sys/types.h>

struct xs_transport;

struct xs_transport_ops {
	/*
	 * Write up to len bytes; returns how many went (at least 1), or -1
	 * with errno.  May block until some progress is possible.  Must not
	 * raise SIGPIPE.
	 */
	ssize_t (*send)(struct xs_transport *tp, const void *buf, size_t len);
	/*
	 * Read up to len bytes without blocking: the number read, 0 at the
	 * end of the stream, or -1 with errno (EAGAIN: nothing yet, wait
	 * for pollfd to become readable).
	 */
	ssize_t (*recv)(struct xs_transport *tp, void *buf, size_t len);
	/*
	 * A descriptor that polls readable (POLLIN) whenever recv() may
	 * return something other than EAGAIN.
	 */
	int (*pollfd)(struct xs_transport *tp);
	/* Close and free the transport. */
	void (*close)(struct xs_transport *tp);
};

/* The head of every transport instance. */
struct xs_transport {
	const struct xs_transport_ops *ops;
};

/*
 * Open the socket or character device at path, as Xen's library does:
 * a socket is connected, anything else is opened read-write.  Returns the
 * transport, or NULL with errno.
 */
struct xs_transport *xs_transport_open_path(const char *path);

/* The device path Xen's library falls back to when the socket fails. */
const char *xs_transport_device_path(void);

#endif /* XS_TRANSPORT_H */
