/* SPDX-License-Identifier: MIT */
/*
 * Start and resynchronisation (agent.h).  At start, after a fence (the
 * lease expired: the pool thinks this host dead) and when the watch or
 * the stream cannot go on (etcd compacted past the watch; the daemon
 * dropped or lost stream groups), the agent:
 *
 *  1. waits for its publish and apply flows to go idle, stops the watch;
 *  2. gets a lease if it has none, puts P/hosts/<host>/alive on it;
 *  3. reads everything under P at one revision S: node values and their
 *     mod_revisions, owners, its own cursor;
 *  4. reads the stream's bounds and the groups it has not published:
 *     their paths are left alone by 5, since publishing them (after)
 *     decides them;
 *  5. in one local transaction, walks /pool and /vm and makes what is
 *     shared (/pool, other hosts' guests) equal to etcd at S; then puts
 *     into etcd what it owns (its guests' /vm/<uuid>) where etcd differs;
 *  6. watches from S + 1 and publishes from its cursor + 1.
 *
 * Step 5's transaction observed every node under /pool and /vm, so a
 * local commit there in the meantime makes it fail with EAGAIN, and the
 * agent goes back to 4.  A fenced host's unpublished groups are not
 * published: while it was fenced another host may have taken its guests
 * over; they are logged as lost and etcd's state wins, and once step 5
 * has undone them here, their held commits are told they lost
 * (publish_converged): EAGAIN, and the retry reads etcd's state.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

/* Local nodes under /pool and /vm, and the walk that finds them. */
struct walk {
	struct agent *a;
	uint32_t tx;
	struct change *v;
	size_t n, cap;
	unsigned pending; /* requests in flight */
	int err;
	/* step 3's snapshot */
	struct change *snap;
	size_t nsnap;
	int64_t rev;
	/* step 4: paths of unpublished groups */
	char **excl;
	size_t nexcl, capexcl;
	uint64_t seq, last;
	bool gap;
	bool fenced;  /* step 4 reads the groups a fence keeps out */
	bool changed; /* the converging transaction changed something */
	bool join;    /* the host never published: it brings its /pool */
	unsigned tries;
};

static struct walk *w_cur;

static void step_lease(struct agent *a);
static void step_snapshot(struct agent *a);
static void step_bounds(struct walk *w);
static void step_walk(struct walk *w);
static void finish_sync(struct walk *w);
static void finish_sync_run(struct walk *w);

/* Written by this host only: /vm/<uuid> of a guest it owns. */
static bool
is_mine(struct agent *a, const char *path)
{
	char *u = vm_uuid(path);
	bool mine = u != NULL && agent_owns(a, path);

	free(u);
	return mine;
}

static void
fatal_cb(struct agent *a, const char *what, int err, const char *msg)
{
	agent_log("%s: %s", what, msg ? msg : strerror(err));
	(void)a;
	exit(1);
}

static void
later(struct agent *a, void (*fn)(evutil_socket_t, short, void *), int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	event_base_once(a->base, -1, EV_TIMEOUT, fn, a, &tv);
}

static void
walk_free(struct walk *w)
{
	size_t i;

	if (w == NULL)
		return;
	changes_free(w->v, w->n);
	changes_free(w->snap, w->nsnap);
	for (i = 0; i < w->nexcl; i++)
		free(w->excl[i]);
	free(w->excl);
	free(w);
	if (w_cur == w)
		w_cur = NULL;
}

/* --- 1 --- */

static void
sync_begin_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;

	(void)fd;
	(void)what;
	if (a->pub_busy || a->apply_busy || w_cur) {
		later(a, sync_begin_cb, 20);
		return;
	}
	apply_stop(a);
	publish_reset(a);
	step_lease(a);
}

void
sync_resync(struct agent *a, const char *why)
{
	if (a->phase == PH_SYNC || a->phase == PH_STOP)
		return;
	agent_log("resynchronising: %s", why);
	a->phase = PH_SYNC;
	later(a, sync_begin_cb, 0);
}

