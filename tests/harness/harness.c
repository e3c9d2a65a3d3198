/* SPDX-License-Identifier: MIT */
/*
 * The in-process daemon of harness.h: the fake transport, the peers and
 * the resets between fuzz inputs.  It wires the modules as main.c does
 * (domains, watches, store, connections with dispatch_message), without
 * the database, the listeners and the hypervisor; what it knows of the
 * daemon's insides beyond that (a guest's domain->conn, the base tree)
 * is only what INTRODUCE and store_create_base would have done.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "conn.h"
#include "db.h"
#include "domain.h"
#include "frame.h"
#include "guest.h"
#include "harness.h"
#include "log.h"
#include "store.h"
#include "watch.h"
#include "wiring.h"

struct buf {
	uint8_t *data;
	size_t len, off; /* bytes held; bytes consumed */
};

struct hpeer {
	struct conn *conn;
	struct hlink *link;
	struct buf in, out;
	uint32_t next_req;
	bool blocked;
};

/* The connection's end of the pair: unlinks the peer when freed. */
struct hlink {
	struct hpeer *peer;
};

static struct event_base *base;
static struct quota_set quota_saved;
static char text[64 + 4 * XENSTORE_PAYLOAD_MAX];

static int
buf_add(struct buf *b, const void *data, size_t len)
{
	uint8_t *p;

	if (b->off == b->len)
		b->off = b->len = 0;
	p = realloc(b->data, b->len + len + 1);
	if (p == NULL)
		return -1;
	memcpy(p + b->len, data, len);
	b->data = p;
	b->len += len;
	return 0;
}

static ssize_t
fake_read(struct conn *c, void *dst, size_t len)
{
	struct hlink *l = c->transport_data;
	struct buf *b = &l->peer->in;
	size_t n = b->len - b->off;

	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (n > len)
		n = len;
	memcpy(dst, b->data + b->off, n);
	b->off += n;
	return (ssize_t)n;
}

static ssize_t
fake_writev(struct conn *c, const struct iovec *iov, int iovcnt)
{
	struct hlink *l = c->transport_data;
	ssize_t total = 0;
	int i;

	if (l->peer->blocked) {
		errno = EAGAIN;
		return -1;
	}
	for (i = 0; i < iovcnt; i++) {
		if (buf_add(&l->peer->out, iov[i].iov_base, iov[i].iov_len)) {
			errno = ENOMEM;
			return -1;
		}
		total += (ssize_t)iov[i].iov_len;
	}
	return total;
}

/* As the ring transport: the domain lives on without its connection. */
static void
fake_closed(struct conn *c, const char *reason)
{
	(void)reason;
	if (c->domain && c->domain->conn == c)
		c->domain->conn = NULL;
}

static const struct conn_transport fake_transport = {
	.name = "harness",
	.read = fake_read,
	.writev = fake_writev,
	.closed = fake_closed,
};

static int
destroy_link(struct hlink *l)
{
	if (l->peer)
		l->peer->conn = NULL;
	return 0;
}

/* The store from path, or a new one if path is NULL or empty. */
static int
load(const char *path, int sync)
{
	int loaded = 0;

	if (path) {
		if (db_open(path, (enum db_sync)sync, false) != 0)
			return -1;
		if ((loaded = db_load()) < 0)
			return -1;
	}
	if (loaded == 0 && store_create_base(0) != 0)
		return -1;
	if (path == NULL)
		return 0;
	if (db_flush() != 0)
		return -1;
	wiring_stream(path, false);
	return 0;
}

static int
init(const char *path, int sync)
{
	struct domain *d;
	unsigned i;

	log_init("harness", true, 0);
	base = event_base_new();
	if (base == NULL || domain_init() || watch_init() || store_init() ||
	    wiring_store() || load(path, sync) != 0)
		return -1;
	guest_init(0, false);
	for (i = 0; i < 4; i++)
		if ((d = domain_get(i)) == NULL)
			return -1;
	domain_find(0)->introduced = true;
	quota_saved = quota_global;
	/* As main.c wires them; without a database, nothing to persist. */
	return wiring_connections(base, path && sync != DB_SYNC_NONE,
				  path && sync == DB_SYNC_NONE);
}

