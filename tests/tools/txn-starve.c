/* SPDX-License-Identifier: MIT */
/*
 * txn-starve: a transaction that keeps losing must still commit.
 *
 * Writer processes rewrite /starve/x as fast as the daemon lets them,
 * while client processes run read-modify-write transactions (read
 * /starve/x, write /starve/count<n>) and retry each on EAGAIN, counting
 * attempts.  To make each attempt lose unless something protects it, a
 * client waits after its read until a writer has changed the node (a
 * bounded wait: a writer held back by a priority transaction never
 * does).  It fails if any transaction needed more than the bound given
 * on the command line, or if no attempt ever conflicted (then the test
 * proved nothing).  It counts attempts; it asserts nothing on time, but
 * the priority lasts PRIORITY_MS by design (docs/transactions.md), so
 * an attempt that failed after that long (a loaded machine) starts the
 * count again: the bound is on attempts the priority could protect.
 *
 * Usage: XENSTORED_PATH=sock txn-starve <clients> <transactions> <bound>
 *
 * With TXN_STARVE_NODE=PATH the node read is PATH, and the writers are
 * not ours: someone else (a guest, for XSA-206) rewrites it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "unix.h"

#define WRITERS 2
/* How long a transaction keeps its priority (xenstored/txn/txn_sched.c). */
#define PRIORITY_MS 500

static const char *node = "/starve/x"; /* the node the writers rewrite */
static unsigned nwriters = WRITERS;

static int
request(int fd, uint32_t type, uint32_t tx, const void *p, size_t len,
	char *reply, size_t *rlen)
{
	struct xsd_sockmsg h = {type, 1, tx, (uint32_t)len};
	char buf[sizeof(h) + XENSTORE_PAYLOAD_MAX];
	size_t got;
	ssize_t n;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p, len);
	if (write(fd, buf, sizeof(h) + len) != (ssize_t)(sizeof(h) + len))
		return -1;
	do {
		for (got = 0; got < sizeof(h); got += (size_t)n)
			if ((n = read(fd, (char *)&h + got, sizeof(h) - got)) <=
			    0)
				return -1;
		for (got = 0; got < h.len; got += (size_t)n)
			if ((n = read(fd, reply + got, h.len - got)) <= 0)
				return -1;
	} while (h.type == XS_WATCH_EVENT);
	reply[h.len] = '\0';
	*rlen = h.len;
	if (h.type == XS_ERROR)
		return frame_error_errno(reply);
	return 0;
}

static void
writer(const char *sock)
{
	int fd = unix_connect(sock);
	char reply[XENSTORE_PAYLOAD_MAX + 1];
	size_t rlen;
	unsigned i;

	if (fd < 0)
		_exit(1);
	for (i = 0;; i++) {
		char msg[64];
		int len = snprintf(msg, sizeof(msg), "/starve/x%c%u", 0, i);

		if (request(fd, XS_WRITE, 0, msg, (size_t)len, reply, &rlen))
			_exit(1);
	}
}