void
sync_fenced(struct agent *a, const char *why)
{
	if (a->phase == PH_STOP || a->lease == 0)
		return;
	agent_log("fenced: %s; unpublished local changes will not be "
		  "published",
		  why);
	a->fenced = true;
	a->lease = 0;
	evtimer_del(a->keepalive);
	if (a->phase == PH_SYNC)
		a->resync_again = true; /* this one has the old lease */
	else
		sync_resync(a, "fenced");
}

/* --- 2: lease and liveness --- */

static void keepalive_cb(evutil_socket_t fd, short what, void *arg);

static void
keepalive_done(void *arg, int err, yajl_val json, const char *msg)
{
	struct agent *a = arg;
	yajl_val r = etcd_get(json, "result");
	struct timeval tv = {a->ttl / 3, 0};

	if (a->lease == 0)
		return; /* fenced meanwhile: a new lease comes */
	if (err) {
		agent_log("lease keepalive: %s", msg);
	} else if (etcd_int(r, "TTL") <= 0) {
		sync_fenced(a, "the lease expired");
		return;
	}
	evtimer_add(a->keepalive, &tv);
}

static void
keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;
	char body[64];

	(void)fd;
	(void)what;
	if (a->lease == 0)
		return;
	snprintf(body, sizeof(body), "{\"ID\":\"%lld\"}", (long long)a->lease);
	if (etcd_call(a->etcd, "/v3/lease/keepalive", body, keepalive_done,
		      a) != 0)
		fatal_cb(a, "keepalive", ENOMEM, NULL);
}

static void
lease_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	step_lease(arg);
}

static void
alive_done(void *arg, int err, yajl_val json, const char *msg)
{
	struct agent *a = arg;

	(void)json;
	if (err) {
		agent_log("putting %s: %s (retrying)", a->alive_key, msg);
		later(a, lease_retry_cb, 500);
		return;
	}
	{
		struct timeval tv = {a->ttl / 3, 0};

		evtimer_add(a->keepalive, &tv);
	}
	step_snapshot(a);
}

static void
lease_done(void *arg, int err, yajl_val json, const char *msg)
{
	struct agent *a = arg;
	yajl_gen g;
	char *body;

	if (err) {
		agent_log("lease grant at %s: %s (retrying)",
			  etcd_endpoint(a->etcd), msg);
		later(a, lease_retry_cb, 500);
		return;
	}
	a->lease = etcd_int(json, "ID");
	g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, a->alive_key, strlen(a->alive_key));
	j_key(g, "value");
	j_b64(g, a->host, strlen(a->host));
	j_key(g, "lease");
	j_int(g, a->lease);
	yajl_gen_map_close(g);
	body = j_done(g);
	if (etcd_call(a->etcd, "/v3/kv/put", body, alive_done, a) != 0)
		fatal_cb(a, "put", ENOMEM, NULL);
	free(body);
}

static void
step_lease(struct agent *a)
{
	char body[64];

	if (a->lease) {
		step_snapshot(a);
		return;
	}
	evtimer_del(a->keepalive);
	snprintf(body, sizeof(body), "{\"TTL\":\"%ld\"}", a->ttl);
	if (etcd_call(a->etcd, "/v3/lease/grant", body, lease_done, a) != 0)
		fatal_cb(a, "lease", ENOMEM, NULL);
}

/* --- 3: the snapshot --- */

static void
snap_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	step_snapshot(arg);
}

