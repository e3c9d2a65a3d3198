/* SPDX-License-Identifier: MIT */
/*
 * A guest's migration between hosts, the agent's part (agent.h,
 * docs/pool.md "Migration").  xsim speaks only to its local xenstored;
 * the agents carry its words through etcd, in the order of each host's
 * change stream:
 *
 *   source host, xsim migrate   writes MIG_PREFIX/out/<uuid> =
 *                               "<req> <target> <deadline>\n<config>"
 *                               (guest paused; the deadline informative)
 *   source agent, publishing    one etcd transaction (inside the outer
 *                               one: cursor and lease, so fenced and
 *                               exactly once):
 *        compare  P/owner/<uuid> == this host,
 *                 P/hosts/<target>/alive exists
 *        success  P/owner/<uuid> = target,
 *                 P/migrate/<uuid> = "<req> <source> <target>\n<config>"
 *        failure  range both (to say why)
 *                               then /tool/pool/migrate-result/<req> =
 *                               "handed <target>" or "error: <why>"
 *   target agent, watching      P/migrate/<uuid> for itself, in revision
 *                               order (after the guest's /vm, which the
 *                               source published before its request):
 *                               /tool/pool/incoming/<uuid> = the value
 *   target host, xsim's         rebuilds the guest, then writes
 *   receiver                    MIG_PREFIX/done/<uuid> =
 *                               "<req> <source> running <domid>" or
 *                               "<req> <source> failed: <why>"
 *   target agent, publishing    P/migrate-done/<uuid> = that; if
 *                               "failed", in the same transaction, the
 *                               hand-back: P/owner/<uuid> = source if
 *                               it is still this host
 *   source agent, watching      /tool/pool/migrate-result/<req> =
 *                               "running ..." or "failed: ..." (and the
 *                               owner, in the same revision)
 *
 * A target whose agent was away when the request came finds it in the
 * snapshot it starts from: a request for it without a report of the
 * same <req> is noted then.
 *
 * xsim resumes the guest only on an "error:" answer, so one is given
 * only when etcd has settled it: a request may land however late its
 * reply, so none is refused for lateness (request_txn), and when
 * its transaction's fate is unknown the next snapshot settles it (its
 * cursor past the group: P/migrate/<uuid> names it or not; fenced: the
 * groups kept out are read for requests, migrate_fenced).
 *
 * Since the request is a group of the source's stream, every write the
 * source made to /vm/<uuid> before it is in etcd before ownership
 * passes; two racing requests for one guest are two groups, and the
 * compare lets only the first one through.  The notes (incoming,
 * migrate-result) lie outside the stream's prefixes: they are never
 * published, and the agent's own groups stay one per applied revision.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

#define OUT_DIR MIG_PREFIX "/out/"
#define DONE_DIR MIG_PREFIX "/done/"

/* The group's last write under dir, or NULL. */
static struct change *
find_write(struct group *g, const char *dir)
{
	size_t i, l = strlen(dir);
	struct change *c = NULL;

	for (i = 0; i < g->n; i++)
		if (!g->v[i].removed && strncmp(g->v[i].path, dir, l) == 0 &&
		    g->v[i].path[l] != '\0' &&
		    strchr(g->v[i].path + l, '/') == NULL)
			c = &g->v[i];
	return c;
}

static bool
only_mig(struct group *g)
{
	size_t i, l = strlen(MIG_PREFIX);

	for (i = 0; i < g->n; i++)
		if (strncmp(g->v[i].path, MIG_PREFIX, l) != 0 ||
		    (g->v[i].path[l] != '\0' && g->v[i].path[l] != '/'))
			return false;
	return true;
}

static char *
key2(const char *pfx, const char *rest)
{
	char *k = malloc(strlen(pfx) + strlen(rest) + 1);

	if (k == NULL) {
		agent_log("out of memory");
		exit(1);
	}
	strcpy(k, pfx);
	strcat(k, rest);
	return k;
}

