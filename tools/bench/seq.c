/* SPDX-License-Identifier: MIT */
/*
 * The request/response workloads of xs-bench: "seq" (one connection, one
 * request at a time, latency of each) and "tput" (1, 4 or 16 connections,
 * 1 or 16 requests in flight on each, ops/s over the wall time).  Both
 * work on the same tree of 1000 leaves, /bench/seq/d<i/32>/n<i%32>, with
 * 16-byte values, and pick leaves with a fixed-seed generator so that
 * every run does the same work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "frame.h"
#include "xsb.h"

#define LEAVES 1000
#define PER_DIR 32
#define WARMUP 1000
#define TPUT_CONNS 16

static void
seq_name(unsigned long i, char *buf, size_t cap)
{
	snprintf(buf, cap, "/bench/seq/d%lu/n%lu", i / PER_DIR, i % PER_DIR);
}

static void
seq_value(unsigned long i, char *buf, size_t cap)
{
	snprintf(buf, cap, "%016lx", (unsigned long)(i * 2654435761UL));
}

/* The payload of one op on a random leaf (or directory). */
static size_t
seq_payload(uint32_t type, uint64_t *rng, char *buf, size_t cap)
{
	unsigned long i = (unsigned long)(xsb_rand(rng) % LEAVES);
	char path[64], val[32];

	if (type == XS_DIRECTORY) {
		snprintf(path, sizeof(path), "/bench/seq/d%lu", i / PER_DIR);
		return xsb_args(buf, cap, path, NULL, false);
	}
	seq_name(i, path, sizeof(path));
	if (type == XS_WRITE) {
		seq_value(i ^ 0x5555, val, sizeof(val));
		return xsb_args(buf, cap, path, val, false);
	}
	return xsb_args(buf, cap, path, NULL, false);
}

static void
seq_tree(const char *socket)
{
	struct xsb_conn *c = xsb_connect(socket);

	xsb_fill_nodes(c, LEAVES, 64, seq_name, seq_value);
	xsb_close(c);
}

static void
check_reply(const struct xsb_msg *m, uint32_t type)
{
	int err = xsb_error(m);

	if (err)
		xsb_die("%s: error %s", frame_type_name(type),
			frame_error_name(err));
	if (m->hdr.type != type)
		xsb_die("%s: reply of type %u", frame_type_name(type),
			m->hdr.type);
}

static void
seq_one(const struct xsb_opts *o, struct xsb_conn *c, uint32_t type,
	const char *name)
{
	char buf[256], key[64], text[96];
	uint64_t rng = 0x9e3779b97f4a7c15ULL ^ type;
	struct xsb_lat lat = {0};
	struct xsb_msg m;
	double t0, t, start;
	unsigned i;
	size_t len;

	for (i = 0; i < WARMUP; i++) {
		len = seq_payload(type, &rng, buf, sizeof(buf));
		xsb_call(c, type, 0, buf, len, &m);
		check_reply(&m, type);
	}
	start = xsb_now();
	for (i = 0; i < o->seq_ops; i++) {
		len = seq_payload(type, &rng, buf, sizeof(buf));
		t0 = xsb_now();
		xsb_call(c, type, 0, buf, len, &m);
		t = xsb_now();
		check_reply(&m, type);
		xsb_lat_add(&lat, (t - t0) * 1e6);
	}
	t = xsb_now() - start;
	snprintf(key, sizeof(key), "seq.%s.ops", name);
	snprintf(text, sizeof(text), "seq %s ops/s", frame_type_name(type));
	xsb_result(o, key, o->seq_ops / t, "ops/s", text);
	snprintf(key, sizeof(key), "seq.%s.p50", name);
	snprintf(text, sizeof(text), "seq %s p50 us", frame_type_name(type));
	xsb_result(o, key, xsb_lat_pct(&lat, 50), "us", text);
	snprintf(key, sizeof(key), "seq.%s.p99", name);
	snprintf(text, sizeof(text), "seq %s p99 us", frame_type_name(type));
	xsb_result(o, key, xsb_lat_pct(&lat, 99), "us", text);
	xsb_lat_free(&lat);
}