static void
snapshot_done(void *arg, int err, yajl_val json, const char *msg)
{
	struct agent *a = arg;
	yajl_val kvs = etcd_get(json, "kvs");
	struct walk *w;
	size_t i, n = kvs && YAJL_IS_ARRAY(kvs) ? kvs->u.array.len : 0;
	size_t l = strlen(a->owner_pfx);

	if (err) {
		agent_log("reading the pool from %s: %s (retrying)",
			  etcd_endpoint(a->etcd), msg);
		later(a, snap_retry_cb, 500);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->snap = calloc(n + 1, sizeof(*w->snap))) == NULL)
		fatal_cb(a, "snapshot", ENOMEM, NULL);
	w->a = a;
	w->rev = etcd_int(etcd_get(json, "header"), "revision");
	kmap_clear(&a->kmod);
	kmap_clear(&a->owners);
	migrate_snapshot_begin(a);
	/* The pool's hosts and owners, as the snapshot has them. */
	xsc_sendv(a->xs, XS_RM, 0, NULL, NULL, "/tool/pool/hosts", NULL);
	xsc_sendv(a->xs, XS_RM, 0, NULL, NULL, "/tool/pool/owner", NULL);
	xsc_write(a->xs, 0, "/tool/pool/host", a->host, strlen(a->host), NULL,
		  NULL);
	a->cursor = 0;
	a->cursor_mod = 0;
	for (i = 0; i < n; i++) {
		yajl_val kv = kvs->u.array.values[i];
		size_t klen, vlen;
		char *key = etcd_unb64(etcd_str(kv, "key"), &klen);
		char *val = etcd_unb64(etcd_str(kv, "value"), &vlen);
		int64_t mod = etcd_int(kv, "mod_revision");
		const char *path;

		if (key == NULL || val == NULL) {
			free(key);
			free(val);
			continue;
		}
		if ((path = key_path(a, key)) != NULL) {
			kmap_set(&a->kmod, path, mod, NULL);
			w->snap[w->nsnap].path = strdup(path);
			w->snap[w->nsnap].value = val;
			w->snap[w->nsnap].vlen = vlen;
			w->nsnap++;
			val = NULL;
		} else if (strncmp(key, a->owner_pfx, l) == 0) {
			agent_owner(a, key + l, val);
		} else if (strcmp(key, a->cursor_key) == 0) {
			a->cursor = strtoull(val, NULL, 10);
			a->cursor_mod = mod;
		} else if (!migrate_snapshot(a, key, val)) {
			agent_host_key(a, key, true);
		}
		free(key);
		free(val);
	}
	migrate_snapshot_end(a);
	w->join = a->cursor_mod == 0;
	w_cur = w;
	step_bounds(w);
}

static void
step_snapshot(struct agent *a)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *body, *pfx;

	/* Everything under P/: data, owners and hosts. */
	pfx = malloc(strlen(a->prefix) + 2);
	strcpy(pfx, a->prefix);
	strcat(pfx, "/");
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, pfx, strlen(pfx));
	j_key(g, "range_end");
	j_range_end(g, pfx);
	yajl_gen_map_close(g);
	body = j_done(g);
	free(pfx);
	if (etcd_call(a->etcd, "/v3/kv/range", body, snapshot_done, a) != 0)
		fatal_cb(a, "range", ENOMEM, NULL);
	free(body);
}

/* --- 4: the stream's unpublished groups --- */

static void
add_excl(struct walk *w, const char *path)
{
	if (w->nexcl == w->capexcl) {
		w->capexcl = w->capexcl ? 2 * w->capexcl : 64;
		w->excl = realloc(w->excl, w->capexcl * sizeof(*w->excl));
		if (w->excl == NULL)
			fatal_cb(w->a, "sync", ENOMEM, NULL);
	}
	w->excl[w->nexcl++] = strdup(path);
}

static bool
excluded(const struct walk *w, const char *path)
{
	size_t i;

	for (i = 0; i < w->nexcl; i++)
		if (strcmp(w->excl[i], path) == 0)
			return true;
	return false;
}

static void read_next(struct walk *w);

/* Parse one page of "stream read" into g; returns 1 when whole. */
int publish_parse_page(struct group *g, const char *data, size_t len,
		       uint64_t *i, uint64_t *off);