static void
cmp(yajl_gen g, const char *key, const char *target, const char *result,
    const char *field, const char *value)
{
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, key, strlen(key));
	j_key(g, "target");
	j_str(g, target);
	j_key(g, "result");
	j_str(g, result);
	j_key(g, field);
	if (strcmp(field, "value") == 0)
		j_b64(g, value, strlen(value));
	else
		j_str(g, value);
	yajl_gen_map_close(g);
}

static void
op(yajl_gen g, const char *what, const char *key, const char *v, size_t vlen)
{
	yajl_gen_map_open(g);
	j_key(g, what);
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, key, strlen(key));
	if (v != NULL) {
		j_key(g, "value");
		j_b64(g, v, vlen);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

/* The local note /tool/pool/migrate-result/<req> for xsim. */
static void __attribute__((format(printf, 3, 4)))
result(struct agent *a, const char *req, const char *fmt, ...)
{
	char path[300], v[600];
	va_list ap;

	snprintf(path, sizeof(path), "/tool/pool/migrate-result/%s", req);
	if (a->mig.seq && strcmp(req, a->mig.id) == 0)
		a->mig.seq = 0; /* settled */
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	xsc_write(a->xs, 0, path, v, strlen(v), NULL, NULL);
}

/* A request being published: what its reply needs. */
struct req {
	struct agent *a;
	char uuid[128], id[128], target[256];
	bool report;	  /* a target's report, not a request */
	char source[256]; /* a failed report's: the guest goes back there */
};

static void reported(struct agent *a, struct req *q, yajl_val inner);

static void
handed(struct req *q)
{
	agent_log("migration %s: guest %s handed over to %s", q->id, q->uuid,
		  q->target);
	agent_owner(q->a, q->uuid, q->target);
	result(q->a, q->id, "handed %s", q->target);
}

/* Whether the range response r holds a request of id (ours in etcd). */
static bool
names_request(yajl_val r, const char *id)
{
	yajl_val kvs = etcd_get(etcd_get(r, "response_range"), "kvs");
	size_t len, l = strlen(id);
	char *v;
	bool ours;

	if (!kvs || !YAJL_IS_ARRAY(kvs) || kvs->u.array.len == 0)
		return false;
	v = etcd_unb64(etcd_str(kvs->u.array.values[0], "value"), &len);
	ours = v != NULL && len > l && strncmp(v, id, l) == 0 && v[l] == ' ';
	free(v);
	return ours;
}

/* Why the inner compare failed, from its failure's ranges. */
static void
refused(struct req *q, yajl_val inner)
{
	yajl_val rs = etcd_get(inner, "responses"), kvs;
	char *owner = NULL, why[512];
	bool alive = false;
	size_t len;

	/* Already in etcd (a send whose answer was lost): it happened. */
	if (rs && YAJL_IS_ARRAY(rs) && rs->u.array.len >= 3 &&
	    names_request(rs->u.array.values[2], q->id)) {
		handed(q);
		return;
	}
	/* xsim settled it from etcd (settle.c) and is gone: no answer. */
	if (rs && YAJL_IS_ARRAY(rs) && rs->u.array.len >= 4 &&
	    (kvs = etcd_get(etcd_get(rs->u.array.values[3], "response_range"),
			    "kvs")) != NULL &&
	    YAJL_IS_ARRAY(kvs) && kvs->u.array.len > 0) {
		if (q->a->mig.seq && strcmp(q->id, q->a->mig.id) == 0)
			q->a->mig.seq = 0; /* settled */
		agent_log("migration %s of %s to %s: not handed over: xsim "
			  "settled it from etcd before it was sent",
			  q->id, q->uuid, q->target);
		return;
	}
	if (rs && YAJL_IS_ARRAY(rs) && rs->u.array.len >= 2) {
		kvs = etcd_get(
			etcd_get(rs->u.array.values[0], "response_range"),
			"kvs");
		if (kvs && YAJL_IS_ARRAY(kvs) && kvs->u.array.len > 0)
			owner = etcd_unb64(
				etcd_str(kvs->u.array.values[0], "value"),
				&len);
		kvs = etcd_get(
			etcd_get(rs->u.array.values[1], "response_range"),
			"kvs");
		alive = kvs && YAJL_IS_ARRAY(kvs) && kvs->u.array.len > 0;
	}
	if (owner == NULL)
		snprintf(why, sizeof(why), "guest %s has no owner in the pool",
			 q->uuid);
	else if (strcmp(owner, q->a->host) != 0)
		snprintf(why, sizeof(why),
			 "guest %s belongs to host %s now (another "
			 "migration won)",
			 q->uuid, owner);
	else if (!alive)
		snprintf(why, sizeof(why), "host %s is not alive in the pool",
			 q->target);
	else
		snprintf(why, sizeof(why), "etcd refused the hand-over");
	free(owner);
	agent_log("migration %s of %s to %s refused: %s", q->id, q->uuid,
		  q->target, why);
	result(q->a, q->id, "error: %s", why);
}

/* A request's outer transaction passed: its inner one decides. */
static void
answer(struct req *q, yajl_val json)
{
	yajl_val rs = etcd_get(json, "responses"), inner;

	inner = rs && YAJL_IS_ARRAY(rs) && rs->u.array.len > 1
			? etcd_get(rs->u.array.values[0], "response_txn")
			: NULL;
	if (inner && etcd_bool(inner, "succeeded"))
		handed(q);
	else
		refused(q, inner);
}

static void
txn_done(void *arg, int err, yajl_val json, const char *msg)
{
	struct req *q = arg;
	struct agent *a = q->a;
	yajl_val rs, inner;
	int64_t rev;

	if (a->phase != PH_RUN || a->pg == NULL) {
		a->pub_busy = false;
		/* A late reply that it is in etcd still settles a request. */
		if (!err && !q->report && etcd_bool(json, "succeeded"))
			answer(q, json);
		free(q);
		return;
	}
	if (err && !q->report && (err == E2BIG || err == EREMOTEIO))
		result(a, q->id, "error: etcd refused the request: %s", msg);
	if (publish_error(a, err, msg)) {
		free(q);
		return;
	}
	rev = etcd_int(etcd_get(json, "header"), "revision");
	if (!etcd_bool(json, "succeeded")) {
		/*
		 * Not now: a request sent before may have landed.  The
		 * resynchronisation's snapshot settles it (cursor past it,
		 * or fenced: migrate_snapshot_end, migrate_fenced); else it
		 * is sent again.
		 */
		publish_outer_failed(a, json);
		free(q);
		return;
	}
	if (q->report) {
		rs = etcd_get(json, "responses");
		inner = rs && YAJL_IS_ARRAY(rs) && rs->u.array.len > 1
				? etcd_get(rs->u.array.values[0],
					   "response_txn")
				: NULL;
		reported(a, q, inner);
	} else {
		answer(q, json);
	}
	a->published++;
	free(q);
	publish_done(a, rev);
}

/*
 * The inner transaction of a request; NULL if it is not one.  Its
 * deadline is not a reason to refuse it: the request may be in etcd
 * already (sent by an agent that died or was fenced before its answer),
 * xsim keeps the guest paused until etcd settles it, and the compare
 * lets a late one through only while this host still owns the guest.
 */
static char *
request_txn(struct agent *a, struct req *q, const struct change *c)
{
	yajl_gen g;
	const char *nl = memchr(c->value, '\n', c->vlen);
	char *ok, *alive, *mk, *ck, *v;
	size_t vl;
	int n;

	long long deadline = 0;

	if (nl == NULL ||
	    sscanf(c->value, "%127s %255s %lld", q->id, q->target, &deadline) !=
		    3 ||
	    strchr(q->target, '/') != NULL)
		return NULL;
	ok = key2(a->owner_pfx, q->uuid);
	alive = key2(a->hosts_pfx, q->target);
	mk = key2(alive, "/alive");
	free(alive);
	alive = mk;
	mk = key2(a->migrate_pfx, q->uuid);
	v = key2(a->cancel_pfx, q->uuid);
	ck = key2(v, "/");
	free(v);
	v = ck;
	ck = key2(v, q->id);
	free(v);
	/* "<req> <source> <target>" and the request's "\n<config>". */
	vl = strlen(q->id) + 1 + strlen(a->host) + 1 + strlen(q->target) +
	     (c->vlen - (size_t)(nl - c->value));
	v = malloc(vl + 1);
	if (v == NULL)
		exit(1);
	n = snprintf(v, vl + 1, "%s %s %s", q->id, a->host, q->target);
	memcpy(v + n, nl, c->vlen - (size_t)(nl - c->value));
	g = yajl_gen_alloc(NULL);
	yajl_gen_map_open(g);
	j_key(g, "compare");
	yajl_gen_array_open(g);
	cmp(g, ok, "VALUE", "EQUAL", "value", a->host);
	cmp(g, alive, "CREATE", "GREATER", "create_revision", "0");
	cmp(g, ck, "CREATE", "EQUAL", "create_revision", "0");
	yajl_gen_array_close(g);
	j_key(g, "success");
	yajl_gen_array_open(g);
	op(g, "request_put", ok, q->target, strlen(q->target));
	op(g, "request_put", mk, v, vl);
	yajl_gen_array_close(g);
	j_key(g, "failure");
	yajl_gen_array_open(g);
	op(g, "request_range", ok, NULL, 0);
	op(g, "request_range", alive, NULL, 0);
	op(g, "request_range", mk, NULL, 0);	    /* ours already? */
	op(g, "request_range", ck, NULL, 0);	    /* settled by xsim? */
	op(g, "request_delete_range", ck, NULL, 0); /* never sent again */
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	free(ok);
	free(alive);
	free(mk);
	free(ck);
	free(v);
	return j_done(g);
}

/* Whether a report "<req> <source> failed: ..." says the build failed. */
static bool
failed_report(struct req *q, const struct change *c)
{
	int n = 0;

	return sscanf(c->value, "%127s %255s %n", q->id, q->source, &n) == 2 &&
	       n > 0 && strncmp(c->value + n, "failed", 6) == 0 &&
	       strchr(q->source, '/') == NULL;
}

/*
 * The inner transaction of a target's report.  A failed build hands the
 * guest back in the same transaction: if it is still ours, its owner is
 * the source again, which resumes its paused copy on reading the report
 * (the owner and the report arrive there in one revision).
 */
static char *
report_txn(struct agent *a, struct req *q, const struct change *c)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *k = key2(a->migdone_pfx, q->uuid);
	char *ok = key2(a->owner_pfx, q->uuid);
	bool back = failed_report(q, c);

	q->report = true;
	if (!back)
		q->source[0] = '\0';
	yajl_gen_map_open(g);
	if (back) {
		j_key(g, "compare");
		yajl_gen_array_open(g);
		cmp(g, ok, "VALUE", "EQUAL", "value", a->host);
		yajl_gen_array_close(g);
	}
	j_key(g, "success");
	yajl_gen_array_open(g);
	op(g, "request_put", k, c->value, c->vlen);
	if (back)
		op(g, "request_put", ok, q->source, strlen(q->source));
	yajl_gen_array_close(g);
	if (back) { /* not ours any more: the report alone */
		j_key(g, "failure");
		yajl_gen_array_open(g);
		op(g, "request_put", k, c->value, c->vlen);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
	free(k);
	free(ok);
	return j_done(g);
}

/* A report is in etcd: a failed build's guest may be the source's again. */
static void
reported(struct agent *a, struct req *q, yajl_val inner)
{
	if (q->source[0] == '\0')
		return;
	if (inner && etcd_bool(inner, "succeeded")) {
		agent_log("migration %s: %s could not be built here; handed "
			  "back to %s",
			  q->id, q->uuid, q->source);
		agent_owner(a, q->uuid, q->source);
	} else {
		agent_log("migration %s: %s could not be built here, and is "
			  "no longer this host's: not handed back",
			  q->id, q->uuid);
	}
}

bool
migrate_group(struct agent *a, struct group *g)
{
	struct change *c;
	struct req *q;
	char *inner, *body;
	const char *dir;
	bool out = false;

	if ((c = find_write(g, OUT_DIR)) != NULL) {
		dir = OUT_DIR;
		out = true;
	} else if ((c = find_write(g, DONE_DIR)) != NULL)
		dir = DONE_DIR;
	else if (only_mig(g)) {
		publish_skip(a); /* nothing to publish */
		return true;
	} else
		return false;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		exit(1);
	q->a = a;
	snprintf(q->uuid, sizeof(q->uuid), "%s", c->path + strlen(dir));
	inner = out ? request_txn(a, q, c) : report_txn(a, q, c);
	if (inner == NULL) {
		agent_log("group %llu: %s is not a migration request: skipped",
			  (unsigned long long)g->seq, c->path);
		free(q);
		publish_skip(a);
		return true;
	}
	if (out) {
		a->mig.seq = g->seq;
		snprintf(a->mig.uuid, sizeof(a->mig.uuid), "%s", q->uuid);
		snprintf(a->mig.id, sizeof(a->mig.id), "%s", q->id);
		snprintf(a->mig.target, sizeof(a->mig.target), "%s", q->target);
	}
	body = publish_outer(a, g->seq, inner);
	if (etcd_call(a->etcd, "/v3/kv/txn", body, txn_done, q) != 0) {
		agent_log("out of memory");
		exit(1);
	}
	free(inner);
	free(body);
	return true;
}

void
migrate_watched(struct agent *a, const char *key, const char *val, bool del,
		struct rev *r)
{
	char id[128], src[256], tgt[256], path[300];
	const char *uuid, *rest;
	bool report = strncmp(key, a->migdone_pfx, strlen(a->migdone_pfx)) == 0;
	int n = 0;

	if (del || val == NULL || r->note_path != NULL)
		return;
	uuid = key + strlen(report ? a->migdone_pfx : a->migrate_pfx);
	if (strchr(uuid, '/') != NULL || *uuid == '\0')
		return;
	if (report) {
		/* "<req> <source> <status...>": for the source. */
		if (sscanf(val, "%127s %255s %n", id, src, &n) != 2 || n == 0 ||
		    strcmp(src, a->host) != 0)
			return;
		rest = val + n;
		snprintf(path, sizeof(path), "/tool/pool/migrate-result/%s",
			 id);
	} else {
		/* "<req> <source> <target>\n...": for the target. */
		if (sscanf(val, "%127s %255s %255s", id, src, tgt) != 3 ||
		    strcmp(tgt, a->host) != 0)
			return;
		rest = val;
		snprintf(path, sizeof(path), "/tool/pool/incoming/%s", uuid);
	}
	r->note_path = strdup(path);
	r->note_value = strdup(rest);
	if (r->note_path == NULL || r->note_value == NULL)
		exit(1);
}

/* --- requests that came while the agent was away --- */

struct pending {
	char uuid[128], id[128];
	char *value; /* a request for this host, or NULL: a report */
};

static struct pending *snap;
static size_t nsnap, capsnap;
/*
 * In the last snapshot: every request (value NULL), what etcd handed;
 * the targets' reports on this host's requests (value: the status).
 */
static struct pending *seen, *mine;
static size_t nseen, capseen, nmine, capmine;

static struct pending *
add(struct pending **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		*v = realloc(*v, *cap * sizeof(**v));
		if (*v == NULL)
			exit(1);
	}
	return &(*v)[(*n)++];
}

