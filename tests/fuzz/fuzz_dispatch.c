/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the whole request path.  The input is a script of
 * operations that four connections (dom0, and the guests 1, 2 and 3 on
 * their rings) send through the real dispatch, store, transactions and
 * watches (tests/harness), so that the fuzzer reaches deep states
 * (transactions open across connections, watches on what others change,
 * guests released with their nodes, quotas lowered) rather than
 * spending its inputs on framing.
 *
 * Each operation is a few bytes:
 *
 *	byte 0	connection (low 2 bits) and transaction slot (bits 2-3:
 *		none, slot 1, slot 2, or an id that names nothing)
 *	byte 1	operation (OP_*, modulo their number)
 *	then	its arguments: an index into the path, value, permission or
 *		token vocabulary, a number, or raw bytes (OP_RAW)
 *
 * After every operation the daemon's own consistency check (CONTROL
 * "check": each node indexed and linked to its parent, each domain's
 * node count) must say OK, and every reply must answer a request of its
 * connection, in order, with the request's type or XS_ERROR; anything
 * else aborts.  Between inputs the harness puts the daemon back to a
 * fresh store (harness_reset).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPEERS 4
#define MAX_OPS 400
#define MAX_REQS (MAX_OPS + 8)

static const char *const paths[] = {
	"/",
	"/a",
	"/a/b",
	"/a/b/c",
	"/a/d",
	"/b",
	"/tool/xenstored",
	"/local/domain/1",
	"/local/domain/1/x",
	"/local/domain/2/y",
	"/local/domain/3",
	"x",
	"x/y",
	"@introduceDomain",
	"@releaseDomain",
	"/a/b/c/d/e/f",
	"",
	"/a//b",
	"/a/",
	"@bogus",
	"/local",
	"/local/domain/1/x/z",
	"/b/c",
	"../a",
};

static const char *const values[] = {"", "0", "1", "value", "\377\001"};

/* Permission lists, NULs included: the last string ends the list. */
static const struct {
	const char *s;
	size_t len;
} perm_lists[] = {
#define P(x)                                                                   \
	{                                                                      \
		x, sizeof(x)                                                   \
	}
	P("n0"),     P("n1"),	  P("n2"),	   P("b1"),
	P("r0\0w1"), P("n1\0r2"), P("n0\0b1\0r2"), P("w3\0r1\0n2"),
	P("n32752"), P("q1"),	  P("n1\0r65535"), P("r2\0b2\0w2\0n2\0r2\0r2"),
#undef P
};

static const char *const tokens[] = {"t0", "t1", "t", "tok"};

enum {
	OP_WRITE,
	OP_READ,
	OP_MKDIR,
	OP_RM,
	OP_DIRECTORY,
	OP_DIRECTORY_PART,
	OP_GET_PERMS,
	OP_SET_PERMS,
	OP_WATCH,
	OP_UNWATCH,
	OP_TXN_START,
	OP_TXN_END,
	OP_RESET_WATCHES,
	OP_RELEASE,
	OP_INTRODUCE,
	OP_DOMAIN_QUERY,
	OP_SET_TARGET,
	OP_QUOTA,
	OP_RAW,
	OP_RECONNECT,
	OP_BLOCK,
	OP_CONTROL,
	OP_FEATURE,
	OP_BIG_WRITE,
	OP_COUNT
};

struct cursor {
	const uint8_t *p;
	size_t n;
};

/* A peer and what the oracle needs to know of its requests. */
struct slot {
	struct hpeer *peer;
	unsigned domid;
	uint32_t txids[2];	/* the ids of slots 1 and 2, 0 if none */
	uint8_t sent[MAX_REQS]; /* request type by req_id */
	uint32_t last_req;	/* highest req_id sent */
	uint32_t last_reply;	/* highest req_id answered */
	uint32_t pending_start[MAX_REQS]; /* a START waiting: its slot + 1 */
};

static struct slot slots[NPEERS];
static bool ready;
/* FUZZ_TRACE=1: print every request and message, to read a crash. */
static bool trace;

static uint8_t
take(struct cursor *c)
{
	uint8_t b;

	if (c->n == 0)
		return 0;
	b = *c->p++;
	c->n--;
	return b;
}

