/* SPDX-License-Identifier: MIT */
/*
 * pool-lat SOCKET1 SOCKET2 N: replication latency through the pool.
 * Writes /pool/lat = i on the first host's xenstored and times how long
 * until a watch on the second host's fires and reads i back (the whole
 * path: stream, agent, etcd txn, watch, agent, local transaction, watch
 * event).  Prints p50, p90, p99 and the maximum in milliseconds.
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
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct rmsg m;
	char w[64], want[16];
	double *lat, t0;
	int a, b, i, n;
	size_t l;

	if (argc != 4 || (a = unix_connect(argv[1])) < 0 ||
	    (b = unix_connect(argv[2])) < 0) {
		fprintf(stderr, "usage: pool-lat SOCKET1 SOCKET2 N\n");
		return 2;
	}
	n = atoi(argv[3]);
	lat = calloc((size_t)n, sizeof(*lat));
	send_msg(b, XS_WATCH, "/pool/lat\0t", 12);
	reply(b, &m);
	for (i = 0; i < n; i++) {
		l = (size_t)snprintf(w, sizeof(w), "/pool/lat%c%d", 0, i);
		snprintf(want, sizeof(want), "%d", i);
		t0 = now_ms();
		send_msg(a, XS_WRITE, w, l);
		reply(a, &m);
		for (;;) {
			recv_msg(b, &m);
			if (m.h.type != XS_WATCH_EVENT)
				continue;
			send_msg(b, XS_READ, "/pool/lat", 10);
			reply(b, &m);
			if (m.h.type == XS_READ && strcmp(m.body, want) == 0)
				break;
		}
		lat[i] = now_ms() - t0;
		usleep(2000);
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	printf("pool replication, write -> remote watch, %d writes: "
	       "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	       n, lat[n / 2], lat[n * 9 / 10], lat[n * 99 / 100], lat[n - 1]);
	return 0;
}
