/* SPDX-License-Identifier: MIT */
/*
 * The watch fan-out workload of xs-bench.  W connections (1, 10, 100,
 * 1000) each WATCH /bench/watch/w<W>/node; the event that WATCH fires at
 * once is drained.  Then, round after round, another connection WRITEs
 * the node, and the latency runs from sending that WRITE to the arrival
 * of the last of the W events.  Each watcher must get exactly one event
 * per round, naming the node and its own token: anything else is a daemon
 * bug and stops the run.  The storm workload (xsb_run_storm) is the same
 * watchers flooded with pipelined WRITEs while another client READs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "frame.h"
#include "xsb.h"

#define WARMUP_ROUNDS 10

struct watcher {
	struct xsb_conn *c;
	unsigned long events;
	bool replied;
};

/* Check that m is the event for path with watcher i's token. */
static void
check_event(const struct xsb_msg *m, const char *path, unsigned i)
{
	const char *v[2];
	char token[16];

	snprintf(token, sizeof(token), "t%u", i);
	if (frame_get_strings(m->body, m->hdr.len, v, 2) < 2 ||
	    strcmp(v[XS_WATCH_PATH], path) != 0 ||
	    strcmp(v[XS_WATCH_TOKEN], token) != 0)
		xsb_die("watcher %u: unexpected event", i);
}

/*
 * Read everything watcher i has; count its events.  The WATCH reply is
 * noted, any other reply is an error.
 */
static unsigned
drain(struct watcher *w, unsigned i, const char *path)
{
	struct xsb_msg m;
	unsigned got = 0;

	while (xsb_fill(w->c))
		;
	while (xsb_next(w->c, &m)) {
		if (m.hdr.type == XS_WATCH_EVENT) {
			check_event(&m, path, i);
			w->events++;
			got++;
		} else if (m.hdr.type == XS_WATCH && !w->replied) {
			w->replied = true;
		} else {
			xsb_die("watcher %u: reply of type %u (%.*s)", i,
				m.hdr.type, (int)m.hdr.len, m.body);
		}
	}
	return got;
}

/*
 * Connect nw watchers of path, each with token t<i>, all in a new epoll
 * set (data.u32 = i), and drain the WATCH reply and the event WATCH
 * fires at once on each.  Returns the epoll descriptor.
 */
static int
watchers_open(const struct xsb_opts *o, struct watcher *w, unsigned nw,
	      const char *path)
{
	struct epoll_event *ev = calloc(nw, sizeof(*ev));
	char buf[128], token[16];
	unsigned i, pending;
	int ep, n, k;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || ev == NULL)
		xsb_die("epoll_create1: %s", strerror(errno));
	for (i = 0; i < nw; i++) {
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};

		w[i].c = xsb_connect(o->socket);
		snprintf(token, sizeof(token), "t%u", i);
		xsb_queue(w[i].c, XS_WATCH, 0, buf,
			  xsb_args(buf, sizeof(buf), path, token, true));
		xsb_flush(w[i].c);
		if (epoll_ctl(ep, EPOLL_CTL_ADD, w[i].c->fd, &e) < 0)
			xsb_die("epoll_ctl: %s", strerror(errno));
	}
	pending = nw;
	while (pending > 0) {
		n = epoll_wait(ep, ev, (int)nw, -1);
		for (k = 0; k < n; k++) {
			bool was;

			i = ev[k].data.u32;
			was = w[i].events == 1 && w[i].replied;
			drain(&w[i], i, path);
			if (w[i].events > 1)
				xsb_die("watcher %u: two initial events", i);
			if (!was && w[i].events == 1 && w[i].replied)
				pending--;
		}
	}
	free(ev);
	return ep;
}

static void
watch_one(const struct xsb_opts *o, unsigned nw)
{
	struct watcher *w = calloc(nw, sizeof(*w));
	struct epoll_event *ev = calloc(nw + 1, sizeof(*ev));
	unsigned rounds = o->watch_rounds, r, i, pending;
	char path[64], buf[128], token[16], key[64], text[96];
	struct xsb_lat lat = {0};
	struct xsb_conn *writer;
	struct xsb_msg m;
	double t0, tlast;
	int ep, n, k;

	if (w == NULL || ev == NULL)
		xsb_die("out of memory");
	if (nw >= 1000 && rounds > 50)
		rounds = 50; /* each round costs 1000 events: 50 are plenty */
	snprintf(path, sizeof(path), "/bench/watch/w%u/node", nw);
	writer = xsb_connect(o->socket);
	xsb_write(writer, path, "0");
	ep = watchers_open(o, w, nw, path);
	for (r = 0; r < WARMUP_ROUNDS + rounds; r++) {
		snprintf(token, sizeof(token), "%u", r + 1);
		t0 = xsb_now();
		xsb_queue(writer, XS_WRITE, 0, buf,
			  xsb_args(buf, sizeof(buf), path, token, false));
		xsb_flush(writer);
		pending = nw;
		tlast = t0;
		while (pending > 0) {
			n = epoll_wait(ep, ev, (int)nw, -1);
			if (n < 0 && errno != EINTR)
				xsb_die("epoll_wait: %s", strerror(errno));
			for (k = 0; k < n; k++) {
				i = ev[k].data.u32;
				pending -= drain(&w[i], i, path);
				if (w[i].events > r + 2)
					xsb_die("watcher %u: extra event", i);
			}
			tlast = xsb_now();
		}
		xsb_reply(writer, &m);
		if (xsb_error(&m))
			xsb_die("WRITE %s: %s", path,
				frame_error_name(xsb_error(&m)));
		if (r >= WARMUP_ROUNDS)
			xsb_lat_add(&lat, (tlast - t0) * 1e6);
	}
	snprintf(key, sizeof(key), "watch.w%u.p50", nw);
	snprintf(text, sizeof(text), "watch fan-out W=%u last event p50 us",
		 nw);
	xsb_result(o, key, xsb_lat_pct(&lat, 50), "us", text);
	snprintf(key, sizeof(key), "watch.w%u.p99", nw);
	snprintf(text, sizeof(text), "watch fan-out W=%u last event p99 us",
		 nw);
	xsb_result(o, key, xsb_lat_pct(&lat, 99), "us", text);
	xsb_lat_free(&lat);
	for (i = 0; i < nw; i++)
		xsb_close(w[i].c);
	xsb_close(writer);
	close(ep);
	free(w);
	free(ev);
}