static void
group_page_done(void *arg, int err, const char *data, size_t len)
{
	struct walk *w = arg;
	static struct group *g;
	uint64_t i = 0, off = 0;
	char s[24], si[24], so[24];
	int r;

	if (err == ENOSPC) {
		/* Dropped: converge decides for them. */
		w->gap = !w->fenced;
		w->seq++;
		read_next(w);
		return;
	}
	if (err) {
		fatal_cb(w->a, "reading the change stream", err, NULL);
		return;
	}
	if (g == NULL)
		g = calloc(1, sizeof(*g));
	r = publish_parse_page(g, data, len, &i, &off);
	if (r < 0)
		fatal_cb(w->a, "the change stream", EPROTO, NULL);
	if (r == 0) {
		snprintf(s, sizeof(s), "%llu", (unsigned long long)w->seq);
		snprintf(si, sizeof(si), "%llu", (unsigned long long)i);
		snprintf(so, sizeof(so), "%llu", (unsigned long long)off);
		xsc_sendv(w->a->xs, XS_CONTROL, 0, group_page_done, w, "stream",
			  "read", s, si, so, NULL);
		return;
	}
	if (w->fenced) {
		if (!g->agent)
			migrate_fenced(w->a, g);
	} else {
		if (g->lost)
			w->gap = true;
		if (!g->agent)
			for (i = 0; i < g->n; i++)
				add_excl(w, g->v[i].path);
	}
	group_free(g);
	g = NULL;
	w->seq++;
	read_next(w);
}

static void
read_next(struct walk *w)
{
	char s[24];

	if (w->seq > w->last) {
		step_walk(w);
		return;
	}
	snprintf(s, sizeof(s), "%llu", (unsigned long long)w->seq);
	xsc_sendv(w->a->xs, XS_CONTROL, 0, group_page_done, w, "stream", "read",
		  s, NULL);
}

static void
bounds_done(void *arg, int err, const char *data, size_t len)
{
	struct walk *w = arg;
	struct agent *a = w->a;
	unsigned long long f = 0, l = 0;
	size_t i;

	(void)len;
	if (err || sscanf(data, "%llu %llu", &f, &l) != 2) {
		fatal_cb(a, "stream bounds", err ? err : EPROTO, NULL);
		return;
	}
	for (i = 0; i < w->nexcl; i++)
		free(w->excl[i]);
	w->nexcl = 0;
	w->gap = false;
	w->fenced = false;
	a->old_last = l;
	a->cursor_reset = false;
	if (a->fenced) {
		/* Nothing before the fence is published. */
		if (l > a->cursor) {
			a->lost += l - a->cursor;
			if (a->unpub_last == 0)
				a->unpub_first = a->cursor + 1;
			a->unpub_last = l;
		}
		a->next_seq = l + 1;
		a->cursor_reset = true;
		/* Read only for the migration requests among them. */
		w->seq = a->cursor + 1 > f ? a->cursor + 1 : f;
		w->last = l;
		w->fenced = true;
		read_next(w);
		return;
	}
	if (a->cursor > l) {
		agent_log("etcd's cursor %llu is past the stream's last "
			  "group %llu (the daemon's files were reset?): "
			  "converging",
			  (unsigned long long)a->cursor, l);
		a->next_seq = l + 1;
		a->cursor_reset = true;
		w->gap = true;
	} else if (f && a->cursor + 1 < f) {
		agent_log("stream groups %llu-%llu are gone: converging",
			  (unsigned long long)a->cursor + 1, f - 1);
		a->next_seq = f;
		a->cursor_reset = true;
		w->gap = true;
	} else {
		a->next_seq = a->cursor + 1;
	}
	/*
	 * A host that joins gets its cursor key now, published groups or
	 * not: it has the pool's state from here on, so the next sync must
	 * remove what the pool removed meanwhile, not bring it back.
	 */
	if (w->join)
		a->cursor_reset = true;
	w->seq = a->next_seq;
	w->last = l;
	read_next(w);
}

