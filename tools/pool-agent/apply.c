/* SPDX-License-Identifier: MIT */
/*
 * etcd to the local tree (agent.h): one watch on everything under P,
 * from the revision after the snapshot; each revision that changed node
 * keys becomes one local transaction (one WRITE or RM per key), applied
 * in revision order, one at a time.  Revisions this agent made itself
 * (is_own) are skipped: the local tree already has them.  Owner keys
 * update the owners map; the hosts' keys are not the tree's.
 *
 * The daemon marks the agent's transactions in its change stream, so the
 * publisher does not send them back; what it learns from them (the
 * revision each key is now at, locally) waits in kupds until the
 * publisher meets their group (publish.c says why).
 *
 * A watch that ends (the member died, the connection broke) is opened
 * again from the last revision received, on the next endpoint; one that
 * etcd cancels because the revision was compacted means a snapshot
 * (sync_resync).
 */
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static void apply_next(struct agent *a);

/*
 * Whether the revision is one this agent made: each of its transactions
 * puts a key of its own host (the cursor, or P/hosts/<host>/sync), and
 * a revision is one transaction.  The watch may well deliver it before
 * the transaction's own reply arrives, so the reply cannot tell.
 */
static bool
is_own(struct agent *a, yajl_val evs, size_t from, size_t to)
{
	size_t i, klen, l = strlen(a->own_pfx);
	bool mine = false;

	for (i = from; i < to && !mine; i++) {
		yajl_val ev = evs->u.array.values[i];
		char *key;

		if (strcmp(etcd_str(ev, "type"), "DELETE") == 0)
			continue; /* the lease expiring is not ours */
		key = etcd_unb64(etcd_str(etcd_get(ev, "kv"), "key"), &klen);
		mine = key && strncmp(key, a->own_pfx, l) == 0;
		free(key);
	}
	return mine;
}

static void
rev_free(struct rev *r)
{
	changes_free(r->v, r->n);
	free(r->note_path);
	free(r->note_value);
	free(r);
}

void
apply_stop(struct agent *a)
{
	struct rev *r;

	etcd_watch_cancel(a->watch);
	a->watch = NULL;
	if (a->rewatch)
		evtimer_del(a->rewatch);
	while ((r = STAILQ_FIRST(&a->revs)) != NULL) {
		STAILQ_REMOVE_HEAD(&a->revs, link);
		rev_free(r);
	}
}

/* Queue the events of one revision (events[from, to)). */
static void
queue_rev(struct agent *a, yajl_val evs, size_t from, size_t to, int64_t rev)
{
	size_t i, l = strlen(a->owner_pfx), lm = strlen(a->migrate_pfx),
		  ld = strlen(a->migdone_pfx);
	struct rev *r;

	if (rev <= a->applied)
		return; /* seen before a rewatch */
	a->applied = rev;
	if (is_own(a, evs, from, to))
		return;
	r = calloc(1, sizeof(*r));
	r->v = calloc(to - from, sizeof(*r->v));
	if (r == NULL || r->v == NULL)
		exit(1);
	r->rev = rev;
	for (i = from; i < to; i++) {
		yajl_val ev = evs->u.array.values[i];
		yajl_val kv = etcd_get(ev, "kv");
		bool del = strcmp(etcd_str(ev, "type"), "DELETE") == 0;
		size_t klen, vlen = 0;
		char *key = etcd_unb64(etcd_str(kv, "key"), &klen);
		char *val =
			del ? NULL : etcd_unb64(etcd_str(kv, "value"), &vlen);
		const char *path;

		if (key == NULL)
			continue;
		if ((path = key_path(a, key)) != NULL && agent_shared(path)) {
			r->v[r->n].path = strdup(path);
			r->v[r->n].value = val;
			r->v[r->n].vlen = vlen;
			r->v[r->n].removed = del;
			r->n++;
			val = NULL;
		} else if (strncmp(key, a->owner_pfx, l) == 0) {
			agent_owner(a, key + l, del ? NULL : val);
		} else if (strncmp(key, a->migrate_pfx, lm) == 0 ||
			   strncmp(key, a->migdone_pfx, ld) == 0) {
			migrate_watched(a, key, val, del, r);
		} else {
			agent_host_key(a, key, !del);
		}
		free(key);
		free(val);
	}
	if (r->n == 0 && r->note_path == NULL) {
		rev_free(r);
		return;
	}
	STAILQ_INSERT_TAIL(&a->revs, r, link);
}