#define PICK(c, table) ((table)[take(c) % (sizeof(table) / sizeof((table)[0]))])

/* Stop here: a message the oracle did not expect. */
static void
fail(const struct slot *s, const struct hmsg *m, const char *why)
{
	fprintf(stderr, "fuzz_dispatch: domain %u: %s: type %u req %u len %u\n",
		s->domid, why, m->hdr.type, m->hdr.req_id, m->hdr.len);
	abort();
}

static void
show(const struct slot *s, const char *dir, uint32_t type, uint32_t tx,
     const char *body, size_t len)
{
	size_t i;

	fprintf(stderr, "dom%u %s %u tx %u:", s->domid, dir, type, tx);
	for (i = 0; i < len; i++)
		fputc(body[i] == '\0' ? ' ' : body[i], stderr);
	fputc('\n', stderr);
}

/* Take a START's reply: the new id goes to the slot it was asked for. */
static void
took_start(struct slot *s, const struct hmsg *m)
{
	unsigned want = s->pending_start[m->hdr.req_id];

	if (want == 0 || m->hdr.type != XS_TRANSACTION_START)
		return;
	s->txids[want - 1] = (uint32_t)strtoul(m->body, NULL, 10);
}

/*
 * Read everything written to s: events are free-standing; any other
 * message answers the next request still waiting, in order.
 */
static void
drain(struct slot *s)
{
	struct hmsg m;

	if (s->peer == NULL)
		return;
	while (hpeer_next(s->peer, &m)) {
		if (trace)
			show(s, "<-", m.hdr.type, m.hdr.tx_id, m.body,
			     m.hdr.len);
		if (m.hdr.type == XS_WATCH_EVENT) {
			if (m.hdr.len < 4 || m.body[m.hdr.len - 1] != '\0')
				fail(s, &m, "malformed watch event");
			continue;
		}
		if (m.hdr.req_id <= s->last_reply || m.hdr.req_id > s->last_req)
			fail(s, &m, "reply to no request, or out of order");
		if (m.hdr.type != XS_ERROR &&
		    m.hdr.type != s->sent[m.hdr.req_id])
			fail(s, &m, "reply of another type");
		s->last_reply = m.hdr.req_id;
		took_start(s, &m);
	}
}

/* A fresh peer in slot i: dom0 on a socket, or guest i on its ring. */
static void
open_slot(unsigned i)
{
	struct slot *s = &slots[i];

	memset(s, 0, sizeof(*s));
	s->domid = i;
	s->peer = i == 0 ? hpeer_new(0, true) : hpeer_guest(i);
}

static void
close_slot(unsigned i)
{
	hpeer_free(slots[i].peer);
	slots[i].peer = NULL;
}

static void
request(struct slot *s, uint32_t type, uint32_t tx, const void *payload,
	size_t len)
{
	if (s->peer == NULL || s->last_req + 1 >= MAX_REQS)
		return;
	s->last_req++;
	s->sent[s->last_req] = (uint8_t)type;
	if (trace)
		show(s, "->", type, tx, payload, len);
	hpeer_send(s->peer, type, tx, payload, len);
}

/* Strings joined with their NULs into buf; returns the length. */
static size_t
join(char *buf, size_t size, const char *a, const char *b, const char *c)
{
	size_t len = 0, n;
	const char *v[3] = {a, b, c};
	int i;

	for (i = 0; i < 3 && v[i]; i++) {
		n = strlen(v[i]) + 1;
		if (len + n > size)
			break;
		memcpy(buf + len, v[i], n);
		len += n;
	}
	return len;
}

static void
send_strings(struct slot *s, uint32_t type, uint32_t tx, const char *a,
	     const char *b, const char *c)
{
	char buf[256];

	request(s, type, tx, buf, join(buf, sizeof(buf), a, b, c));
}

static uint32_t
tx_of(struct slot *s, unsigned sel)
{
	switch (sel) {
	case 1:
	case 2:
		return s->txids[sel - 1];
	case 3:
		return 0x7fffffffu; /* names nothing */
	default:
		return 0;
	}
}