static void
step_bounds(struct walk *w)
{
	xsc_sendv(w->a->xs, XS_CONTROL, 0, bounds_done, w, "stream", "bounds",
		  NULL);
}

/* --- 5: walk the local tree in a transaction, converge --- */

static void walk_dir(struct walk *w, const char *path);

struct wreq {
	struct walk *w;
	char *path;
};

static void
walk_read_done(void *arg, int err, const char *data, size_t len)
{
	struct wreq *r = arg;
	struct walk *w = r->w;

	w->pending--;
	if (err && err != ENOENT && !w->err)
		w->err = err;
	if (!err) {
		if (w->n == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 256;
			w->v = realloc(w->v, w->cap * sizeof(*w->v));
			if (w->v == NULL)
				fatal_cb(w->a, "walk", ENOMEM, NULL);
		}
		w->v[w->n].path = r->path;
		w->v[w->n].value = malloc(len + 1);
		memcpy(w->v[w->n].value, data, len);
		w->v[w->n].value[len] = '\0';
		w->v[w->n].vlen = len;
		w->v[w->n].removed = false;
		w->n++;
		r->path = NULL;
	}
	free(r->path);
	free(r);
	if (w->pending == 0)
		finish_sync(w);
}

static void
walk_dir_done(void *arg, int err, const char *data, size_t len)
{
	struct wreq *r = arg;
	struct walk *w = r->w;
	const char *p;
	char child[4096];

	w->pending--;
	if (err && err != ENOENT && !w->err)
		w->err = err;
	if (!err)
		for (p = data; p < data + len && *p; p += strlen(p) + 1) {
			snprintf(child, sizeof(child), "%s/%s", r->path, p);
			walk_dir(w, child);
		}
	free(r->path);
	free(r);
	if (w->pending == 0)
		finish_sync(w);
}

static void
walk_dir(struct walk *w, const char *path)
{
	struct wreq *r1 = calloc(1, sizeof(*r1)), *r2 = calloc(1, sizeof(*r2));

	r1->w = r2->w = w;
	r1->path = strdup(path);
	r2->path = strdup(path);
	w->pending += 2;
	xsc_sendv(w->a->xs, XS_READ, w->tx, walk_read_done, r1, path, NULL);
	xsc_sendv(w->a->xs, XS_DIRECTORY, w->tx, walk_dir_done, r2, path, NULL);
}

static void
txn_started(void *arg, int err, const char *data, size_t len)
{
	struct walk *w = arg;

	(void)len;
	if (err)
		fatal_cb(w->a, "transaction start", err, NULL);
	w->tx = (uint32_t)strtoul(data, NULL, 10);
	changes_free(w->v, w->n);
	w->v = NULL;
	w->n = w->cap = 0;
	w->err = 0;
	walk_dir(w, "/pool");
	walk_dir(w, "/vm");
}

static void
step_walk(struct walk *w)
{
	xsc_sendv(w->a->xs, XS_TRANSACTION_START, 0, txn_started, w, "", NULL);
}

static int
by_path(const void *x, const void *y)
{
	return strcmp(((const struct change *)x)->path,
		      ((const struct change *)y)->path);
}

static struct change *
find(struct change *v, size_t n, const char *path)
{
	struct change k = {.path = (char *)(uintptr_t)path};

	return n ? bsearch(&k, v, n, sizeof(*v), by_path) : NULL;
}

/* Whether some key of the snapshot lies below path. */
static bool
has_below(struct walk *w, const char *path)
{
	size_t l = strlen(path), lo = 0, hi = w->nsnap;

	/* The first snapshot path >= path + "/". */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(w->snap[mid].path, path) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nsnap && strncmp(w->snap[lo].path, path, l) == 0 &&
	       w->snap[lo].path[l] == '/';
}

