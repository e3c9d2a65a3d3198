/* SPDX-License-Identifier: MIT */
/*
 * Writing the daemon's state for a live update (lu_int.h), in the order
 * Xen's daemon writes it: GLOBAL, then each connection followed by its
 * watches, then the nodes (the special ones, then "/" in pre-order, so
 * parents come first), then, for our own binary only, quotas, domains and
 * what Xen's records cannot say (the read-only socket and which
 * connections came through it).
 *
 * A connection's input is what it sent that we have not handled: a
 * request waiting (held back because the update is pending, or behind
 * another transaction) and the unread bytes after it.  Its output is
 * what we have not written yet; the caller's gets the "OK" of its -s
 * last, which the new binary sends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <talloc.h>
#include <unistd.h>

#include "conn.h"
#include "db.h"
#include "domain.h"
#include "guest.h"
#include "hold.h"
#include "hyp.h"
#include "log.h"
#include "lu_int.h"
#include "lu_stream.h"
#include "ring_conn.h"
#include "store.h"
#include "stream.h"
#include "watch.h"

struct dump {
	struct lu_writer w;
	struct lu_session *s;
	void *ctx;
	uint32_t conn_id;
	struct lu_node *node; /* one, reused: it is large */
	const char *why;
};

static void
put_watch(void *arg, const char *path, size_t strip, const char *token,
	  int depth)
{
	struct dump *d = arg;
	struct lu_watch w = {d->conn_id, path + strip, token, depth};

	lu_write_watch(&d->w, &w);
}

/* The held request (unless it is the caller's -s), then unread bytes. */
static uint8_t *
pending_input(struct dump *d, const struct conn *c, const struct msg *m,
	      size_t *len)
{
	const struct msg *held = c->deferred != m ? c->deferred : NULL;
	size_t hlen = held ? sizeof(held->hdr) + held->hdr.len : 0, unread;
	const uint8_t *rest = conn_unread_input(c, &unread);
	uint8_t *in;

	*len = hlen + unread;
	if (*len == 0)
		return NULL;
	if ((in = talloc_size(d->ctx, *len)) == NULL)
		return NULL;
	if (held) {
		memcpy(in, &held->hdr, sizeof(held->hdr));
		memcpy(in + sizeof(held->hdr), held->body, held->hdr.len);
	}
	memcpy(in + hlen, rest, unread);
	return in;
}

/*
 * c's output, and for the caller the OK of its request m after it (our
 * binary gets OWN_LU_REPLY instead, and adds the reply itself).
 */
static uint8_t *
pending_output(struct dump *d, const struct conn *c, const struct msg *m,
	       bool caller, size_t *len, size_t *resp)
{
	struct xsd_sockmsg ok = m->hdr;
	uint8_t *out = conn_output_bytes(d->ctx, c, len, resp);

	if (!caller || d->s->ours)
		return out;
	ok.len = sizeof("OK");
	out = talloc_realloc_size(d->ctx, out, *len + sizeof(ok) + ok.len);
	if (out == NULL)
		return NULL;
	memcpy(out + *len, &ok, sizeof(ok));
	memcpy(out + *len + sizeof(ok), "OK", ok.len);
	*len += sizeof(ok) + ok.len;
	return out;
}

/*
 * OWN_POOL_AGENT: the pool agent stays the stream's reader, and its
 * transactions' commits under its prefixes stay held for its verdicts
 * (docs/pool.md); held commits themselves are not carried: the update
 * waits for them (lu.c).
 */
static int
put_pool_agent(struct dump *d, const struct conn *c, uint32_t id)
{
	const char *const *p;
	unsigned n, i;
	bool held = hold_agent(&p, &n) == c;
	char *body = talloc_memdup(d->ctx, &id, sizeof(id));
	size_t len = sizeof(id);

	for (i = 0; body != NULL && held && i < n; i++) {
		body = talloc_realloc_size(d->ctx, body,
					   len + strlen(p[i]) + 1);
		if (body != NULL)
			memcpy(body + len, p[i], strlen(p[i]) + 1);
		len += strlen(p[i]) + 1;
	}
	if (body == NULL) {
		d->why = "Allocation failure.";
		return -1;
	}
	lu_write_own(&d->w, XS_MIG_OWN_POOL_AGENT, body, len);
	return 0;
}