static void
op_write(struct slot *s, uint32_t tx, struct cursor *c)
{
	char buf[64];
	const char *path = PICK(c, paths), *value = PICK(c, values);
	size_t plen = strlen(path) + 1, vlen = strlen(value);

	memcpy(buf, path, plen);
	memcpy(buf + plen, value, vlen);
	request(s, XS_WRITE, tx, buf, plen + vlen);
}

/* A large value, to reach the size and memory quotas quickly. */
static void
op_big_write(struct slot *s, uint32_t tx, struct cursor *c)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	const char *path = PICK(c, paths);
	size_t plen = strlen(path) + 1, vlen = (size_t)take(c) * 16;

	if (vlen > sizeof(buf) - plen)
		vlen = sizeof(buf) - plen;
	memcpy(buf, path, plen);
	memset(buf + plen, 'v', vlen);
	request(s, XS_WRITE, tx, buf, plen + vlen);
}

static void
op_set_perms(struct slot *s, uint32_t tx, struct cursor *c)
{
	char buf[128];
	const char *path = PICK(c, paths);
	unsigned k = take(c) % (sizeof(perm_lists) / sizeof(perm_lists[0]));
	size_t plen = strlen(path) + 1;

	memcpy(buf, path, plen);
	memcpy(buf + plen, perm_lists[k].s, perm_lists[k].len);
	request(s, XS_SET_PERMS, tx, buf, plen + perm_lists[k].len);
}

static void
op_watch(struct slot *s, struct cursor *c, bool add)
{
	const char *path = PICK(c, paths), *token = PICK(c, tokens);
	uint8_t depth = take(c);
	char d[8];

	snprintf(d, sizeof(d), "%u", depth % 4);
	send_strings(s, add ? XS_WATCH : XS_UNWATCH, 0, path, token,
		     add && depth >= 0x80 ? d : NULL);
}

static void
op_txn_start(struct slot *s, unsigned sel)
{
	if (sel != 1 && sel != 2)
		sel = 1;
	if (s->peer == NULL || s->last_req + 1 >= MAX_REQS)
		return;
	s->pending_start[s->last_req + 1] = sel;
	request(s, XS_TRANSACTION_START, 0, "", 1);
}

static void
op_txn_end(struct slot *s, unsigned sel, struct cursor *c)
{
	uint32_t tx = tx_of(s, sel);

	send_strings(s, XS_TRANSACTION_END, tx, take(c) & 1 ? "T" : "F", NULL,
		     NULL);
	if (sel == 1 || sel == 2)
		s->txids[sel - 1] = 0;
}

static void
op_domain(struct slot *s, uint32_t type, struct cursor *c)
{
	char a[16], b[16];

	snprintf(a, sizeof(a), "%u", take(c) % 5);
	snprintf(b, sizeof(b), "%u", take(c) % 5);
	send_strings(s, type, 0, a, type == XS_SET_TARGET ? b : NULL, NULL);
}

/* Quotas small enough to be hit by a script. */
static void
op_quota(struct slot *s, struct cursor *c)
{
	static const char *const names[] = {
		"nodes",  "watches",   "transactions", "outstanding",
		"memory", "node-size", "path-max",     "bogus"};
	char dom[8], val[12];
	const char *name = PICK(c, names);
	uint8_t how = take(c);

	snprintf(dom, sizeof(dom), "%u", how % 4);
	snprintf(val, sizeof(val), "%u", (unsigned)take(c) % 40);
	if (how & 0x10)
		send_strings(s, XS_SET_QUOTA, 0, dom, name, val);
	else if (how & 0x20)
		send_strings(s, XS_GET_QUOTA, 0, dom, name, NULL);
	else
		send_strings(s, XS_SET_QUOTA, 0, name, val, NULL);
}

static void
op_control(struct slot *s, struct cursor *c)
{
	static const char *const cmds[] = {"check", "quota", "quota-soft",
					   "help",  "log",   "bogus"};
	char dom[8];

	snprintf(dom, sizeof(dom), "%u", take(c) % 4);
	send_strings(s, XS_CONTROL, 0, PICK(c, cmds), take(c) & 1 ? dom : NULL,
		     NULL);
}

