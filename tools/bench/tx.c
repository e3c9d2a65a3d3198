/* SPDX-License-Identifier: MIT */
/*
 * The transaction workloads of xs-bench.  C clients (1, 4, 16), each on
 * its own connection, make a fixed number of commits between them; each
 * transaction is TRANSACTION_START, its requests one at a time (as a
 * libxenstore client does them), TRANSACTION_END(T), and it is retried at
 * once on EAGAIN.  The four kinds:
 *
 *	disjoint   client c writes /bench/tx/dis<C>/c<c>/k0..3
 *	overlap    every client writes /bench/tx/ovl<C>/k0..3, reading nothing
 *	children   every client creates 4 new nodes in /bench/tx/kids<C>
 *	rmw        every client READs the one node /bench/tx/rmw<C>/k0 and
 *		   WRITEs its value + 1; afterwards the counter must equal
 *		   the number of commits, or an update was lost
 *
 * A daemon with serialisable transactions that only fails on a real
 * conflict gives 0 % EAGAIN for disjoint and children, and may give 0 %
 * for overlap (blind writes conflict with nothing they observed).  All
 * clients run in one thread on one epoll loop, so the client side costs
 * the same for every daemon.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "frame.h"
#include "xsb.h"

#define K 4
#define MAX_CLIENTS 16

enum tx_kind { TX_DISJOINT, TX_OVERLAP, TX_CHILDREN, TX_RMW, TX_KINDS };
static const char *const kind_key[] = {"disjoint", "overlap", "children",
				       "rmw"};
static const char *const kind_dir[] = {"dis", "ovl", "kids", "rmw"};
static const char *const kind_text[] = {
	"tx disjoint nodes", "tx same nodes (write-only)",
	"tx new children of one dir", "tx read-modify-write one node"};

enum tx_state { ST_START, ST_READ, ST_WRITE, ST_END, ST_ABORT, ST_IDLE };

struct tx_client {
	struct xsb_conn *c;
	unsigned id;
	enum tx_state state;
	unsigned step;
	uint32_t txid;
	unsigned long val[K];
	unsigned long commits, target, tries, maxtries;
};

struct tx_run {
	enum tx_kind kind;
	unsigned nclients;
	double deadline;
	unsigned long eagain, ends;
	unsigned active;
};

/* Nodes a transaction of this kind touches. */
static unsigned
tx_nodes(const struct tx_run *r)
{
	return r->kind == TX_RMW ? 1 : K;
}

static void
node_path(const struct tx_run *r, const struct tx_client *t, unsigned j,
	  char *buf, size_t cap)
{
	const char *d = kind_dir[r->kind];

	switch (r->kind) {
	case TX_DISJOINT:
		snprintf(buf, cap, "/bench/tx/%s%u/c%u/k%u", d, r->nclients,
			 t->id, j);
		break;
	case TX_CHILDREN:
		snprintf(buf, cap, "/bench/tx/%s%u/c%u-%lu-%u", d, r->nclients,
			 t->id, t->commits, j);
		break;
	default:
		snprintf(buf, cap, "/bench/tx/%s%u/k%u", d, r->nclients, j);
		break;
	}
}

/* Queue the request of t's current state and send it. */
static void
tx_issue(const struct tx_run *r, struct tx_client *t)
{
	char path[128], val[32], buf[256];
	size_t len;

	switch (t->state) {
	case ST_START:
		xsb_queue(t->c, XS_TRANSACTION_START, 0, "", 1);
		break;
	case ST_READ:
		node_path(r, t, t->step, path, sizeof(path));
		len = xsb_args(buf, sizeof(buf), path, NULL, false);
		xsb_queue(t->c, XS_READ, t->txid, buf, len);
		break;
	case ST_WRITE:
		node_path(r, t, t->step, path, sizeof(path));
		if (r->kind == TX_RMW)
			snprintf(val, sizeof(val), "%lu", t->val[t->step] + 1);
		else
			snprintf(val, sizeof(val), "c%u-%lu", t->id,
				 t->commits);
		len = xsb_args(buf, sizeof(buf), path, val, false);
		xsb_queue(t->c, XS_WRITE, t->txid, buf, len);
		break;
	case ST_END:
	case ST_ABORT:
		xsb_queue(t->c, XS_TRANSACTION_END, t->txid,
			  t->state == ST_END ? "T" : "F", 2);
		break;
	case ST_IDLE:
		return;
	}
	xsb_flush(t->c);
}