static void txn_ended(void *arg, int err, const char *data, size_t len);

/* etcd := local for this host's guests; one txn per batch of keys. */
static void publish_mine(struct walk *w);

static void
local_op_done(void *arg, int err, const char *data, size_t len)
{
	(void)data;
	(void)len;
	if (err && err != ENOENT)
		agent_log("converging: a local change failed: %s",
			  strerror(err));
	(void)arg;
}

static void
finish_sync(struct walk *w)
{
	struct agent *a = w->a;
	size_t i, changes = 0;
	struct change *c;

	if (w->err) {
		agent_log("walking the local tree: %s", strerror(w->err));
		xsc_sendv(a->xs, XS_TRANSACTION_END, w->tx, NULL, NULL, "F",
			  NULL);
		step_walk(w);
		return;
	}
	if (w->n)
		qsort(w->v, w->n, sizeof(*w->v), by_path);
	/* Shared: local := etcd. */
	for (i = 0; i < w->nsnap; i++) {
		c = &w->snap[i];
		if (is_mine(a, c->path))
			continue;
		if (excluded(w, c->path))
			continue;
		struct change *l = find(w->v, w->n, c->path);

		if (l && l->vlen == c->vlen &&
		    memcmp(l->value, c->value, c->vlen) == 0)
			continue;
		{
			char buf[XENSTORE_PAYLOAD_MAX];
			size_t pl = strlen(c->path) + 1;

			if (pl + c->vlen > sizeof(buf)) {
				agent_log("converging: %s is too large for "
					  "xenstore (%zu bytes): skipped",
					  c->path, c->vlen);
				continue;
			}
			memcpy(buf, c->path, pl);
			memcpy(buf + pl, c->value, c->vlen);
			xsc_send(a->xs, XS_WRITE, w->tx, buf, pl + c->vlen,
				 local_op_done, NULL);
			changes++;
		}
	}
	for (i = 0; i < w->n; i++) {
		c = &w->v[i];
		if (is_mine(a, c->path))
			continue;
		if (excluded(w, c->path) || find(w->snap, w->nsnap, c->path) ||
		    has_below(w, c->path))
			continue;
		if (w->join)
			continue; /* joining: published, not removed */
		/* /pool and /vm themselves stay. */
		if (strcmp(c->path, "/pool") == 0 ||
		    strcmp(c->path, "/vm") == 0)
			continue;
		xsc_sendv(a->xs, XS_RM, w->tx, local_op_done, NULL, c->path,
			  NULL);
		changes++;
	}
	if (changes)
		agent_log("converging: %zu local changes to match etcd at "
			  "revision %lld",
			  changes, (long long)w->rev);
	w->changed = changes > 0;
	xsc_sendv(a->xs, XS_TRANSACTION_END, w->tx, txn_ended, w, "T", NULL);
}

static void
txn_ended(void *arg, int err, const char *data, size_t len)
{
	struct walk *w = arg;
	struct agent *a = w->a;

	(void)data;
	(void)len;
	if (err == EAGAIN) {
		/* A local commit under /pool or /vm meanwhile: again. */
		if (++w->tries % 100 == 0)
			agent_log("converging: %u conflicts so far", w->tries);
		step_bounds(w);
		return;
	}
	if (err)
		fatal_cb(a, "converging the local tree", err, NULL);
	if (w->changed) {
		/* Its stream group is the agent's: nothing to publish. */
		struct kupd *k = calloc(1, sizeof(*k));

		k->rev = w->rev;
		STAILQ_INSERT_TAIL(&a->kupds, k, link);
	}
	publish_mine(w);
}

/* --- etcd := local for this host's guests --- */

struct mine {
	struct walk *w;
	size_t i; /* next local node */
	size_t j; /* next snapshot key (for deletions) */
};

static void mine_batch(struct mine *m);

