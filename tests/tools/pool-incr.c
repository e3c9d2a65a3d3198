/* SPDX-License-Identifier: MIT */
/*
 * pool-incr PATH N: add one to the number at PATH, N times, each in a
 * transaction of its own (again on EAGAIN), through the wire protocol on
 * $XENSTORED_PATH; a short pause between increments lets the pool agents
 * replicate.  Exit status 0 if every increment committed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "unix.h"

static int fd;
static uint32_t req;

/* Send a request and read its reply into buf; the reply's type. */
static uint32_t
call(uint32_t type, uint32_t tx, const char *p, size_t len, char *buf,
     size_t *blen)
{
	struct xsd_sockmsg h = {.type = type,
				.req_id = ++req,
				.tx_id = tx,
				.len = (uint32_t)len};
	size_t got = 0;
	ssize_t n;

	if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    write(fd, p, len) != (ssize_t)len)
		exit(1);
	while (got < sizeof(h)) {
		n = read(fd, (char *)&h + got, sizeof(h) - got);
		if (n <= 0)
			exit(1);
		got += (size_t)n;
	}
	for (got = 0; got < h.len; got += (size_t)n)
		if ((n = read(fd, buf + got, h.len - got)) <= 0)
			exit(1);
	buf[h.len] = '\0';
	*blen = h.len;
	return h.type;
}

int
main(int argc, char **argv)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1], w[512];
	const char *sock = getenv("XENSTORED_PATH");
	struct timespec pause = {0, 5 * 1000 * 1000};
	unsigned long tx;
	size_t len, pl;
	int i, n;

	if (argc != 3 || sock == NULL || (fd = unix_connect(sock)) < 0) {
		fprintf(stderr, "usage: XENSTORED_PATH=... pool-incr PATH N\n");
		return 2;
	}
	n = atoi(argv[2]);
	pl = strlen(argv[1]) + 1;
	for (i = 0; i < n; i++) {
		for (;;) {
			if (call(XS_TRANSACTION_START, 0, "", 1, buf, &len) !=
			    XS_TRANSACTION_START)
				return 1;
			tx = strtoul(buf, NULL, 10);
			if (call(XS_READ, (uint32_t)tx, argv[1], pl, buf,
				 &len) != XS_READ)
				return 1;
			memcpy(w, argv[1], pl);
			len = (size_t)snprintf(w + pl, sizeof(w) - pl, "%ld",
					       strtol(buf, NULL, 10) + 1);
			if (call(XS_WRITE, (uint32_t)tx, w, pl + len, buf,
				 &len) != XS_WRITE)
				return 1;
			if (call(XS_TRANSACTION_END, (uint32_t)tx, "T", 2, buf,
				 &len) == XS_TRANSACTION_END)
				break;
			if (strcmp(buf, "EAGAIN") != 0) {
				fprintf(stderr, "pool-incr: commit: %s\n", buf);
				return 1;
			}
		}
		nanosleep(&pause, NULL);
	}
	return 0;
}
