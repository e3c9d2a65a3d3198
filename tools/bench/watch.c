/* SPDX-License-Identifier: MIT */
/*
 * The watch fan-out workload of xs-bench.  W connections (1, 10, 100,
 * 1000) each WATCH /bench/watch/w<W>/node; the event that WATCH fires at
 * once is drained.  Then, round after round, another connection WRITEs
 * the node, and the latency runs from sending that WRITE to the arrival
 * of the last of the W events.  Each watcher must get exactly one event
 * per round, naming the node and its own token: anything else is a daemon
 * bug and stops the run.
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
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
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
	/* The reply to WATCH and the event it fires at once, for each. */
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

void
xsb_run_watch(const struct xsb_opts *o)
{
	unsigned nw;

	for (nw = 1; nw <= o->watch_max; nw *= 10)
		watch_one(o, nw);
}