void
migrate_snapshot_begin(struct agent *a)
{
	(void)a;
	nseen = 0;
	while (nmine > 0)
		free(mine[--nmine].value);
}

bool
migrate_snapshot(struct agent *a, const char *key, const char *val)
{
	size_t lm = strlen(a->migrate_pfx), ld = strlen(a->migdone_pfx);
	bool report = strncmp(key, a->migdone_pfx, ld) == 0;
	char id[128], src[256], tgt[256];
	struct pending *p;
	int n = 0;

	if (!report && strncmp(key, a->migrate_pfx, lm) != 0)
		return false;
	if (sscanf(val, "%127s %255s %n%255s", id, src, &n, tgt) != 3)
		return true;
	if (report && strcmp(src, a->host) == 0) {
		p = add(&mine, &nmine, &capmine);
		snprintf(p->uuid, sizeof(p->uuid), "%s", key + ld);
		snprintf(p->id, sizeof(p->id), "%s", id);
		if ((p->value = strdup(val + n)) == NULL)
			exit(1);
	}
	if (!report) {
		p = add(&seen, &nseen, &capseen);
		snprintf(p->uuid, sizeof(p->uuid), "%s", key + lm);
		snprintf(p->id, sizeof(p->id), "%s", id);
		p->value = NULL;
	}
	if (!report && strcmp(tgt, a->host) != 0)
		return true;
	p = add(&snap, &nsnap, &capsnap);
	snprintf(p->uuid, sizeof(p->uuid), "%s", key + (report ? ld : lm));
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->value = report ? NULL : strdup(val);
	return true;
}