int
harness_init(void)
{
	return init(NULL, 0);
}

int
harness_init_db(const char *path, int sync)
{
	return init(path, sync);
}

void
harness_close_db(void)
{
	conn_shutdown();
	wiring_stream_close();
	db_flush();
	db_close();
}

void
harness_flush(void)
{
	bool reaping;

	do {
		event_base_loop(base, EVLOOP_NONBLOCK);
		reaping = wiring_end_turn();
	} while (conn_busy() || reaping);
}

void
harness_close_all(void)
{
	conn_shutdown();
}

static void
collect_guest(struct domain *d, void *arg)
{
	unsigned *ids = arg;

	if (d->domid != 0 && ids[0] < 64)
		ids[++ids[0]] = d->domid;
}

/* The base tree's nodes as store_create_base made them. */
static void
reset_tree(void)
{
	struct perm owner = {0, PERM_NONE};
	struct perm anyread[2] = {{0, PERM_NONE}, {DOMID_ANY, PERM_READ}};
	struct node *n;

	while ((n = node_first_child(store_lookup("/"))) != NULL)
		store_rm(n);
	store_reap(SIZE_MAX); /* the guests' domains go next */
	store_update(store_lookup("/"), "", 0, &owner, 1);
	store_create("/tool", &owner, 1, NULL, 0, true);
	store_create("/tool/xenstored", &owner, 1, NULL, 0, true);
	store_update(store_lookup("@introduceDomain"), "", 0, &owner, 1);
	store_update(store_lookup("@releaseDomain"), "", 0, anyread, 2);
}

void
harness_reset(void)
{
	unsigned ids[65] = {0}, i;
	struct domain *d;

	harness_close_all();
	reset_tree();
	domain_foreach(collect_guest, ids);
	for (i = 1; i <= ids[0]; i++)
		domain_forget(ids[i]);
	quota_global = quota_saved;
	d = domain_find(0);
	d->quota = quota_saved;
	d->features = DOMAIN_FEATURES_SUPPORTED;
	d->target = DOMID_INVALID;
	memset(d->max, 0, sizeof(d->max));
	memset(d->soft_over, 0, sizeof(d->soft_over));
	for (i = 1; i < 4; i++)
		domain_get(i);
}

struct hpeer *
hpeer_new(unsigned domid, bool privileged)
{
	struct hpeer *p = calloc(1, sizeof(*p));
	struct hlink *l;

	if (p == NULL)
		return NULL;
	p->conn = conn_new(-1, &fake_transport, domain_get(domid), domid,
			   privileged, false);
	if (p->conn == NULL) {
		free(p);
		return NULL;
	}
	l = talloc(p->conn, struct hlink);
	if (l == NULL) {
		talloc_free(p->conn);
		free(p);
		return NULL;
	}
	l->peer = p;
	talloc_set_destructor(l, destroy_link);
	p->link = l;
	p->conn->transport_data = l;
	return p;
}

struct hpeer *
hpeer_guest(unsigned domid)
{
	const struct node *n;
	struct watch_perms ps;
	struct domain *d = domain_find(domid);
	struct hpeer *p;

	if (d && d->conn) {
		errno = EBUSY;
		return NULL;
	}
	if ((p = hpeer_new(domid, false)) == NULL)
		return NULL;
	d = p->conn->domain;
	d->conn = p->conn;
	p->conn->who.target = d->target;
	if (!d->introduced) {
		d->introduced = true;
		n = store_lookup("@introduceDomain");
		ps.p = n ? node_perms(n) : NULL;
		ps.n = n ? n->nperms : 0;
		watch_fire_special("@introduceDomain", domid, &ps);
		harness_flush();
	}
	return p;
}

struct conn *
hpeer_conn(const struct hpeer *p)
{
	return p->conn;
}

bool
hpeer_alive(const struct hpeer *p)
{
	return p->conn != NULL && !p->conn->closing;
}

void
hpeer_free(struct hpeer *p)
{
	if (p == NULL)
		return;
	if (p->conn) {
		p->link->peer = NULL;
		conn_close(p->conn, NULL);
		harness_flush();
	}
	free(p->in.data);
	free(p->out.data);
	free(p);
}