void
xsb_run_seq(const struct xsb_opts *o)
{
	struct xsb_conn *c;

	seq_tree(o->socket);
	c = xsb_connect(o->socket);
	if (!o->only_writes)
		seq_one(o, c, XS_READ, "read");
	seq_one(o, c, XS_WRITE, "write");
	if (!o->only_writes)
		seq_one(o, c, XS_DIRECTORY, "directory");
	xsb_close(c);
}

/* One tput connection's progress. */
struct tput_conn {
	struct xsb_conn *c;
	uint64_t rng;
	unsigned long sent, done, quota;
};

static void
tput_send(struct tput_conn *t, uint32_t type, unsigned depth)
{
	char buf[256];
	size_t len;

	while (t->sent < t->quota && t->sent - t->done < depth) {
		len = seq_payload(type, &t->rng, buf, sizeof(buf));
		xsb_queue(t->c, type, 0, buf, len);
		t->sent++;
	}
	xsb_flush(t->c);
}

/* Ops/s of total ops of type over nconn connections, depth in flight each. */
static double
tput_one(struct tput_conn *tc, int ep, unsigned nconn, unsigned depth,
	 uint32_t type, unsigned long total)
{
	struct epoll_event ev[TPUT_CONNS];
	unsigned long left = 0;
	struct xsb_msg m;
	unsigned i;
	double t0;
	int n, k;

	for (i = 0; i < nconn; i++) {
		tc[i].sent = tc[i].done = 0;
		tc[i].quota = total / nconn;
		left += tc[i].quota;
	}
	t0 = xsb_now();
	for (i = 0; i < nconn; i++)
		tput_send(&tc[i], type, depth);
	while (left > 0) {
		n = epoll_wait(ep, ev, TPUT_CONNS, -1);
		if (n < 0 && errno != EINTR)
			xsb_die("epoll_wait: %s", strerror(errno));
		for (k = 0; k < n; k++) {
			struct tput_conn *t = &tc[ev[k].data.u32];

			while (xsb_fill(t->c))
				;
			while (xsb_next(t->c, &m)) {
				check_reply(&m, type);
				t->done++;
				left--;
			}
			tput_send(t, type, depth);
		}
	}
	return (double)(total / nconn * nconn) / (xsb_now() - t0);
}

void
xsb_run_tput(const struct xsb_opts *o)
{
	static const unsigned conns[] = {1, 4, 16}, depths[] = {1, 16};
	static const uint32_t types[] = {XS_READ, XS_WRITE};
	struct tput_conn tc[TPUT_CONNS];
	struct epoll_event ev;
	char key[64], text[96];
	unsigned i, j, k;
	int ep;

	seq_tree(o->socket);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		xsb_die("epoll_create1: %s", strerror(errno));
	for (i = 0; i < TPUT_CONNS; i++) {
		tc[i].c = xsb_connect(o->socket);
		tc[i].rng = 0x2545f4914f6cdd1dULL + i;
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, tc[i].c->fd, &ev) < 0)
			xsb_die("epoll_ctl: %s", strerror(errno));
	}
	for (k = 0; k < 2; k++) {
		const char *name = k ? "write" : "read";

		if (o->only_writes && types[k] != XS_WRITE)
			continue;
		for (i = 0; i < 3; i++) {
			for (j = 0; j < 2; j++) {
				double r = tput_one(tc, ep, conns[i], depths[j],
						    types[k], o->tput_ops);

				snprintf(key, sizeof(key), "tput.%s.c%u.d%u",
					 name, conns[i], depths[j]);
				snprintf(text, sizeof(text),
					 "tput %s C=%u D=%u ops/s",
					 frame_type_name(types[k]), conns[i],
					 depths[j]);
				xsb_result(o, key, r, "ops/s", text);
			}
		}
	}
	for (i = 0; i < TPUT_CONNS; i++)
		xsb_close(tc[i].c);
	close(ep);
}
