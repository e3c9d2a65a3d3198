/* SPDX-License-Identifier: MIT */
/*
 * The test tools' own client of the wire protocol on a unix socket: one
 * request at a time, written whole, and its reply read whole; any error
 * ends the tool (exit 1).  Tools that time the daemon use it rather than
 * libxenstore, so that nothing but the daemon is measured.
 */
#ifndef TOOLS_WIRE_H
#define TOOLS_WIRE_H

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "frame.h"

struct rmsg {
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

static uint32_t wire_req;

static inline void
send_msg(int fd, uint32_t type, const char *p, size_t len)
{
	struct xsd_sockmsg h = {
		.type = type, .req_id = ++wire_req, .len = (uint32_t)len};

	if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    write(fd, p, len) != (ssize_t)len)
		exit(1);
}

static inline void
recv_msg(int fd, struct rmsg *m)
{
	size_t got;
	ssize_t n;

	for (got = 0; got < sizeof(m->h); got += (size_t)n)
		if ((n = read(fd, (char *)&m->h + got, sizeof(m->h) - got)) <=
		    0)
			exit(1);
	for (got = 0; got < m->h.len; got += (size_t)n)
		if ((n = read(fd, m->body + got, m->h.len - got)) <= 0)
			exit(1);
	m->body[m->h.len] = '\0';
}

/* The reply to the last request, skipping watch events. */
static inline void
reply(int fd, struct rmsg *m)
{
	do
		recv_msg(fd, m);
	while (m->h.type == XS_WATCH_EVENT);
}

#endif /* TOOLS_WIRE_H */