static int
put_conn(struct dump *d, struct conn *c, struct conn *caller,
	 const struct msg *m)
{
	struct lu_conn lc;
	struct xs_mig_own_conn own = {0, 0, 0};
	bool sock = lu_config.hooks->is_socket(c);

	memset(&lc, 0, sizeof(lc));
	lc.id = d->conn_id = (uint32_t)c->id;
	lc.ring = !sock;
	lc.fd = c->fd;
	lc.domid = c->who.domid;
	lc.target = c->who.target == DOMID_INVALID ? XS_MIG_DOMID_INVALID
						   : c->who.target;
	lc.port = c->domain && c->domain->port >= 0 ? (unsigned)c->domain->port
						    : 0;
	if (!sock && c->transport == &ring_conn_transport)
		ring_conn_hand_over(c);
	lc.in = pending_input(d, c, m, &lc.in_len);
	lc.out =
		pending_output(d, c, m, c == caller, &lc.out_len, &lc.resp_len);
	if ((lc.in_len && lc.in == NULL) || (lc.out_len && lc.out == NULL)) {
		d->why = "Allocation failure.";
		return -1;
	}
	if (lc.in_len > UINT16_MAX || lc.resp_len > UINT16_MAX) {
		d->why = "busy";
		return -1;
	}
	lu_write_conn(&d->w, &lc);
	if (d->s->ours && c == caller) {
		struct xs_mig_own_reply r = {lc.id, m->hdr.type, m->hdr.req_id,
					     m->hdr.tx_id};

		lu_write_own(&d->w, XS_MIG_OWN_LU_REPLY, &r, sizeof(r));
	}
	/* A guest's own end, which a crash restart binds to afterwards. */
	if (d->s->ours && (c->readonly || !sock)) {
		own.conn_id = lc.id;
		own.flags = c->readonly ? XS_MIG_OWN_CONN_READONLY : 0;
		own.remote_port =
			!sock && c->domain ? c->domain->remote_port : 0;
		lu_write_own(&d->w, XS_MIG_OWN_CONN, &own, sizeof(own));
	}
	if (d->s->ours && stream_is_reader(c) &&
	    put_pool_agent(d, c, lc.id) != 0)
		return -1;
	watch_foreach(c, put_watch, d);
	return 0;
}

/*
 * Which connections go: all but closing ones, oldest first as Xen
 * writes them (its daemon needs dom0's ring, made first, before the
 * sockets that act as dom0).  A read-only client does not go to Xen's
 * daemon, which has no read-only socket: it would get write access there.
 */
static int
put_conns(struct dump *d, struct conn *caller, const struct msg *m)
{
	struct conn *c = conn_first();

	while (c && c->next)
		c = c->next;
	for (; c; c = c->prev) {
		if (c->closing || (c->readonly && !d->s->ours))
			continue;
		if (!lu_config.hooks->is_socket(c) && c->domain == NULL)
			continue;
		if (put_conn(d, c, caller, m) != 0)
			return -1;
	}
	return 0;
}

static int
put_node(struct node *n, void *arg)
{
	static const char types[] = {'n', 'r', 'w', 'b'};
	struct dump *d = arg;
	char path[XENSTORE_PAYLOAD_MAX + 1];
	struct lu_node *ln = d->node;
	const struct perm *p = node_perms(n);
	unsigned i;

	node_path(n, path, sizeof(path));
	ln->path = path;
	ln->value = node_value(n);
	ln->vlen = n->vlen;
	ln->nperms = n->nperms < LU_PERMS_MAX ? n->nperms : LU_PERMS_MAX;
	ln->in_txn = false;
	for (i = 0; i < ln->nperms; i++) {
		ln->perms[i].type = types[p[i].access & PERM_ALL & 3];
		ln->perms[i].ignore = p[i].access & PERM_IGNORE;
		ln->perms[i].domid = p[i].id;
	}
	lu_write_node(&d->w, ln);
	return d->w.failed ? EIO : 0;
}

static const char *const roots[] = {"@releaseDomain", "@introduceDomain", "/"};

struct births {
	uint64_t *v;
	size_t n;
};

static int
add_birth(struct node *n, void *arg)
{
	struct births *b = arg;

	b->v[++b->n] = node_birth(n);
	return 0;
}

/* OWN_DB: the files' path, and where their journal ends if we know. */
static void
put_db(struct dump *d, const char *path)
{
	struct db_position pos;
	struct xs_mig_own_db_pos p;
	size_t len = strlen(path) + 1;
	char *body = talloc_size(d->ctx, len + sizeof(p));

	if (body == NULL || db_position(&pos) != 0) {
		lu_write_own(&d->w, XS_MIG_OWN_DB, path, len);
		return;
	}
	p.journal_size = pos.journal_size;
	p.next_seq = pos.next_seq;
	p.entries = pos.entries;
	memcpy(body, path, len);
	memcpy(body + len, &p, sizeof(p));
	lu_write_own(&d->w, XS_MIG_OWN_DB, body, len + sizeof(p));
}

/*
 * For our binary: the store's files, written just now, hold what the
 * nodes below do, and the nodes' births (creation order, which a later
 * load of the files sorts siblings by; an image holds them itself).  A
 * fold under way would make the new binary wait for it at open: the
 * update waits instead.
 */
static int
put_store_files(struct dump *d)
{
	struct births b = {NULL, 0};
	struct node *n;
	const char *path = db_file();
	unsigned i;

	if (db_folding()) {
		d->why = "busy";
		return -1;
	}
	if (path == NULL || db_flush() != 0)
		return 0; /* the new binary starts them again */
	if (d->s->image) {
		put_db(d, path);
		return 0;
	}
	b.v = talloc_array(d->ctx, uint64_t, store_count() + 1);
	if (b.v == NULL) {
		d->why = "Allocation failure.";
		return -1;
	}
	for (i = 0; i < 3; i++)
		if ((n = store_lookup(roots[i])) != NULL)
			store_walk(n, add_birth, &b);
	b.v[0] = b.n;
	put_db(d, path);
	lu_write_own(&d->w, XS_MIG_OWN_BIRTHS, b.v, (b.n + 1) * sizeof(*b.v));
	return 0;
}