static void
watch_msg(void *arg, yajl_val res)
{
	struct agent *a = arg;
	yajl_val evs = etcd_get(res, "events");
	size_t i, start, n;
	int64_t rev, r2;

	if (etcd_bool(res, "canceled")) {
		char why[128];

		snprintf(why, sizeof(why),
			 "etcd compacted the pool's history to revision %lld",
			 (long long)etcd_int(res, "compact_revision"));
		if (etcd_int(res, "compact_revision") == 0)
			snprintf(why, sizeof(why),
				 "etcd cancelled the watch: %s",
				 etcd_str(res, "cancel_reason"));
		/* Not from inside the watch's own callback. */
		sync_resync(a, why);
		return;
	}
	if (!evs || !YAJL_IS_ARRAY(evs))
		return;
	n = evs->u.array.len;
	for (start = 0; start < n; start = i) {
		rev = etcd_int(etcd_get(evs->u.array.values[start], "kv"),
			       "mod_revision");
		for (i = start + 1; i < n; i++) {
			r2 = etcd_int(etcd_get(evs->u.array.values[i], "kv"),
				      "mod_revision");
			if (r2 != rev)
				break;
		}
		queue_rev(a, evs, start, i, rev);
	}
	apply_next(a);
	publish_verdicts(a); /* our own revisions need no applying */
}

static void
rewatch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;

	(void)fd;
	(void)what;
	if (a->phase == PH_RUN && a->watch == NULL)
		apply_watch(a, a->applied + 1);
}

static void
watch_end(void *arg, int err, const char *msg)
{
	struct agent *a = arg;
	struct timeval tv = {0, 200000};

	(void)err;
	a->watch = NULL;
	if (a->phase != PH_RUN)
		return;
	agent_log("the watch on %s ended: %s; watching again from revision "
		  "%lld",
		  etcd_endpoint(a->etcd), msg, (long long)a->applied + 1);
	evtimer_add(a->rewatch, &tv);
}

void
apply_watch(struct agent *a, int64_t from)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *body, *pfx;

	if (a->rewatch == NULL)
		a->rewatch = evtimer_new(a->base, rewatch_cb, a);
	if (from - 1 > a->applied)
		a->applied = from - 1;
	pfx = malloc(strlen(a->prefix) + 2);
	strcpy(pfx, a->prefix);
	strcat(pfx, "/");
	yajl_gen_map_open(g);
	j_key(g, "create_request");
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, pfx, strlen(pfx));
	j_key(g, "range_end");
	j_range_end(g, pfx);
	j_key(g, "start_revision");
	j_int(g, from);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	body = j_done(g);
	free(pfx);
	a->watch = etcd_watch(a->etcd, body, watch_msg, watch_end, a);
	free(body);
	if (a->watch == NULL)
		exit(1);
}

/* --- one revision, one local transaction --- */

struct applying {
	struct agent *a;
	struct rev *r;
	uint32_t tx;
	size_t ok; /* operations that changed the tree */
	unsigned pending;
};

static void
op_done(void *arg, int err, const char *data, size_t len)
{
	struct applying *p = arg;

	(void)data;
	(void)len;
	p->pending--;
	if (err == 0)
		p->ok++;
	else if (err != ENOENT)
		agent_log("revision %lld: a local change failed: %s",
			  (long long)p->r->rev, strerror(err));
}

static void start_txn(struct applying *p);

