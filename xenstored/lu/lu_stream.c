/* SPDX-License-Identifier: MIT */
/*
 * The migration stream's writer and reader (lu_stream.h).
 *
 * Worked example: a v1 stream with one socket connection and the node
 * "/" owned by dom0, value empty:
 *
 *   0   "xenstore" 00000001(BE) 00000000        preamble, 16 bytes
 *   16  type 1 len 8   | fd 3, evtchn -1          GLOBAL
 *   32  type 2 len 24  | id 1, socket, fd 7, no pending bytes
 *   64  type 5 len 24  | 0 0 path 2 value 0 access 0 perms 1 | 'n' 0 0 | "/\0"
 * pad 2 96  type 0 len 0                              END
 *
 * A record's len counts its padding, so a reader steps by 8 + len; the
 * reader works out where each body's data ends from the body's own
 * lengths and checks that against len.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>

#include "lu_stream.h"

static const uint8_t zeros[XS_MIG_ALIGN];

static size_t
padded(size_t n)
{
	return (n + XS_MIG_ALIGN - 1) & ~(size_t)(XS_MIG_ALIGN - 1);
}

static void
put(struct lu_writer *w, const void *p, size_t n)
{
	/* Unlocked: one thread, and a million nodes take six calls each. */
	if (!w->failed && n && fwrite_unlocked(p, 1, n, w->f) != n)
		w->failed = true;
}

/* A record from up to four pieces: header, then the pieces, padding. */
static void
record(struct lu_writer *w, uint32_t type, const void *a, size_t alen,
       const void *b, size_t blen, const void *c, size_t clen)
{
	size_t body = alen + blen + clen;
	struct xs_mig_record h = {type, (uint32_t)padded(body)};

	put(w, &h, sizeof(h));
	put(w, a, alen);
	put(w, b, blen);
	put(w, c, clen);
	put(w, zeros, padded(body) - body);
}

void
lu_write_start(struct lu_writer *w, FILE *f, unsigned version)
{
	struct xs_mig_preamble p;

	w->f = f;
	w->version = version;
	w->failed = false;
	memcpy(p.ident, XS_MIG_IDENT, XS_MIG_IDENT_LEN);
	p.version_be = htobe32(version);
	p.flags = __BYTE_ORDER == __BIG_ENDIAN ? XS_MIG_FLAG_BIG_ENDIAN : 0;
	put(w, &p, sizeof(p));
}

void
lu_write_global(struct lu_writer *w, int socket_fd, int evtchn_fd)
{
	struct xs_mig_global g = {socket_fd, evtchn_fd};

	record(w, XS_MIG_GLOBAL, &g, sizeof(g), NULL, 0, NULL, 0);
}

void
lu_write_conn(struct lu_writer *w, const struct lu_conn *c)
{
	struct xs_mig_conn h;

	memset(&h, 0, sizeof(h));
	h.conn_id = c->id;
	if (c->ring) {
		h.conn_type = XS_MIG_CONN_RING;
		h.spec.ring.domid = (uint16_t)c->domid;
		h.spec.ring.tdomid = (uint16_t)c->target;
		h.spec.ring.evtchn = c->port;
	} else {
		h.conn_type = XS_MIG_CONN_SOCKET;
		h.spec.socket.fd = c->fd;
	}
	h.in_len = (uint16_t)c->in_len;
	h.resp_len = (uint16_t)c->resp_len;
	h.out_len = (uint32_t)c->out_len;
	record(w, XS_MIG_CONNECTION, &h, sizeof(h), c->in, c->in_len, c->out,
	       c->out_len);
}

void
lu_write_watch(struct lu_writer *w, const struct lu_watch *wt)
{
	size_t plen = strlen(wt->path) + 1, tlen = strlen(wt->token) + 1;
	struct xs_mig_watch h = {wt->conn_id, (uint16_t)plen, (uint16_t)tlen};
	struct xs_mig_watch_ext x = {wt->conn_id, (uint16_t)plen,
				     (uint16_t)tlen, 0, 0};

	if (w->version < XS_MIG_VERSION_2 || wt->depth < 0) {
		record(w, XS_MIG_WATCH, &h, sizeof(h), wt->path, plen,
		       wt->token, tlen);
		return;
	}
	x.depth = (uint16_t)wt->depth;
	record(w, XS_MIG_WATCH_EXTENDED, &x, sizeof(x), wt->path, plen,
	       wt->token, tlen);
}