/* Wait (a bounded number of polls) until /starve/x is not seen. */
static void
await_change(int probe, const char *seen)
{
	char reply[XENSTORE_PAYLOAD_MAX + 1];
	size_t rlen;
	int i;

	for (i = 0; i < 100; i++) {
		if (request(probe, XS_READ, 0, node, strlen(node) + 1, reply,
			    &rlen))
			exit(2);
		if (strcmp(reply, seen) != 0)
			return;
		usleep(2000);
	}
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * One read-modify-write transaction, retried; returns the attempts made
 * since the last one that outlived its priority, counted in *outlived.
 */
static unsigned
one_transaction(int fd, int probe, unsigned n, unsigned *eagain,
		unsigned *outlived)
{
	char reply[XENSTORE_PAYLOAD_MAX + 1], msg[64];
	size_t rlen;
	unsigned attempts = 0;
	uint32_t tx;
	int err, len;
	long t0;

	for (;;) {
		attempts++;
		t0 = now_ms();
		if (request(fd, XS_TRANSACTION_START, 0, "", 1, reply, &rlen))
			exit(2);
		tx = (uint32_t)strtoul(reply, NULL, 10);
		if (request(fd, XS_READ, tx, node, strlen(node) + 1, reply,
			    &rlen))
			exit(2);
		await_change(probe, reply);
		len = snprintf(msg, sizeof(msg), "/starve/count%u%cseen %s", n,
			       0, reply);
		if (request(fd, XS_WRITE, tx, msg, (size_t)len, reply, &rlen))
			exit(2);
		err = request(fd, XS_TRANSACTION_END, tx, "T", 2, reply, &rlen);
		if (err == 0)
			return attempts;
		if (err != EAGAIN)
			exit(2);
		(*eagain)++;
		if (now_ms() - t0 >= PRIORITY_MS) {
			(*outlived)++;
			attempts = 0;
		}
	}
}

/* A client: its transactions; prints "<worst> <EAGAINs> <outlived>". */
static void
client(const char *sock, unsigned n, unsigned ntx)
{
	int fd = unix_connect(sock), probe = unix_connect(sock);
	unsigned i, a, worst = 0, eagain = 0, outlived = 0;

	if (fd < 0 || probe < 0)
		_exit(2);
	for (i = 0; i < ntx; i++) {
		a = one_transaction(fd, probe, n, &eagain, &outlived);
		if (a > worst)
			worst = a;
	}
	printf("%u %u %u\n", worst, eagain, outlived);
	fflush(stdout);
	_exit(0);
}

int
main(int argc, char **argv)
{
	const char *sock = getenv("XENSTORED_PATH");
	char reply[XENSTORE_PAYLOAD_MAX + 1];
	unsigned nclients, ntx, bound, i, w, e, o, worst = 0, eagain = 0,
						   outlived = 0;
	pid_t writers[WRITERS], clients[64];
	size_t rlen;
	int fd, status = 0, pipefd[2];
	FILE *results;

	if (argc != 4 || sock == NULL) {
		fprintf(stderr, "usage: XENSTORED_PATH=sock txn-starve "
				"<clients> <transactions> <bound>\n");
		return 2;
	}
	nclients = (unsigned)atoi(argv[1]);
	if (nclients == 0 || nclients > 64)
		return 2;
	ntx = (unsigned)atoi(argv[2]);
	bound = (unsigned)atoi(argv[3]);
	if (getenv("TXN_STARVE_NODE")) {
		node = getenv("TXN_STARVE_NODE");
		nwriters = 0;
	}
	fd = unix_connect(sock);
	if (fd < 0 || pipe(pipefd) ||
	    (nwriters && request(fd, XS_WRITE, 0,
				 "/starve/x\0"
				 "0",
				 11, reply, &rlen)))
		return 2;
	for (i = 0; i < nwriters; i++)
		if ((writers[i] = fork()) == 0)
			writer(sock);
	for (i = 0; i < nclients; i++) {
		if ((clients[i] = fork()) == 0) {
			dup2(pipefd[1], 1);
			client(sock, i, ntx);
		}
	}
	close(pipefd[1]);
	results = fdopen(pipefd[0], "r");
	for (i = 0; i < nclients; i++) {
		if (fscanf(results, "%u %u %u", &w, &e, &o) != 3) {
			printf("FAIL: a client died\n");
			status = 1;
			break;
		}
		worst = w > worst ? w : worst;
		eagain += e;
		outlived += o;
	}
	for (i = 0; i < nclients; i++)
		waitpid(clients[i], NULL, 0);
	for (i = 0; i < nwriters; i++) {
		kill(writers[i], SIGKILL);
		waitpid(writers[i], NULL, 0);
	}
	printf("%s clients x %u transactions: %u EAGAIN, worst %u attempts"
	       " (%u failed past the priority's %u ms)\n",
	       argv[1], ntx, eagain, worst, outlived, PRIORITY_MS);
	if (worst > bound) {
		printf("FAIL: a transaction needed %u attempts (bound %u)\n",
		       worst, bound);
		status = 1;
	}
	if (eagain == 0) {
		printf("FAIL: no conflict happened: the test proved nothing\n");
		status = 1;
	}
	return status;
}
