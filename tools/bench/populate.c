/* SPDX-License-Identifier: MIT */
/*
 * The large-store workload of xs-bench: one connection with 64 WRITEs in
 * flight creates /bench/large/d<i/1000>/n<i%1000> (1000 children per
 * directory, 16-byte values) until the store holds N new nodes, then
 * spot-checks 1000 of them with READ.  It reports the time and the
 * daemon's VmRSS and RssAnon before and after and its VmHWM after, read
 * from /proc/<pid>/status (the harness passes the daemon's pid), and the
 * longest gap a separate client READing /bench/gap back to back saw
 * during the load (gap.c): a step that stops the daemon while its store
 * grows (rehashing an index, say) shows there.  Then it removes them all
 * with one RM, and reports the time to its reply and the longest gap
 * during it and the few seconds after (a daemon may free the nodes after
 * replying: ours does, in steps).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "xsb.h"

#define WINDOW 64
#define SPOT_CHECKS 1000

static void
large_name(unsigned long i, char *buf, size_t cap)
{
	snprintf(buf, cap, "/bench/large/d%lu/n%lu", i / 1000, i % 1000);
}

static void
large_value(unsigned long i, char *buf, size_t cap)
{
	snprintf(buf, cap, "%016lx",
		 (unsigned long)(i * 0x9e3779b97f4a7c15ULL));
}

/* "100k", "1M", or the plain count. */
static void
count_label(unsigned long n, char *buf, size_t cap)
{
	if (n % 1000000 == 0)
		snprintf(buf, cap, "%luM", n / 1000000);
	else if (n % 1000 == 0)
		snprintf(buf, cap, "%luk", n / 1000);
	else
		snprintf(buf, cap, "%lu", n);
}

static void
mem_result(const struct xsb_opts *o, const char *label, const char *what,
	   const char *desc, unsigned long kb)
{
	char key[64], text[96];

	snprintf(key, sizeof(key), "populate.%s.%s", label, what);
	snprintf(text, sizeof(text), "populate %s nodes: %s kB", label, desc);
	xsb_result(o, key, (double)kb, "kB", text);
}

/*
 * One RM of the whole load, the probe running from before it until 1 s
 * plus 3 us a node after its reply, time enough for a daemon that frees
 * nodes after replying to finish.
 */
static void
remove_all(const struct xsb_opts *o, struct xsb_conn *c, unsigned long n,
	   const char *label)
{
	char buf[64], key[64], text[96];
	struct xsb_gap *gap = xsb_gap_start(o, "/bench/gap");
	size_t len = xsb_args(buf, sizeof(buf), "/bench/large", NULL, false);
	struct xsb_msg m;
	double t = xsb_now(), g;

	xsb_call(c, XS_RM, 0, buf, len, &m);
	if (m.hdr.type != XS_RM)
		xsb_die("populate: RM /bench/large failed (%d)", xsb_error(&m));
	t = xsb_now() - t;
	usleep((useconds_t)(1000000 + 3 * n));
	g = xsb_gap_stop(gap, NULL);
	snprintf(key, sizeof(key), "populate.%s.rm_s", label);
	snprintf(text, sizeof(text), "RM of the %s nodes: s to its reply",
		 label);
	xsb_result(o, key, t, "s", text);
	snprintf(key, sizeof(key), "populate.%s.rm_gap", label);
	snprintf(text, sizeof(text),
		 "RM of the %s nodes: longest READ of another client, ms",
		 label);
	xsb_result(o, key, g * 1e3, "ms", text);
}

void
xsb_run_populate(const struct xsb_opts *o)
{
	unsigned long n = o->populate_nodes, i;
	struct xsb_mem m0 = {0}, m;
	char label[32], key[64], text[96], path[64], want[32], got[32];
	uint64_t rng = 0x1234567;
	struct xsb_conn *c;
	struct xsb_gap *gap;
	bool mem;
	double t, g;

	count_label(n, label, sizeof(label));
	c = xsb_connect(o->socket);
	xsb_write(c, "/bench/gap", "0123456789abcdef");
	mem = xsb_proc_mem(o->pid, &m0);
	gap = xsb_gap_start(o, "/bench/gap");
	t = xsb_now();
	xsb_fill_nodes(c, n, WINDOW, large_name, large_value);
	t = xsb_now() - t;
	g = xsb_gap_stop(gap, NULL);
	snprintf(key, sizeof(key), "populate.%s.s", label);
	snprintf(text, sizeof(text), "populate %s nodes: s", label);
	xsb_result(o, key, t, "s", text);
	snprintf(key, sizeof(key), "populate.%s.rate", label);
	snprintf(text, sizeof(text), "populate %s nodes: nodes/s", label);
	xsb_result(o, key, (double)n / t, "nodes/s", text);
	snprintf(key, sizeof(key), "populate.%s.gap", label);
	snprintf(text, sizeof(text),
		 "populate %s nodes: longest READ of another client, ms",
		 label);
	xsb_result(o, key, g * 1e3, "ms", text);
	if (mem && xsb_proc_mem(o->pid, &m)) {
		mem_result(o, label, "rss0", "VmRSS before", m0.rss);
		mem_result(o, label, "rss", "VmRSS after", m.rss);
		mem_result(o, label, "hwm", "VmHWM after", m.hwm);
		mem_result(o, label, "anon0", "RssAnon before", m0.anon);
		mem_result(o, label, "anon", "RssAnon after", m.anon);
	} else {
		xsb_note("populate %s: no daemon pid (-p), no memory figures",
			 label);
	}
	for (i = 0; i < SPOT_CHECKS && n > 0; i++) {
		unsigned long k = (unsigned long)(xsb_rand(&rng) % n);

		large_name(k, path, sizeof(path));
		large_value(k, want, sizeof(want));
		xsb_read(c, path, got, sizeof(got));
		if (strcmp(got, want) != 0)
			xsb_die("populate: %s holds \"%s\", not \"%s\"", path,
				got, want);
	}
	if (!o->populate_keep)
		remove_all(o, c, n, label);
	xsb_close(c);
}