void
lu_write_node(struct lu_writer *w, const struct lu_node *n)
{
	size_t plen = strlen(n->path) + 1;
	struct xs_mig_node h = {0,
				0,
				(uint16_t)plen,
				(uint16_t)n->vlen,
				0,
				(uint16_t)n->nperms};
	struct xs_mig_perm p[LU_PERMS_MAX];
	size_t body;
	unsigned i;

	for (i = 0; i < n->nperms; i++) {
		p[i].type = (uint8_t)n->perms[i].type;
		p[i].flags = n->perms[i].ignore ? XS_MIG_PERM_IGNORE : 0;
		p[i].domid = (uint16_t)n->perms[i].domid;
	}
	/* The permissions and the path are one piece, the value another. */
	body = sizeof(h) + n->nperms * sizeof(p[0]) + plen + n->vlen;
	{
		struct xs_mig_record r = {XS_MIG_NODE, (uint32_t)padded(body)};

		put(w, &r, sizeof(r));
		put(w, &h, sizeof(h));
		put(w, p, n->nperms * sizeof(p[0]));
		put(w, n->path, plen);
		put(w, n->value, n->vlen);
		put(w, zeros, padded(body) - body);
	}
}

/* Values then names, after a header of hlen bytes. */
static void
quota_record(struct lu_writer *w, uint32_t type, const void *hdr, size_t hlen,
	     const struct lu_quota *q)
{
	size_t body = hlen + q->n * 4, i;
	struct xs_mig_record r;

	for (i = 0; i < q->n; i++)
		body += strlen(q->names[i]) + 1;
	r.type = type;
	r.len = (uint32_t)padded(body);
	put(w, &r, sizeof(r));
	put(w, hdr, hlen);
	put(w, q->values, q->n * 4);
	for (i = 0; i < q->n; i++)
		put(w, q->names[i], strlen(q->names[i]) + 1);
	put(w, zeros, padded(body) - body);
}

void
lu_write_quota(struct lu_writer *w, const struct lu_quota *q)
{
	struct xs_mig_quota h = {(uint16_t)(q->n - q->n_glob),
				 (uint16_t)q->n_glob};

	quota_record(w, XS_MIG_GLOBAL_QUOTA, &h, sizeof(h), q);
}

void
lu_write_domain(struct lu_writer *w, const struct lu_quota *q)
{
	struct xs_mig_domain h = {(uint16_t)q->domid, (uint16_t)q->n,
				  w->version >= XS_MIG_VERSION_2 ? q->features
								 : 0};

	quota_record(w, XS_MIG_DOMAIN, &h, sizeof(h), q);
}

void
lu_write_own(struct lu_writer *w, uint32_t type, const void *body, size_t len)
{
	record(w, type, body, len, NULL, 0, NULL, 0);
}

int
lu_write_end(struct lu_writer *w)
{
	record(w, XS_MIG_END, NULL, 0, NULL, 0, NULL, 0);
	if (fflush(w->f) != 0)
		w->failed = true;
	return w->failed ? -1 : 0;
}

/* --- reading --- */

struct cursor {
	const uint8_t *p;
	size_t len;
	const char *why;
	unsigned version; /* the stream's */
};

#define BAD(cur, text) ((cur)->why = (text), -1)

/* A string of n bytes (NUL included) at off of the body; NULL if not. */
static const char *
string_at(const uint8_t *body, size_t len, size_t off, size_t n)
{
	if (n == 0 || off > len || n > len - off || body[off + n - 1] != '\0' ||
	    memchr(body + off, '\0', n) != body + off + n - 1)
		return NULL;
	return (const char *)body + off;
}

static int
read_global(struct cursor *cur, const struct lu_visitor *v, void *arg)
{
	struct xs_mig_global g;

	if (cur->len < sizeof(g))
		return BAD(cur, "GLOBAL record too short");
	memcpy(&g, cur->p, sizeof(g));
	return v->global ? v->global(arg, g.socket_fd, g.evtchn_fd) : 0;
}