/*
 * A watch-event storm: nw watchers on one node, a writer with
 * STORM_WINDOW WRITEs of it in flight, o->storm_writes in all, so that
 * the daemon owes nw events per WRITE; meanwhile a separate client READs
 * another node back to back (gap.c).  Reports how long the storm took
 * (to the last event), the longest READ of that other client (what a
 * storm costs everyone else) and the events that never came: Xen's C
 * daemon 4.17 loses some when a node changes faster than its watchers
 * read (we must lose none).  An extra event stops the run.
 */
#define STORM_WINDOW 64
/* After the last reply: how long to wait for missing events. */
#define STORM_IDLE_MS 2000

/* Read the writer's replies; returns how many there were. */
static unsigned long
storm_replies(struct xsb_conn *writer, const char *path)
{
	unsigned long n = 0;
	struct xsb_msg m;

	while (xsb_fill(writer))
		;
	while (xsb_next(writer, &m)) {
		if (m.hdr.type != XS_WRITE || xsb_error(&m))
			xsb_die("storm: WRITE %s failed", path);
		n++;
	}
	return n;
}

static void
storm_result(const struct xsb_opts *o, unsigned nw, const char *what, double v,
	     const char *unit, const char *desc)
{
	char key[64], text[96];

	snprintf(key, sizeof(key), "storm.w%u.%s", nw, what);
	snprintf(text, sizeof(text), "watch storm W=%u, %lu WRITEs: %s", nw,
		 o->storm_writes, desc);
	xsb_result(o, key, v, unit, text);
}

static void
storm(const struct xsb_opts *o, unsigned nw)
{
	struct watcher *w = calloc(nw, sizeof(*w));
	struct epoll_event *ev = calloc(nw + 1, sizeof(*ev));
	unsigned long writes = o->storm_writes, sent = 0, done = 0;
	unsigned long want = writes * nw, got = 0;
	char path[64], buf[128], value[32];
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = nw};
	struct xsb_conn *writer;
	struct xsb_gap *gap;
	double t0, tlast, g;
	int ep, n, k;
	unsigned i;

	if (w == NULL || ev == NULL)
		xsb_die("out of memory");
	snprintf(path, sizeof(path), "/bench/storm/w%u/node", nw);
	writer = xsb_connect(o->socket);
	xsb_write(writer, path, "0");
	xsb_write(writer, "/bench/storm/other", "0123456789abcdef");
	ep = watchers_open(o, w, nw, path);
	if (epoll_ctl(ep, EPOLL_CTL_ADD, writer->fd, &e) < 0)
		xsb_die("epoll_ctl: %s", strerror(errno));
	gap = xsb_gap_start(o, "/bench/storm/other");
	t0 = tlast = xsb_now();
	while (done < writes || got < want) {
		while (sent < writes && sent - done < STORM_WINDOW) {
			snprintf(value, sizeof(value), "%lu", ++sent);
			xsb_queue(
				writer, XS_WRITE, 0, buf,
				xsb_args(buf, sizeof(buf), path, value, false));
		}
		xsb_flush(writer);
		n = epoll_wait(ep, ev, (int)nw + 1,
			       done < writes ? 60000 : STORM_IDLE_MS);
		if (n < 0 && errno != EINTR)
			xsb_die("epoll_wait: %s", strerror(errno));
		if (n == 0 && done < writes)
			xsb_die("storm: no reply for a minute");
		if (n == 0)
			break; /* the missing events are lost */
		for (k = 0; k < n; k++) {
			i = ev[k].data.u32;
			if (i == nw) {
				done += storm_replies(writer, path);
				continue;
			}
			got += drain(&w[i], i, path);
			if (w[i].events > writes + 1)
				xsb_die("watcher %u: extra event", i);
		}
		tlast = xsb_now();
	}
	g = xsb_gap_stop(gap, NULL);
	storm_result(o, nw, "s", tlast - t0, "s", "s");
	storm_result(o, nw, "gap", g * 1e3, "ms",
		     "longest READ of another client, ms");
	storm_result(o, nw, "lost", (double)(want - got), "events",
		     "events lost");
	for (i = 0; i < nw; i++)
		xsb_close(w[i].c);
	xsb_close(writer);
	close(ep);
	free(w);
	free(ev);
}

void
xsb_run_storm(const struct xsb_opts *o)
{
	storm(o, o->watch_max);
}

void
xsb_run_watch(const struct xsb_opts *o)
{
	unsigned nw;

	for (nw = 1; nw <= o->watch_max; nw *= 10)
		watch_one(o, nw);
}