void
hpeer_block(struct hpeer *p, bool blocked)
{
	p->blocked = blocked;
	if (!blocked && p->conn) {
		conn_kick(p->conn);
		harness_flush();
	}
}

void
hpeer_send_raw(struct hpeer *p, const void *data, size_t len)
{
	if (p->conn == NULL || buf_add(&p->in, data, len) != 0)
		return;
	conn_kick(p->conn);
	harness_flush();
}

void
hpeer_send(struct hpeer *p, uint32_t type, uint32_t tx_id, const void *payload,
	   size_t len)
{
	struct xsd_sockmsg hdr = {type, ++p->next_req, tx_id, (uint32_t)len};
	uint8_t msg[sizeof(hdr) + XENSTORE_PAYLOAD_MAX + 64];

	if (len > sizeof(msg) - sizeof(hdr))
		len = hdr.len = (uint32_t)(sizeof(msg) - sizeof(hdr));
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), payload, len);
	hpeer_send_raw(p, msg, sizeof(hdr) + len);
}

bool
hpeer_next(struct hpeer *p, struct hmsg *m)
{
	struct buf *b = &p->out;

	if (b->len - b->off < sizeof(m->hdr))
		return false;
	memcpy(&m->hdr, b->data + b->off, sizeof(m->hdr));
	if (m->hdr.len > XENSTORE_PAYLOAD_MAX ||
	    b->len - b->off < sizeof(m->hdr) + m->hdr.len)
		return false; /* the daemon never writes half a message */
	memcpy(m->body, b->data + b->off + sizeof(m->hdr), m->hdr.len);
	m->body[m->hdr.len] = '\0';
	b->off += sizeof(m->hdr) + m->hdr.len;
	return true;
}

unsigned
hpeer_pending(struct hpeer *p)
{
	struct xsd_sockmsg hdr;
	size_t off = p->out.off;
	unsigned n = 0;

	while (p->out.len - off >= sizeof(hdr)) {
		memcpy(&hdr, p->out.data + off, sizeof(hdr));
		off += sizeof(hdr) + hdr.len;
		n++;
	}
	return n;
}

const char *
hpeer_text(struct hpeer *p)
{
	struct hmsg m;
	size_t n, i;

	text[0] = '\0';
	if (!hpeer_next(p, &m))
		return text;
	n = strlen(frame_type_name(m.hdr.type));
	memcpy(text, frame_type_name(m.hdr.type), n + 1);
	if (m.hdr.len == 0)
		return text;
	text[n++] = ' ';
	for (i = 0; i < m.hdr.len; i++)
		text[n++] = m.body[i] ? m.body[i] : ' ';
	if (m.body[m.hdr.len - 1] == '\0')
		n--;
	if (n > 0 && text[n - 1] == ' ' && m.hdr.len == 1)
		n--; /* "" alone: no separator either */
	text[n] = '\0';
	return text;
}

const char *
hpeer_call(struct hpeer *p, uint32_t type, uint32_t tx_id, ...)
{
	char payload[XENSTORE_PAYLOAD_MAX + 64];
	const char *s;
	size_t len = 0, n;
	va_list ap;

	va_start(ap, tx_id);
	while ((s = va_arg(ap, const char *)) != NULL) {
		n = strlen(s) + 1;
		if (len + n > sizeof(payload))
			break;
		memcpy(payload + len, s, n);
		len += n;
	}
	va_end(ap);
	/* A value is the rest of a WRITE, without a NUL of its own. */
	if (type == XS_WRITE && len > 0)
		len--;
	hpeer_send(p, type, tx_id, payload, len);
	return hpeer_text(p);
}

uint32_t
hpeer_txn_start(struct hpeer *p)
{
	const char *t = hpeer_call(p, XS_TRANSACTION_START, 0, "", NULL);
	static const char prefix[] = "TRANSACTION_START ";

	if (strncmp(t, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	return (uint32_t)strtoul(t + sizeof(prefix) - 1, NULL, 10);
}

bool
harness_check(void)
{
	struct hpeer *p = hpeer_new(0, true);
	bool ok;

	if (p == NULL)
		return false;
	ok = strcmp(hpeer_call(p, XS_CONTROL, 0, "check", NULL), "DEBUG OK") ==
	     0;
	hpeer_free(p);
	return ok;
}