static void
mine_done(void *arg, int err, yajl_val json, const char *msg)
{
	struct mine *m = arg;
	struct agent *a = m->w->a;

	if (err) {
		agent_log("publishing this host's guests: %s", msg);
		if (err == EACCES || err == E2BIG || err == EREMOTEIO) {
			/* Not a passing failure: go on without it. */
		} else {
			mine_batch(m);
			return;
		}
	} else if (!etcd_bool(json, "succeeded")) {
		sync_fenced(a, "the lease is gone");
		finish_sync_run(m->w); /* which starts over */
		free(m);
		return;
	} else {
		/* Its revision comes back on the watch: sync_key says ours. */
	}
	mine_batch(m);
}

/* Up to 100 operations a transaction: etcd's limit is 128. */
#define BATCH 100

static void
mine_batch(struct mine *m)
{
	struct walk *w = m->w;
	struct agent *a = w->a;
	yajl_gen g;
	unsigned ops = 0;
	char *body, *k, *u;
	struct change *c, *s;
	int64_t lease = a->lease;

	g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	j_key(g, "compare");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, a->alive_key, strlen(a->alive_key));
	j_key(g, "target");
	j_str(g, "LEASE");
	j_key(g, "result");
	j_str(g, "EQUAL");
	j_key(g, "lease");
	j_int(g, lease);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	j_key(g, "success");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	j_key(g, "request_put");
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, a->sync_key, strlen(a->sync_key));
	j_key(g, "value");
	j_b64(g, a->host, strlen(a->host));
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	for (; m->i < w->n && ops < BATCH; m->i++) {
		c = &w->v[m->i];
		if (excluded(w, c->path))
			continue;
		if ((u = vm_uuid(c->path)) == NULL || !agent_owns(a, c->path)) {
			/* Shared: only what a joining host brings along. */
			if (!w->join || find(w->snap, w->nsnap, c->path)) {
				free(u);
				continue;
			}
		}
		if (u && kmap_get(&a->owners, u) == NULL) {
			/* Claimed: the first host to publish it owns it. */
			char *ok = malloc(strlen(a->owner_pfx) + strlen(u) + 1);

			strcpy(ok, a->owner_pfx);
			strcat(ok, u);
			yajl_gen_map_open(g);
			j_key(g, "request_put");
			yajl_gen_map_open(g);
			j_key(g, "key");
			j_b64(g, ok, strlen(ok));
			j_key(g, "value");
			j_b64(g, a->host, strlen(a->host));
			yajl_gen_map_close(g);
			yajl_gen_map_close(g);
			agent_owner(a, u, a->host);
			free(ok);
			ops++;
		}
		free(u);
		s = find(w->snap, w->nsnap, c->path);
		if (s && s->vlen == c->vlen &&
		    memcmp(s->value, c->value, c->vlen) == 0)
			continue;
		k = data_key(a, c->path);
		yajl_gen_map_open(g);
		j_key(g, "request_put");
		yajl_gen_map_open(g);
		j_key(g, "key");
		j_b64(g, k, strlen(k));
		j_key(g, "value");
		j_b64(g, c->value, c->vlen);
		yajl_gen_map_close(g);
		yajl_gen_map_close(g);
		free(k);
		ops++;
	}
	for (; m->i >= w->n && m->j < w->nsnap && ops < BATCH; m->j++) {
		s = &w->snap[m->j];
		if ((u = vm_uuid(s->path)) == NULL)
			continue;
		free(u);
		if (!agent_owns(a, s->path) || excluded(w, s->path) ||
		    find(w->v, w->n, s->path))
			continue;
		k = data_key(a, s->path);
		yajl_gen_map_open(g);
		j_key(g, "request_delete_range");
		yajl_gen_map_open(g);
		j_key(g, "key");
		j_b64(g, k, strlen(k));
		yajl_gen_map_close(g);
		yajl_gen_map_close(g);
		free(k);
		ops++;
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	body = j_done(g);
	if (ops == 0) {
		free(body);
		finish_sync_run(w);
		free(m);
		return;
	}
	if (etcd_call(a->etcd, "/v3/kv/txn", body, mine_done, m) != 0)
		fatal_cb(a, "txn", ENOMEM, NULL);
	free(body);
}