/* Start t's next transaction, or retire t. */
static void
tx_begin(struct tx_run *r, struct tx_client *t)
{
	if (t->commits >= t->target || xsb_now() > r->deadline) {
		t->state = ST_IDLE;
		r->active--;
		return;
	}
	t->state = ST_START;
	tx_issue(r, t);
}

/* Handle t's reply m and move t on. */
static void
tx_step(struct tx_run *r, struct tx_client *t, const struct xsb_msg *m)
{
	int err = xsb_error(m);
	char num[32];
	size_t n;

	if (t->state == ST_ABORT) {
		/* Whatever the daemon says to END(F), the attempt is lost. */
		r->ends++;
		r->eagain++;
		t->tries++;
		tx_begin(r, t);
		return;
	}
	if (err == EAGAIN && t->state != ST_START) {
		if (t->state == ST_END) {
			r->eagain++;
			r->ends++;
			t->tries++;
			tx_begin(r, t);
		} else {
			/* Refused inside the transaction: give it up. */
			t->state = ST_ABORT;
			tx_issue(r, t);
		}
		return;
	}
	if (err)
		xsb_die("tx %s client %u: %s in state %d", kind_key[r->kind],
			t->id, frame_error_name(err), t->state);
	switch (t->state) {
	case ST_START:
		n = m->hdr.len < sizeof(num) - 1 ? m->hdr.len : sizeof(num) - 1;
		memcpy(num, m->body, n);
		num[n] = '\0';
		t->txid = (uint32_t)strtoul(num, NULL, 10);
		if (t->txid == 0)
			xsb_die("TRANSACTION_START returned \"%s\"", num);
		t->step = 0;
		t->state = r->kind == TX_RMW ? ST_READ : ST_WRITE;
		break;
	case ST_READ:
		n = m->hdr.len < sizeof(num) - 1 ? m->hdr.len : sizeof(num) - 1;
		memcpy(num, m->body, n);
		num[n] = '\0';
		t->val[t->step] = strtoul(num, NULL, 10);
		if (++t->step == tx_nodes(r)) {
			t->step = 0;
			t->state = ST_WRITE;
		}
		break;
	case ST_WRITE:
		if (++t->step == tx_nodes(r))
			t->state = ST_END;
		break;
	case ST_END:
		r->ends++;
		t->commits++;
		if (t->tries > t->maxtries)
			t->maxtries = t->tries;
		t->tries = 0;
		tx_begin(r, t);
		return;
	case ST_ABORT:
	case ST_IDLE:
		xsb_die("tx: reply to an idle client");
	}
	tx_issue(r, t);
}

static void
tx_setup(const struct xsb_opts *o, const struct tx_run *r)
{
	struct xsb_conn *c = xsb_connect(o->socket);
	struct tx_client t = {0};
	char path[128];
	unsigned j;

	if (r->kind == TX_CHILDREN) {
		snprintf(path, sizeof(path), "/bench/tx/%s%u",
			 kind_dir[r->kind], r->nclients);
		xsb_mkdir(c, path);
	} else {
		for (t.id = 0; t.id < r->nclients; t.id++) {
			for (j = 0; j < tx_nodes(r); j++) {
				node_path(r, &t, j, path, sizeof(path));
				xsb_write(c, path, "0");
			}
			if (r->kind != TX_DISJOINT)
				break;
		}
	}
	xsb_close(c);
}

/* Updates of rmw's counter that were lost. */
static unsigned long
tx_lost(const struct xsb_opts *o, const struct tx_run *r, unsigned long commits)
{
	struct xsb_conn *c = xsb_connect(o->socket);
	struct tx_client t = {0};
	char path[128], val[32];
	unsigned long lost = 0, v;
	unsigned j;

	for (j = 0; j < tx_nodes(r); j++) {
		node_path(r, &t, j, path, sizeof(path));
		xsb_read(c, path, val, sizeof(val));
		v = strtoul(val, NULL, 10);
		if (v != commits)
			xsb_note("rmw C=%u: %s = %lu after %lu commits",
				 r->nclients, path, v, commits);
		lost += v < commits ? commits - v : v - commits;
	}
	xsb_close(c);
	return lost;
}

