/* SPDX-License-Identifier: MIT */
/*
 * crash-writer: what the daemon acknowledged must survive its SIGKILL.
 *
 *   crash-writer write <round> <ackfile>
 *	writes /crash/<round>/p<i> = i, and every fourth step a transaction
 *	setting /crash/<round>/t<i>/a and /b = i, until the daemon dies;
 *	after each acknowledged step it appends "p <i>" or "t <i>" to
 *	ackfile (flushed before the next request is sent).
 *   crash-writer check <round> <ackfile>
 *	every acknowledged step must be there with its value, and every
 *	transaction found must be whole (a and b both, or neither).
 *
 * The socket is $XENSTORED_PATH.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "unix.h"

static int fd;

/* One request; returns 0, an errno from the daemon, or -1 if it died. */
static int
request(uint32_t type, uint32_t tx, const char *p, size_t len, char *reply)
{
	struct xsd_sockmsg h = {type, 1, tx, (uint32_t)len};
	char buf[sizeof(h) + XENSTORE_PAYLOAD_MAX];
	size_t got;
	ssize_t n;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p, len);
	if (write(fd, buf, sizeof(h) + len) != (ssize_t)(sizeof(h) + len))
		return -1;
	for (got = 0; got < sizeof(h); got += (size_t)n)
		if ((n = read(fd, (char *)&h + got, sizeof(h) - got)) <= 0)
			return -1;
	for (got = 0; got < h.len; got += (size_t)n)
		if ((n = read(fd, reply + got, h.len - got)) <= 0)
			return -1;
	reply[h.len] = '\0';
	return h.type == XS_ERROR ? frame_error_errno(reply) : 0;
}

static int
put(uint32_t tx, const char *path, unsigned v, char *reply)
{
	char msg[128];
	int len = snprintf(msg, sizeof(msg), "%s%c%u", path, 0, v);

	return request(XS_WRITE, tx, msg, (size_t)len, reply);
}

static int
get(const char *path, char *reply)
{
	return request(XS_READ, 0, path, strlen(path) + 1, reply);
}

static int
txn_step(const char *round, unsigned i, char *reply)
{
	char path[128];
	uint32_t tx;
	int err;

	if ((err = request(XS_TRANSACTION_START, 0, "", 1, reply)))
		return err;
	tx = (uint32_t)strtoul(reply, NULL, 10);
	snprintf(path, sizeof(path), "/crash/%s/t%u/a", round, i);
	if ((err = put(tx, path, i, reply)))
		return err;
	snprintf(path, sizeof(path), "/crash/%s/t%u/b", round, i);
	if ((err = put(tx, path, i, reply)))
		return err;
	return request(XS_TRANSACTION_END, tx, "T", 2, reply);
}

static int
do_write(const char *round, FILE *ack)
{
	char reply[XENSTORE_PAYLOAD_MAX + 1], path[128];
	unsigned i;
	int err;

	for (i = 0;; i++) {
		if (i % 4 == 3) {
			err = txn_step(round, i, reply);
		} else {
			snprintf(path, sizeof(path), "/crash/%s/p%u", round, i);
			err = put(0, path, i, reply);
		}
		if (err < 0)
			return 0; /* the daemon died: expected */
		if (err) {
			fprintf(stderr, "step %u: %s\n", i, reply);
			return 1;
		}
		fprintf(ack, "%c %u\n", i % 4 == 3 ? 't' : 'p', i);
		fflush(ack);
	}
}

static int
do_check(const char *round, FILE *ack)
{
	char reply[XENSTORE_PAYLOAD_MAX + 1], path[128], kind;
	unsigned i, acked = 0, bad = 0, last = 0;
	int a, b;

	while (fscanf(ack, " %c %u", &kind, &i) == 2) {
		acked++;
		last = i;
		if (kind == 'p') {
			snprintf(path, sizeof(path), "/crash/%s/p%u", round, i);
			if (get(path, reply) || strtoul(reply, NULL, 10) != i) {
				printf("lost acknowledged write %s\n", path);
				bad++;
			}
			continue;
		}
		snprintf(path, sizeof(path), "/crash/%s/t%u/a", round, i);
		a = get(path, reply);
		snprintf(path, sizeof(path), "/crash/%s/t%u/b", round, i);
		b = get(path, reply);
		if (a || b) {
			printf("lost acknowledged transaction %u\n", i);
			bad++;
		}
	}
	/* The step after the last acknowledged one may have landed: whole. */
	snprintf(path, sizeof(path), "/crash/%s/t%u/a", round, last + 1);
	a = get(path, reply);
	snprintf(path, sizeof(path), "/crash/%s/t%u/b", round, last + 1);
	b = get(path, reply);
	if ((a == 0) != (b == 0)) {
		printf("transaction %u half applied\n", last + 1);
		bad++;
	}
	printf("round %s: %u acknowledged steps checked, %u bad\n", round,
	       acked, bad);
	return bad ? 1 : 0;
}

int
main(int argc, char **argv)
{
	const char *sock = getenv("XENSTORED_PATH");
	FILE *ack;
	int ret;

	if (argc != 4 || sock == NULL) {
		fprintf(stderr,
			"usage: crash-writer write|check <round> <ackfile>\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* the daemon's death is expected */
	fd = unix_connect(sock);
	if (fd < 0) {
		perror("connect");
		return 2;
	}
	ack = fopen(argv[3], strcmp(argv[1], "write") == 0 ? "w" : "r");
	if (ack == NULL) {
		perror(argv[3]);
		return 2;
	}
	ret = strcmp(argv[1], "write") == 0 ? do_write(argv[2], ack)
					    : do_check(argv[2], ack);
	fclose(ack);
	return ret;
}