static void
ended(void *arg, int err, const char *data, size_t len)
{
	struct applying *p = arg;
	struct agent *a = p->a;
	struct rev *r = p->r;
	struct kupd *k;
	size_t i;

	(void)data;
	(void)len;
	if (err == EAGAIN) {
		p->ok = 0;
		start_txn(p);
		return;
	}
	if (err)
		agent_log("revision %lld: local commit failed: %s",
			  (long long)r->rev, strerror(err));
	if (err == 0 && p->ok) {
		/* Its group, in the stream, moves these keys' revisions. */
		k = calloc(1, sizeof(*k));
		k->paths = calloc(r->n, sizeof(*k->paths));
		if (k == NULL || k->paths == NULL)
			exit(1);
		k->rev = r->rev;
		for (i = 0; i < r->n; i++)
			k->paths[k->n++] = strdup(r->v[i].path);
		STAILQ_INSERT_TAIL(&a->kupds, k, link);
	} else {
		for (i = 0; i < r->n; i++)
			kmap_set(&a->kmod, r->v[i].path, r->rev, NULL);
	}
	a->applied_n++;
	rev_free(r);
	free(p);
	a->apply_busy = false;
	a->applying = 0;
	publish_verdicts(a);
	apply_next(a);
}

static void
started(void *arg, int err, const char *data, size_t len)
{
	struct applying *p = arg;
	struct agent *a = p->a;
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t i, pl;
	struct change *c;

	(void)len;
	if (err) {
		agent_log("revision %lld: transaction start: %s",
			  (long long)p->r->rev, strerror(err));
		exit(1);
	}
	p->tx = (uint32_t)strtoul(data, NULL, 10);
	for (i = 0; i < p->r->n; i++) {
		c = &p->r->v[i];
		if (c->removed) {
			xsc_sendv(a->xs, XS_RM, p->tx, op_done, p, c->path,
				  NULL);
		} else {
			pl = strlen(c->path) + 1;
			if (pl + c->vlen > sizeof(buf)) {
				agent_log("revision %lld: %s is too large "
					  "for xenstore (%zu bytes): skipped",
					  (long long)p->r->rev, c->path,
					  c->vlen);
				continue;
			}
			memcpy(buf, c->path, pl);
			memcpy(buf + pl, c->value, c->vlen);
			xsc_send(a->xs, XS_WRITE, p->tx, buf, pl + c->vlen,
				 op_done, p);
		}
		p->pending++;
	}
	xsc_sendv(a->xs, XS_TRANSACTION_END, p->tx, ended, p, "T", NULL);
}

static void
start_txn(struct applying *p)
{
	/*
	 * Registered again first (cheap, no reply awaited): after a live
	 * update the daemon no longer knows this connection as the agent's,
	 * and the transaction would come back as a local change.
	 */
	xsc_sendv(p->a->xs, XS_CONTROL, 0, NULL, NULL, "stream", "register",
		  "/pool", "/vm", MIG_PREFIX, NULL);
	xsc_sendv(p->a->xs, XS_CONTROL, 0, NULL, NULL, "stream", "hold",
		  "/pool", NULL);
	xsc_sendv(p->a->xs, XS_TRANSACTION_START, 0, started, p, "", NULL);
}

static void
apply_next(struct agent *a)
{
	struct applying *p;
	struct rev *r;

	for (;;) {
		if (a->apply_busy || a->phase != PH_RUN ||
		    (r = STAILQ_FIRST(&a->revs)) == NULL)
			return;
		STAILQ_REMOVE_HEAD(&a->revs, link);
		/*
		 * A migration's note, in revision order: after the guest's
		 * /vm of the revisions before it.  It lies outside the
		 * stream's prefixes: no group of ours to count.
		 */
		if (r->note_path != NULL)
			xsc_write(a->xs, 0, r->note_path, r->note_value,
				  strlen(r->note_value), NULL, NULL);
		if (r->n > 0)
			break;
		a->applied_n++;
		rev_free(r);
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		exit(1);
	p->a = a;
	p->r = r;
	a->apply_busy = true;
	a->applying = r->rev;
	start_txn(p);
}

int64_t
apply_done(const struct agent *a)
{
	const struct rev *r = STAILQ_FIRST(&a->revs);
	int64_t done = a->applied;

	if (a->applying && a->applying - 1 < done)
		done = a->applying - 1;
	if (r && r->rev - 1 < done)
		done = r->rev - 1;
	return done;
}