/* Any type, any payload: the framing may cut the connection. */
static void
op_raw(struct slot *s, uint32_t tx, struct cursor *c)
{
	uint8_t buf[64];
	uint32_t type = take(c);
	size_t len = take(c) % sizeof(buf), i;

	for (i = 0; i < len; i++)
		buf[i] = take(c);
	request(s, type, tx, buf, len);
}

static void
run_op(struct cursor *c)
{
	uint8_t b0 = take(c), op = take(c) % OP_COUNT;
	unsigned i = b0 & 3, sel = (b0 >> 2) & 3;
	struct slot *s = &slots[i];
	uint32_t tx = tx_of(s, sel);

	switch (op) {
	case OP_WRITE:
		op_write(s, tx, c);
		break;
	case OP_BIG_WRITE:
		op_big_write(s, tx, c);
		break;
	case OP_READ:
	case OP_MKDIR:
	case OP_RM:
	case OP_DIRECTORY:
	case OP_GET_PERMS: {
		static const uint32_t types[] = {XS_READ, XS_MKDIR, XS_RM,
						 XS_DIRECTORY, XS_GET_PERMS};
		uint32_t t = op == OP_GET_PERMS ? 4 : op - OP_READ;

		send_strings(s, types[t], tx, PICK(c, paths), NULL, NULL);
		break;
	}
	case OP_DIRECTORY_PART: {
		char off[8];

		snprintf(off, sizeof(off), "%u", take(c) % 12);
		send_strings(s, XS_DIRECTORY_PART, tx, PICK(c, paths), off,
			     NULL);
		break;
	}
	case OP_SET_PERMS:
		op_set_perms(s, tx, c);
		break;
	case OP_WATCH:
	case OP_UNWATCH:
		op_watch(s, c, op == OP_WATCH);
		break;
	case OP_TXN_START:
		op_txn_start(s, sel);
		break;
	case OP_TXN_END:
		op_txn_end(s, sel, c);
		break;
	case OP_RESET_WATCHES:
		request(s, XS_RESET_WATCHES, tx, "", 1);
		break;
	case OP_RELEASE:
		op_domain(s, XS_RELEASE, c);
		break;
	case OP_DOMAIN_QUERY:
		op_domain(s,
			  take(c) & 1 ? XS_IS_DOMAIN_INTRODUCED
				      : XS_GET_DOMAIN_PATH,
			  c);
		break;
	case OP_SET_TARGET:
		op_domain(s, XS_SET_TARGET, c);
		break;
	case OP_FEATURE:
		op_domain(s, take(c) & 1 ? XS_GET_FEATURE : XS_SET_FEATURE, c);
		break;
	case OP_QUOTA:
		op_quota(s, c);
		break;
	case OP_CONTROL:
		op_control(s, c);
		break;
	case OP_RAW:
		op_raw(s, tx, c);
		break;
	case OP_INTRODUCE:
		if (trace)
			fprintf(stderr, "dom%u introduce\n", s->domid);
		/* A released or disconnected guest comes back on its ring. */
		if (s->peer == NULL || !hpeer_alive(s->peer)) {
			close_slot(i);
			open_slot(i);
		}
		break;
	case OP_RECONNECT:
		if (trace)
			fprintf(stderr, "dom%u reconnect\n", s->domid);
		close_slot(i);
		open_slot(i);
		break;
	case OP_BLOCK:
		if (trace)
			fprintf(stderr, "dom%u block/unblock\n", s->domid);
		if (s->peer)
			hpeer_block(s->peer, take(c) & 1);
		break;
	}
	for (i = 0; i < NPEERS; i++)
		drain(&slots[i]);
	if (!harness_check()) {
		fprintf(stderr, "fuzz_dispatch: the store is inconsistent\n");
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = {data, size};
	unsigned i, n;

	if (!ready) {
		if (harness_init() != 0)
			abort();
		ready = true;
		trace = getenv("FUZZ_TRACE") != NULL;
	}
	for (i = 0; i < NPEERS; i++)
		open_slot(i);
	for (n = 0; c.n > 0 && n < MAX_OPS; n++)
		run_op(&c);
	for (i = 0; i < NPEERS; i++) {
		if (slots[i].peer)
			hpeer_block(slots[i].peer, false);
		drain(&slots[i]);
		close_slot(i);
	}
	harness_reset();
	if (!harness_check())
		abort();
	return 0;
}