static int
read_conn(struct cursor *cur, const struct lu_visitor *v, void *arg)
{
	struct xs_mig_conn h;
	struct lu_conn c;

	if (cur->len < sizeof(h))
		return BAD(cur, "CONNECTION record too short");
	memcpy(&h, cur->p, sizeof(h));
	if (h.conn_id == 0 || h.conn_type > XS_MIG_CONN_SOCKET)
		return BAD(cur, "CONNECTION record malformed");
	if ((size_t)h.in_len + h.out_len > cur->len - sizeof(h) ||
	    h.resp_len > h.out_len)
		return BAD(cur, "CONNECTION data exceeds its record");
	memset(&c, 0, sizeof(c));
	c.id = h.conn_id;
	c.ring = h.conn_type == XS_MIG_CONN_RING;
	c.domid = h.spec.ring.domid;
	c.target = h.spec.ring.tdomid;
	c.port = h.spec.ring.evtchn;
	c.fd = c.ring ? -1 : h.spec.socket.fd;
	c.in = cur->p + sizeof(h);
	c.in_len = h.in_len;
	c.out = c.in + h.in_len;
	c.out_len = h.out_len;
	c.resp_len = h.resp_len;
	return v->conn ? v->conn(arg, &c) : 0;
}

/*
 * WATCH_EXTENDED's strings are at 12 by the specification, at 10 by
 * Xen's C struct, at 8 as newer Xen's writer puts them: the first place
 * where both strings end in their NUL wins.
 */
static int
read_watch(struct cursor *cur, const struct lu_visitor *v, void *arg,
	   bool extended)
{
	static const size_t offsets[] = {12, 10, 8};
	struct xs_mig_watch_ext h;
	struct lu_watch w;
	unsigned i;

	if (cur->len < sizeof(struct xs_mig_watch))
		return BAD(cur, "WATCH record too short");
	memset(&h, 0, sizeof(h));
	memcpy(&h, cur->p, extended && cur->len >= sizeof(h) ? sizeof(h) : 8);
	w.conn_id = h.conn_id;
	w.depth = extended && h.depth != XS_MIG_DEPTH_UNLIMITED ? h.depth : -1;
	for (i = extended ? 0 : 2; i < 3; i++) {
		w.path = string_at(cur->p, cur->len, offsets[i], h.path_len);
		w.token = string_at(cur->p, cur->len, offsets[i] + h.path_len,
				    h.token_len);
		if (w.path && w.token) {
			if (offsets[i] == 8) /* no room for a depth */
				w.depth = -1;
			return v->watch ? v->watch(arg, &w) : 0;
		}
	}
	return BAD(cur, "WATCH record's strings malformed");
}

static int
read_node(struct cursor *cur, const struct lu_visitor *v, void *arg,
	  struct lu_node *n)
{
	struct xs_mig_node h;
	struct xs_mig_perm p;
	size_t off;
	unsigned i;

	if (cur->len < sizeof(h))
		return BAD(cur, "NODE record too short");
	memcpy(&h, cur->p, sizeof(h));
	off = sizeof(h) + (size_t)h.perm_n * sizeof(p);
	if (h.perm_n > LU_PERMS_MAX || off > cur->len)
		return BAD(cur, "NODE permissions exceed its record");
	n->path = string_at(cur->p, cur->len, off, h.path_len);
	if (n->path == NULL || h.value_len > cur->len - off - h.path_len)
		return BAD(cur, "NODE path or value malformed");
	n->value = cur->p + off + h.path_len;
	n->vlen = h.value_len;
	n->nperms = h.perm_n;
	n->in_txn = h.conn_id != 0 || h.tx_id != 0;
	for (i = 0; i < h.perm_n; i++) {
		memcpy(&p, cur->p + sizeof(h) + i * sizeof(p), sizeof(p));
		if (!strchr("nrwb", p.type) || p.type == '\0')
			return BAD(cur, "NODE permission malformed");
		n->perms[i].type = (char)p.type;
		n->perms[i].ignore = p.flags & XS_MIG_PERM_IGNORE;
		n->perms[i].domid = p.domid;
	}
	return v->node ? v->node(arg, n) : 0;
}

/* n values at off, then n names; fills q. */
static int
read_quota_values(struct cursor *cur, size_t off, unsigned n,
		  struct lu_quota *q)
{
	unsigned i;
	const char *s;

	if (n > LU_QUOTAS_MAX || (size_t)n * 4 > cur->len - off)
		return BAD(cur, "quota record too long");
	q->n = n;
	memcpy(q->values, cur->p + off, (size_t)n * 4);
	off += (size_t)n * 4;
	for (i = 0; i < n; i++) {
		s = off < cur->len ? memchr(cur->p + off, '\0', cur->len - off)
				   : NULL;
		if (s == NULL)
			return BAD(cur, "quota name malformed");
		q->names[i] = (const char *)cur->p + off;
		off = (size_t)((const uint8_t *)s - cur->p) + 1;
	}
	return 0;
}