static void
publish_mine(struct walk *w)
{
	struct mine *m = calloc(1, sizeof(*m));

	m->w = w;
	mine_batch(m);
}

/* --- 6 --- */

static void
finish_sync_run(struct walk *w)
{
	struct agent *a = w->a;
	int64_t rev = w->rev;

	if (w->gap)
		agent_log("converged with etcd at revision %lld after a gap "
			  "in the stream",
			  (long long)rev);
	walk_free(w);
	a->phase = PH_RUN;
	a->fenced = false;
	if (a->resync_again) {
		a->resync_again = false;
		sync_resync(a, "fenced while synchronising");
		return;
	}
	apply_watch(a, rev + 1);
	publish_converged(a);
	publish_kick(a);
}

/* --- start --- */

static void
xs_event(void *arg, const char *path, const char *token)
{
	(void)path;
	(void)token;
	publish_kick(arg);
}

static void
xs_lost(void *arg)
{
	(void)arg;
	agent_log("the connection to xenstored is gone");
	exit(1);
}

static void
registered(void *arg, int err, const char *data, size_t len)
{
	struct agent *a = arg;

	(void)data;
	(void)len;
	if (err)
		fatal_cb(a, "registering for the change stream", err,
			 err == EBUSY	 ? "another agent follows this host's "
					   "stream"
			 : err == ENOSYS ? "xenstored keeps no stream (no "
					   "database?)"
					 : NULL);
	xsc_sendv(a->xs, XS_WATCH, 0, NULL, NULL, "/pool", "pool-agent", NULL);
	xsc_sendv(a->xs, XS_WATCH, 0, NULL, NULL, "/vm", "pool-agent", NULL);
	xsc_sendv(a->xs, XS_WATCH, 0, NULL, NULL, MIG_PREFIX, "pool-agent",
		  NULL);
	a->phase = PH_RUN;
	sync_resync(a, "starting");
}

static char *
join(const char *a, const char *b, const char *c)
{
	char *s = malloc(strlen(a) + strlen(b) + strlen(c) + 1);

	strcpy(s, a);
	strcat(s, b);
	strcat(s, c);
	return s;
}

void
sync_start(struct agent *a)
{
	a->data_pfx = join(a->prefix, "/data", "");
	a->owner_pfx = join(a->prefix, "/owner/", "");
	a->hosts_pfx = join(a->prefix, "/hosts/", "");
	a->cursor_key = join(a->hosts_pfx, a->host, "/cursor");
	a->alive_key = join(a->hosts_pfx, a->host, "/alive");
	a->own_pfx = join(a->hosts_pfx, a->host, "/");
	a->sync_key = join(a->hosts_pfx, a->host, "/sync");
	a->migrate_pfx = join(a->prefix, "/migrate/", "");
	a->migdone_pfx = join(a->prefix, "/migrate-done/", "");
	a->cancel_pfx = join(a->prefix, "/migrate-cancel/", "");
	a->keepalive = evtimer_new(a->base, keepalive_cb, a);
	a->xs = xsc_open(a->base, a->socket, xs_event, xs_lost, a);
	if (a->xs == NULL)
		fatal_cb(a, a->socket, errno, NULL);
	xsc_sendv(a->xs, XS_CONTROL, 0, registered, a, "stream", "register",
		  "/pool", "/vm", MIG_PREFIX, NULL);
	/* /pool's commits wait for our verdict (publish.c); /vm's are ours. */
	xsc_sendv(a->xs, XS_CONTROL, 0, NULL, NULL, "stream", "hold", "/pool",
		  NULL);
}
