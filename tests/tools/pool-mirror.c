/* SPDX-License-Identifier: MIT */
/*
 * pool-mirror SOCKET1 SOCKET2|- N: how fast one host's commits under
 * /pool reach the pool.  Writes /pool/mirror/k<i % 64> = i, i = 0..N-1,
 * back to back on the first host's xenstored (each WRITE is a commit, a
 * group of its change stream, one etcd transaction), and times the local
 * writes alone, then until the second host's watch reads the last value
 * (its agent applies revisions in order, so every earlier one is there
 * too).  With "-" instead of SOCKET2 only the local rate is measured
 * (a host without an agent, to compare with).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "unix.h"
#include "wire.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Until host b reads want at path (a watch on it fires each change). */
static void
wait_value(int b, const char *path, const char *want)
{
	struct rmsg m;

	for (;;) {
		send_msg(b, XS_READ, path, strlen(path) + 1);
		reply(b, &m);
		if (m.h.type == XS_READ && strcmp(m.body, want) == 0)
			return;
		do
			recv_msg(b, &m);
		while (m.h.type != XS_WATCH_EVENT);
	}
}

int
main(int argc, char **argv)
{
	struct rmsg m;
	char w[64], last[32], want[16];
	double t0, t1, t2;
	int a, b = -1, i, n;
	size_t l;

	if (argc != 4 || (a = unix_connect(argv[1])) < 0 ||
	    (strcmp(argv[2], "-") != 0 && (b = unix_connect(argv[2])) < 0) ||
	    (n = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: pool-mirror SOCKET1 SOCKET2|- N\n");
		return 2;
	}
	snprintf(last, sizeof(last), "/pool/mirror/k%d", (n - 1) % 64);
	snprintf(want, sizeof(want), "%d", n - 1);
	if (b >= 0) {
		send_msg(b, XS_WATCH, "/pool/mirror\0t", 15);
		reply(b, &m);
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		l = (size_t)snprintf(w, sizeof(w), "/pool/mirror/k%d%c%d",
				     i % 64, 0, i);
		send_msg(a, XS_WRITE, w, l);
		reply(a, &m);
		if (m.h.type != XS_WRITE) {
			fprintf(stderr, "pool-mirror: write %d: %s\n", i,
				m.body);
			return 1;
		}
	}
	t1 = now_s();
	printf("local writes under /pool: %.0f ops/s\n", n / (t1 - t0));
	if (b < 0)
		return 0;
	wait_value(b, last, want);
	t2 = now_s();
	printf("mirrored commits: %d in %.2f s, %.0f commits/s\n", n, t2 - t0,
	       n / (t2 - t0));
	return 0;
}