/*
 * A request whose fate etcd's snapshot decides (it landed before, or a
 * fence keeps it out for good): handed if etcd has it, else why not.
 * Only then may xsim resume the guest.
 */
static void
settle(struct agent *a, const char *uuid, const char *id, const char *target,
       const char *why)
{
	struct kent *o = kmap_get(&a->owners, uuid);
	size_t i;

	for (i = 0; i < nseen; i++)
		if (strcmp(seen[i].uuid, uuid) == 0 &&
		    strcmp(seen[i].id, id) == 0) {
			/* The snapshot has its owner (handed back, maybe). */
			agent_log("migration %s: guest %s was handed over to "
				  "%s (etcd has it)",
				  id, uuid, target);
			result(a, id, "handed %s", target);
			/* The target may have reported meanwhile. */
			for (i = 0; i < nmine; i++)
				if (strcmp(mine[i].uuid, uuid) == 0 &&
				    strcmp(mine[i].id, id) == 0)
					result(a, id, "%s", mine[i].value);
			return;
		}
	if (o != NULL && o->value != NULL && strcmp(o->value, a->host) != 0)
		result(a, id,
		       "error: guest %s belongs to host %s now (another "
		       "migration won)",
		       uuid, o->value);
	else
		result(a, id, "error: %s", why);
	agent_log("migration %s of %s to %s: not handed over (%s)", id, uuid,
		  target, why);
}