static void
tx_one(const struct xsb_opts *o, enum tx_kind kind, unsigned nclients)
{
	struct tx_client tc[MAX_CLIENTS];
	struct epoll_event ev[MAX_CLIENTS];
	struct tx_run r = {.kind = kind, .nclients = nclients};
	unsigned long commits = 0, maxtries = 0;
	char key[64], text[128];
	struct xsb_msg m;
	double t0, el;
	unsigned i;
	int ep, n, k;

	tx_setup(o, &r);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		xsb_die("epoll_create1: %s", strerror(errno));
	memset(tc, 0, sizeof(tc));
	for (i = 0; i < nclients; i++) {
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};

		tc[i].c = xsb_connect(o->socket);
		tc[i].id = i;
		tc[i].target = o->tx_commits / nclients;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, tc[i].c->fd, &e) < 0)
			xsb_die("epoll_ctl: %s", strerror(errno));
	}
	t0 = xsb_now();
	r.deadline = t0 + o->tx_cap;
	r.active = nclients;
	for (i = 0; i < nclients; i++)
		tx_begin(&r, &tc[i]);
	while (r.active > 0) {
		n = epoll_wait(ep, ev, MAX_CLIENTS, -1);
		if (n < 0 && errno != EINTR)
			xsb_die("epoll_wait: %s", strerror(errno));
		for (k = 0; k < n; k++) {
			struct tx_client *t = &tc[ev[k].data.u32];

			while (xsb_fill(t->c))
				;
			while (t->state != ST_IDLE && xsb_next(t->c, &m)) {
				if (m.hdr.type != XS_WATCH_EVENT)
					tx_step(&r, t, &m);
			}
		}
	}
	el = xsb_now() - t0;
	for (i = 0; i < nclients; i++) {
		commits += tc[i].commits;
		if (tc[i].maxtries > maxtries)
			maxtries = tc[i].maxtries;
		xsb_close(tc[i].c);
	}
	close(ep);
	if (commits < o->tx_commits / nclients * nclients)
		xsb_note("%s C=%u: time-capped after %.1f s (%lu commits)",
			 kind_text[kind], nclients, o->tx_cap, commits);

	snprintf(key, sizeof(key), "tx.%s.c%u.commits", kind_key[kind],
		 nclients);
	snprintf(text, sizeof(text), "%s C=%u commits/s", kind_text[kind],
		 nclients);
	xsb_result(o, key, commits / el, "commits/s", text);
	snprintf(key, sizeof(key), "tx.%s.c%u.eagain", kind_key[kind],
		 nclients);
	snprintf(text, sizeof(text), "%s C=%u EAGAIN %%", kind_text[kind],
		 nclients);
	xsb_result(o, key, r.ends ? 100.0 * r.eagain / r.ends : 0, "%", text);
	snprintf(key, sizeof(key), "tx.%s.c%u.maxretry", kind_key[kind],
		 nclients);
	snprintf(text, sizeof(text), "%s C=%u most retries of one tx",
		 kind_text[kind], nclients);
	xsb_result(o, key, maxtries, "retries", text);
	if (kind == TX_RMW) {
		snprintf(key, sizeof(key), "tx.rmw.c%u.lost", nclients);
		snprintf(text, sizeof(text), "%s C=%u lost updates (must be 0)",
			 kind_text[kind], nclients);
		xsb_result(o, key, tx_lost(o, &r, commits), "updates", text);
	}
}

void
xsb_run_tx(const struct xsb_opts *o)
{
	static const unsigned clients[] = {1, 4, 16};
	unsigned k, i;

	for (k = 0; k < TX_KINDS; k++)
		for (i = 0; i < 3; i++)
			tx_one(o, (enum tx_kind)k, clients[i]);
}