static int
read_quota(struct cursor *cur, const struct lu_visitor *v, void *arg,
	   bool domain)
{
	struct xs_mig_quota g;
	struct xs_mig_domain d;
	struct lu_quota q;

	memset(&q, 0, sizeof(q));
	if (domain) {
		if (cur->len < sizeof(d))
			return BAD(cur, "DOMAIN record too short");
		memcpy(&d, cur->p, sizeof(d));
		q.domid = d.domid;
		q.features = d.features;
		q.has_features = cur->version >= XS_MIG_VERSION_2;
		if (read_quota_values(cur, sizeof(d), d.n_quota, &q))
			return -1;
		return v->domain ? v->domain(arg, &q) : 0;
	}
	if (cur->len < sizeof(g))
		return BAD(cur, "GLOBAL_QUOTA record too short");
	memcpy(&g, cur->p, sizeof(g));
	q.n_glob = g.n_glob;
	if (read_quota_values(cur, sizeof(g), (unsigned)g.n_dom + g.n_glob, &q))
		return -1;
	return v->quota ? v->quota(arg, &q) : 0;
}

static int
read_record(struct cursor *cur, uint32_t type, const struct lu_visitor *v,
	    void *arg, struct lu_node *node)
{
	switch (type) {
	case XS_MIG_GLOBAL:
		return read_global(cur, v, arg);
	case XS_MIG_CONNECTION:
		return read_conn(cur, v, arg);
	case XS_MIG_WATCH:
	case XS_MIG_WATCH_EXTENDED:
		return read_watch(cur, v, arg, type == XS_MIG_WATCH_EXTENDED);
	case XS_MIG_NODE:
		return read_node(cur, v, arg, node);
	case XS_MIG_GLOBAL_QUOTA:
	case XS_MIG_DOMAIN:
		return read_quota(cur, v, arg, type == XS_MIG_DOMAIN);
	case XS_MIG_TRANSACTION: /* as Xen: open transactions are lost */
		return 0;
	default:
		return v->other ? v->other(arg, type, cur->p, cur->len) : 0;
	}
}

static int
check_preamble(const uint8_t *buf, size_t len, unsigned *version,
	       const char **why)
{
	struct xs_mig_preamble p;
	uint32_t ours =
		__BYTE_ORDER == __BIG_ENDIAN ? XS_MIG_FLAG_BIG_ENDIAN : 0;

	if (len < sizeof(p) || memcmp(buf, XS_MIG_IDENT, XS_MIG_IDENT_LEN)) {
		*why = "not a xenstore migration stream";
		return -1;
	}
	memcpy(&p, buf, sizeof(p));
	*version = be32toh(p.version_be);
	if (*version != XS_MIG_VERSION_1 && *version != XS_MIG_VERSION_2) {
		*why = "unknown stream version";
		return -1;
	}
	if (p.flags != ours) {
		*why = "stream in another byte order";
		return -1;
	}
	return 0;
}

int
lu_read(const void *buf, size_t len, const struct lu_visitor *v, void *arg,
	unsigned *version, const char **why)
{
	const uint8_t *b = buf;
	struct xs_mig_record h;
	struct cursor cur = {NULL, 0, NULL, 0};
	struct lu_node *node;
	size_t off = sizeof(struct xs_mig_preamble);
	unsigned ver;
	int r;

	*why = NULL;
	if (check_preamble(b, len, &ver, why))
		return -1;
	if (version)
		*version = ver;
	cur.version = ver;
	node = malloc(sizeof(*node));
	if (node == NULL) {
		*why = "out of memory";
		return -1;
	}
	for (;;) {
		/* Xen 4.17.7's streams were seen to stop without END. */
		if (off == len) {
			r = 0;
			break;
		}
		if (len - off < sizeof(h)) {
			r = BAD(&cur, "stream ends inside a record header");
			break;
		}
		memcpy(&h, b + off, sizeof(h));
		off += sizeof(h);
		if (h.len > len - off) {
			r = BAD(&cur, "record exceeds the stream");
			break;
		}
		if (h.type == XS_MIG_END) {
			r = 0;
			break;
		}
		cur.p = b + off;
		cur.len = h.len;
		if ((r = read_record(&cur, h.type, v, arg, node)) != 0)
			break;
		off += h.len;
	}
	free(node);
	if (r == -1 && cur.why)
		*why = cur.why;
	return r;
}