void
migrate_fenced(struct agent *a, struct group *g)
{
	struct change *c = find_write(g, OUT_DIR);
	char id[128], target[256];

	if (c != NULL && sscanf(c->value, "%127s %255s", id, target) == 2)
		settle(a, c->path + strlen(OUT_DIR), id, target,
		       "this host's agent was fenced (its lease expired): "
		       "nothing was handed over");
}

void
migrate_snapshot_end(struct agent *a)
{
	char path[300];
	size_t i, j;

	/* A request sent before: in etcd's cursor, so its fate is final. */
	if (a->mig.seq && a->cursor >= a->mig.seq)
		settle(a, a->mig.uuid, a->mig.id, a->mig.target,
		       "etcd refused the hand-over");

	for (i = 0; i < nsnap; i++) {
		if (snap[i].value == NULL)
			continue;
		for (j = 0; j < nsnap; j++)
			if (snap[j].value == NULL &&
			    strcmp(snap[j].uuid, snap[i].uuid) == 0 &&
			    strcmp(snap[j].id, snap[i].id) == 0)
				break;
		if (j == nsnap && strchr(snap[i].uuid, '/') == NULL) {
			agent_log("migration %s of %s: not built yet",
				  snap[i].id, snap[i].uuid);
			snprintf(path, sizeof(path), "/tool/pool/incoming/%s",
				 snap[i].uuid);
			xsc_write(a->xs, 0, path, snap[i].value,
				  strlen(snap[i].value), NULL, NULL);
		}
	}
	for (i = 0; i < nsnap; i++)
		free(snap[i].value);
	nsnap = 0;
}