/*
 * For a binary that takes our layout: the store's memory, copied into a
 * memfd that the exec hands over (store_image.c says why).  1 if it
 * cannot be had: the nodes go as records then.
 */
static int
put_image(struct dump *d)
{
	struct xs_mig_own_store o = {-1, 0, 0};
	struct stat st;

	o.fd = memfd_create("xenstored-store", MFD_CLOEXEC);
	if (o.fd < 0 || store_image_save(o.fd) != 0 || fstat(o.fd, &st) != 0) {
		log_warn("live-update: no store image: nodes go one by one");
		if (o.fd >= 0)
			close(o.fd);
		return 1;
	}
	o.bytes = (uint64_t)st.st_size;
	d->s->image_fd = o.fd;
	lu_write_own(&d->w, XS_MIG_OWN_STORE, &o, sizeof(o));
	return 0;
}

static int
put_nodes(struct dump *d)
{
	struct node *n;
	unsigned i;

	if (d->s->ours && put_store_files(d) != 0)
		return -1;
	if (d->s->image && put_image(d) == 0)
		return 0;
	for (i = 0; i < 3; i++)
		if ((n = store_lookup(roots[i])) != NULL &&
		    store_walk(n, put_node, d) != 0) {
			d->why = "Dump write error";
			return -1;
		}
	return 0;
}

/* Hard quotas by Xen's names, soft ones as "soft-<name>". */
static void
fill_quotas(struct lu_quota *q, const struct quota_set *set, char *names)
{
	unsigned i;

	q->n = 0;
	for (i = 0; i < QUOTA_COUNT && q->n + 2 <= LU_QUOTAS_MAX; i++) {
		q->values[q->n] = set->hard[i];
		q->names[q->n++] = quota_name((enum quota_id)i);
		snprintf(names + 32 * i, 32, "soft-%s",
			 quota_name((enum quota_id)i));
		q->values[q->n] = set->soft[i];
		q->names[q->n++] = names + 32 * i;
	}
}

static void
put_domain(struct domain *dom, void *arg)
{
	struct dump *d = arg;
	struct lu_quota q;
	struct xs_mig_own_features f = {dom->domid, dom->features};
	char names[QUOTA_COUNT * 32];

	/* Domains seen only as owners of nodes have nothing of their own. */
	if (!dom->introduced && !dom->settings_set)
		return;
	fill_quotas(&q, &dom->quota, names);
	q.domid = dom->domid;
	q.features = dom->features;
	lu_write_domain(&d->w, &q);
	/* Version 1's DOMAIN has no room for them; put_ours is ours only. */
	lu_write_own(&d->w, XS_MIG_OWN_FEATURES, &f, sizeof(f));
}

/* What only our own binary reads. */
static void
put_ours(struct dump *d)
{
	struct xs_mig_global ro = {lu_config.hooks->listener_fd(true), -1};
	struct lu_quota q;
	char names[QUOTA_COUNT * 32];

	lu_write_own(&d->w, XS_MIG_OWN_SOCKET_RO, &ro, sizeof(ro));
	fill_quotas(&q, &quota_global, names);
	q.n_glob = 0;
	lu_write_quota(&d->w, &q);
	domain_foreach(put_domain, d);
}

static int
any_node(struct node *n, void *arg)
{
	(void)n;
	(void)arg;
	return 1;
}

int
lu_dump(const char *path, struct lu_session *s, struct conn *c,
	const struct msg *m, const char **why)
{
	struct dump d = {.s = s, .why = "Dump write error"};
	int fd, err = -1;
	FILE *f;

	/*
	 * A large RM still freeing its subtree owes watch events and the
	 * removals' records: the update waits for it to end (a few turns).
	 */
	if (store_walk_detached(any_node, NULL) != 0) {
		*why = "busy";
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	*why = "Dump state open error";
	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	d.ctx = talloc_new(NULL);
	d.node = d.ctx ? talloc(d.ctx, struct lu_node) : NULL;
	lu_write_start(&d.w, f, s->version);
	lu_write_global(&d.w, lu_config.hooks->listener_fd(false),
			hyp_available() ? hyp_fd() : -1);
	if (s->ours)
		put_ours(&d);
	if (d.node && put_conns(&d, c, m) == 0 && put_nodes(&d) == 0 &&
	    lu_write_end(&d.w) == 0)
		err = 0;
	if (fclose(f) != 0 && err == 0) {
		d.why = "Dump write error";
		err = -1;
	}
	*why = d.node == NULL ? "Allocation failure." : d.why;
	talloc_free(d.ctx);
	if (err)
		unlink(path);
	if (err && s->image_fd >= 0) {
		close(s->image_fd);
		s->image_fd = -1;
	}
	return err;
}
