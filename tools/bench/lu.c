/* SPDX-License-Identifier: MIT */
/*
 * The live-update workload of xs-bench: with N nodes in the store
 * (populate's layout), K clients standing for guests each WRITE their
 * own node back to back, one request in flight, while the daemon is
 * live-updated into the binary given with -L (CONTROL live-update -f,
 * then -s -t 60, as xenstore-control sends them).  Reported per K (1
 * and 50):
 *
 *   blackout  the longest any one client's request took: the time a
 *             guest waits while the daemon hands over
 *   p99       the clients' 99th percentile over the whole window (300 ms
 *             before the update to 300 ms after its OK)
 *   update    from -s sent to its OK back (answered by the new binary)
 *
 * The clients are socket connections, so that Xen's daemon (under the
 * shim, whose guest rings do not survive its exec) runs the same load;
 * a guest's ring costs the new binary one mapping more.  Clients are
 * processes, as in gap.c; their latencies go into one shared histogram
 * whose buckets grow by 2 % (1 us to over a minute in 1000 buckets).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "xsb.h"

#define BUCKETS 1000
#define GROWTH 1.02
#define MAX_CLIENTS 64
#define MARGIN_US 300000

struct lu_shared {
	volatile int stop;
	volatile int ready;
	volatile int failed;
	double max[MAX_CLIENTS]; /* seconds */
	unsigned long hist[BUCKETS];
};

static void
lu_name(unsigned long i, char *buf, size_t cap)
{
	snprintf(buf, cap, "/bench/large/d%lu/n%lu", i / 1000, i % 1000);
}

static void
lu_value(unsigned long i, char *buf, size_t cap)
{
	snprintf(buf, cap, "%016lx", i);
}

/* One client: WRITE /bench/lu/g<i> until told to stop; never returns. */
static void
client(const char *socket, unsigned i, struct lu_shared *sh)
{
	struct xsb_conn *c = xsb_connect(socket);
	char path[64], val[32], buf[128];
	unsigned long n = 0, b;
	struct xsb_msg m;
	size_t len;
	double t0, t;

	snprintf(path, sizeof(path), "/bench/lu/g%u", i);
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	while (!sh->stop) {
		snprintf(val, sizeof(val), "%lu", ++n);
		len = xsb_args(buf, sizeof(buf), path, val, false);
		t0 = xsb_now();
		xsb_call(c, XS_WRITE, 0, buf, len, &m);
		t = xsb_now() - t0;
		if (m.hdr.type != XS_WRITE) {
			sh->failed = 1;
			break;
		}
		if (t > sh->max[i])
			sh->max[i] = t;
		b = t * 1e6 < 1 ? 0
				: (unsigned long)(log(t * 1e6) / log(GROWTH));
		__atomic_add_fetch(&sh->hist[b < BUCKETS ? b : BUCKETS - 1], 1,
				   __ATOMIC_RELAXED);
	}
	xsb_close(c);
	_exit(sh->failed);
}

static double
percentile(const struct lu_shared *sh, double p)
{
	unsigned long total = 0, seen = 0, i;

	for (i = 0; i < BUCKETS; i++)
		total += sh->hist[i];
	for (i = 0; i < BUCKETS; i++) {
		seen += sh->hist[i];
		if (seen >= (unsigned long)(p * (double)total))
			return pow(GROWTH, (double)(i + 1));
	}
	return 0;
}

/* One CONTROL live-update step; dies unless it answers OK. */
static void
control(struct xsb_conn *c, const char *a, const char *b, const char *d)
{
	char buf[512];
	size_t len = 0;
	const char *args[] = {"live-update", a, b, d};
	struct xsb_msg m;
	unsigned i;

	for (i = 0; i < 4 && args[i]; i++) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s",
					args[i]) +
		       1;
	}
	xsb_call(c, XS_CONTROL, 0, buf, len, &m);
	if (m.hdr.type != XS_CONTROL || strcmp(m.body, "OK") != 0)
		xsb_die("live-update %s: %.*s", a, (int)m.hdr.len, m.body);
}

static void
result(const struct xsb_opts *o, const char *label, unsigned k,
       const char *what, const char *desc, double v, const char *unit)
{
	char key[64], text[128];

	snprintf(key, sizeof(key), "lu.%s.%u.%s", label, k, what);
	snprintf(text, sizeof(text), "live update, %s nodes, %u client%s: %s",
		 label, k, k > 1 ? "s" : "", desc);
	xsb_result(o, key, v, unit, text);
}

/* One update with k clients writing. */
static void
one_update(const struct xsb_opts *o, const char *label, unsigned k)
{
	struct lu_shared *sh;
	struct xsb_conn *ctl;
	pid_t pids[MAX_CLIENTS];
	double t, blackout = 0;
	int status, bad = 0;
	unsigned i;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		xsb_die("mmap: %s", strerror(errno));
	fflush(stdout);
	for (i = 0; i < k; i++)
		if ((pids[i] = fork()) == 0)
			client(o->socket, i, sh);
		else if (pids[i] < 0)
			xsb_die("fork: %s", strerror(errno));
	while (sh->ready < (int)k)
		usleep(1000);
	ctl = xsb_connect(o->socket);
	usleep(MARGIN_US);
	control(ctl, "-f", o->lu_binary, NULL);
	t = xsb_now();
	control(ctl, "-s", "-t", "60");
	t = xsb_now() - t;
	usleep(MARGIN_US);
	sh->stop = 1;
	for (i = 0; i < k; i++) {
		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		bad |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
		if (sh->max[i] > blackout)
			blackout = sh->max[i];
	}
	if (bad || sh->failed)
		xsb_die("live update: a client's WRITE failed");
	xsb_close(ctl);
	result(o, label, k, "blackout", "longest request, ms", blackout * 1e3,
	       "ms");
	result(o, label, k, "p99", "p99 request, us", percentile(sh, 0.99),
	       "us");
	result(o, label, k, "update", "-s to OK, ms", t * 1e3, "ms");
	munmap(sh, sizeof(*sh));
}

void
xsb_run_lu(const struct xsb_opts *o)
{
	static const unsigned clients[] = {1, 50};
	unsigned long n = o->populate_nodes;
	struct xsb_conn *c;
	char label[32];
	unsigned i;

	if (o->lu_binary == NULL)
		xsb_die("lu: -L BINARY is needed");
	if (n % 1000000 == 0)
		snprintf(label, sizeof(label), "%luM", n / 1000000);
	else
		snprintf(label, sizeof(label), "%luk", n / 1000);
	c = xsb_connect(o->socket);
	xsb_fill_nodes(c, n, 64, lu_name, lu_value);
	xsb_close(c);
	for (i = 0; i < 2; i++)
		one_update(o, label, clients[i]);
}
