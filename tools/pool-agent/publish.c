/* SPDX-License-Identifier: MIT */
/*
 * Local commits to etcd (agent.h): the daemon's change stream, group by
 * group in commit order, each group one etcd transaction:
 *
 *	compare	 P/hosts/<host>/cursor mod_revision == the one we wrote last
 *		 P/hosts/<host>/alive lease == ours		(fencing)
 *	success	 txn { compare: each key's mod_revision == what the local
 *			        tree had seen of it when the group committed
 *			        (P/owner/<uuid> absent, for a guest claimed)
 *		       success: put / delete each key (and the claims) }
 *		 put P/hosts/<host>/cursor = the group's number
 *	failure	 range cursor, range alive
 *
 * The cursor makes it exactly once: a group is in etcd if and only if
 * the cursor says so, whoever crashed when.  The inner compare makes a
 * write that raced with a newer one from another host lose (logged):
 * that newer revision comes to this host through the watch, so both
 * converge on etcd's last revision.  "What the local tree had seen" is
 * kept in stream order: a remote revision applied locally shows up in
 * the stream as a group of the agent's own, and only when the publisher
 * reaches that group do the keys' known revisions move (kupds).  A group
 * that committed before the remote revision was applied is thus compared
 * with the older revision, and loses, as it should: locally the remote
 * value came after it.
 *
 * A group flagged "h" is a transaction's commit whose reply the daemon
 * holds for our verdict (docs/pool.md, "No lost update"): "ok" once it
 * is in etcd (or will never be: refused, nothing of ours), "lost" when
 * its inner compare failed, but only once the watch has brought every
 * revision up to the failed transaction's (the winner among them) into
 * the local tree, so that the client's retry reads the winner.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

/* Acknowledge to the daemon every this many published groups. */
#define ACK_EVERY 64

static void read_group(struct agent *a, uint64_t i, uint64_t off);
static void done_group(struct agent *a);

/*
 * Parse one page of "CONTROL stream read" into g (docs/pool.md):
 * returns 1 when the group is whole, 0 when *i and *off say where to
 * read on, -1 if the page is malformed.
 */
int publish_parse_page(struct group *g, const char *data, size_t len,
		       uint64_t *i, uint64_t *off);

int
publish_parse_page(struct group *g, const char *data, size_t len, uint64_t *i,
		   uint64_t *off)
{
	const char *p = data, *end = data + len, *nl;
	char flags[8], path[4096];
	unsigned long long seq, n, vlen, voff, cnt;
	struct change *c;

	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
	    sscanf(p, "%llu %7s %llu", &seq, flags, &n) != 3)
		return -1;
	if (g->v == NULL) {
		g->seq = seq;
		g->agent = strchr(flags, 'a') != NULL;
		g->lost = strchr(flags, 'l') != NULL;
		g->held = strchr(flags, 'h') != NULL;
		g->v = calloc(n ? n : 1, sizeof(*g->v));
		if (g->v == NULL)
			return -1;
	}
	p = nl + 1;
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return -1;
		if (p[0] == '.')
			return g->n == n ? 1 : -1;
		if (p[0] == '>') {
			if (sscanf(p, "> %llu %llu", &n, &voff) != 2)
				return -1;
			*i = n;
			*off = voff;
			return 0;
		}
		if (p[0] == 'R') {
			if (sscanf(p, "R %4095s", path) != 1 || g->n >= n)
				return -1;
			c = &g->v[g->n++];
			c->path = strdup(path);
			c->removed = true;
			p = nl + 1;
			continue;
		}
		if (sscanf(p, "W %4095s %llu %llu %llu", path, &vlen, &voff,
			   &cnt) != 4)
			return -1;
		p = nl + 1;
		if ((size_t)(end - p) < cnt + 1 || voff + cnt > vlen)
			return -1;
		if (voff == 0) {
			if (g->n >= n)
				return -1;
			c = &g->v[g->n++];
			c->path = strdup(path);
			c->value = malloc(vlen + 1);
			c->vlen = vlen;
			if (c->value == NULL)
				return -1;
			c->value[vlen] = '\0';
		} else {
			if (g->n == 0)
				return -1;
			c = &g->v[g->n - 1];
		}
		memcpy(c->value + voff, p, cnt);
		p += cnt + 1;
	}
	return -1;
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct agent *a = arg;

	(void)fd;
	(void)what;
	a->pub_busy = false;
	publish_kick(a);
}

static void
retry_later(struct agent *a, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	evtimer_add(a->retry, &tv);
}

static void
send_verdict(struct agent *a, uint64_t seq, const char *what)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)seq);
	xsc_sendv(a->xs, XS_CONTROL, 0, NULL, NULL, "stream", "verdict", s,
		  what, NULL);
}

/* What became of g, if a commit waits for it; rev: etcd's at the loss. */
static void
verdict(struct agent *a, const struct group *g, bool ok, int64_t rev)
{
	struct verdict *v;

	if (!g->held)
		return;
	if (ok) {
		send_verdict(a, g->seq, "ok");
		return;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		exit(1);
	v->seq = g->seq;
	v->rev = rev;
	STAILQ_INSERT_TAIL(&a->verdicts, v, link);
	publish_verdicts(a);
}

void
publish_verdicts(struct agent *a)
{
	struct verdict *v;

	while ((v = STAILQ_FIRST(&a->verdicts)) != NULL &&
	       apply_done(a) >= v->rev) {
		STAILQ_REMOVE_HEAD(&a->verdicts, link);
		send_verdict(a, v->seq, "lost");
		free(v);
	}
}

void
publish_converged(struct agent *a)
{
	char f[24], l[24];

	if (a->unpub_last) {
		snprintf(f, sizeof(f), "%llu",
			 (unsigned long long)a->unpub_first);
		snprintf(l, sizeof(l), "%llu",
			 (unsigned long long)a->unpub_last);
		xsc_sendv(a->xs, XS_CONTROL, 0, NULL, NULL, "stream", "verdict",
			  f, l, "lost", NULL);
		a->unpub_first = a->unpub_last = 0;
	}
	publish_verdicts(a);
}

void
publish_reset(struct agent *a)
{
	/*
	 * "lost" verdicts are kept: their commits still wait, and the
	 * resync brings the winners (publish_converged sends them).
	 */
	group_free(a->pg);
	a->pg = NULL;
	a->pub_again = false;
	while (!STAILQ_EMPTY(&a->kupds)) {
		struct kupd *k = STAILQ_FIRST(&a->kupds);

		STAILQ_REMOVE_HEAD(&a->kupds, link);
		changes_free(NULL, 0);
		for (size_t i = 0; i < k->n; i++)
			free(k->paths[i]);
		free(k->paths);
		free(k);
	}
}

static void
ack(struct agent *a, bool now)
{
	char s[24];

	if (a->cursor <= a->acked || (!now && a->cursor < a->acked + ACK_EVERY))
		return;
	snprintf(s, sizeof(s), "%llu", (unsigned long long)a->cursor);
	xsc_sendv(a->xs, XS_CONTROL, 0, NULL, NULL, "stream", "ack", s, NULL);
	a->acked = a->cursor;
}

/* --- one etcd transaction --- */

static void
cmp_mod(yajl_gen g, const char *key, int64_t mod)
{
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, key, strlen(key));
	j_key(g, "target");
	j_str(g, "MOD");
	j_key(g, "result");
	j_str(g, "EQUAL");
	j_key(g, "mod_revision");
	j_int(g, mod);
	yajl_gen_map_close(g);
}

static void
cmp_lease(yajl_gen g, struct agent *a)
{
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, a->alive_key, strlen(a->alive_key));
	j_key(g, "target");
	j_str(g, "LEASE");
	j_key(g, "result");
	j_str(g, "EQUAL");
	j_key(g, "lease");
	j_int(g, a->lease);
	yajl_gen_map_close(g);
}

static void
op_put(yajl_gen g, const char *key, const void *v, size_t vlen)
{
	yajl_gen_map_open(g);
	j_key(g, "request_put");
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, key, strlen(key));
	j_key(g, "value");
	j_b64(g, v, vlen);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void
op_del(yajl_gen g, const char *key)
{
	yajl_gen_map_open(g);
	j_key(g, "request_delete_range");
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, key, strlen(key));
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void
op_range(yajl_gen g, const char *key)
{
	yajl_gen_map_open(g);
	j_key(g, "request_range");
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, key, strlen(key));
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

/* Delete every key under pfx (which ends with '/'). */
static void
op_del_prefix(yajl_gen g, const char *pfx)
{
	yajl_gen_map_open(g);
	j_key(g, "request_delete_range");
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, pfx, strlen(pfx));
	j_key(g, "range_end");
	j_range_end(g, pfx);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

/* The outer transaction around inner (NULL: only move the cursor). */
static char *
outer_txn(struct agent *a, uint64_t seq, const char *inner)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char cur[24];

	snprintf(cur, sizeof(cur), "%llu", (unsigned long long)seq);
	yajl_gen_map_open(g);
	j_key(g, "compare");
	yajl_gen_array_open(g);
	cmp_mod(g, a->cursor_key, a->cursor_mod);
	cmp_lease(g, a);
	yajl_gen_array_close(g);
	j_key(g, "success");
	yajl_gen_array_open(g);
	if (inner) {
		yajl_gen_map_open(g);
		j_key(g, "request_txn");
		yajl_gen_number(g, inner, strlen(inner));
		yajl_gen_map_close(g);
	}
	op_put(g, a->cursor_key, cur, strlen(cur));
	yajl_gen_array_close(g);
	j_key(g, "failure");
	yajl_gen_array_open(g);
	op_range(g, a->cursor_key);
	op_range(g, a->alive_key);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return j_done(g);
}

/* uuids already claimed in this transaction: each key goes in once. */
struct claims {
	char *u[64];
	size_t n;
};

static bool
claim_once(struct claims *c, const char *u)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->u[i], u) == 0)
			return false;
	if (c->n < sizeof(c->u) / sizeof(c->u[0]))
		c->u[c->n++] = strdup(u);
	return true;
}

static void
claims_free(struct claims *c)
{
	while (c->n)
		free(c->u[--c->n]);
}

static int
by_path(const void *x, const void *y)
{
	const struct change *p = x, *q = y;
	int d = strcmp(p->path, q->path);

	/* Stable: later changes of a path after earlier ones. */
	return d ? d : (p->order < q->order ? -1 : p->order > q->order);
}

/*
 * A group's net effect.  Changes are sorted by path (stably: a path's
 * later change after its earlier ones); a path's last change is its
 * final state, and a removal of it anywhere in the group ("R" is the top
 * of a removed subtree) means its old subtree goes too, even if the
 * path itself is written again afterwards (a transaction replacing a
 * node).  A removed subtree whose ancestor is removed as well is
 * covered by the ancestor's.
 */
static bool
is_last(const struct group *g, size_t i)
{
	return i + 1 == g->n || strcmp(g->v[i + 1].path, g->v[i].path) != 0;
}

static bool
removed_in(const struct group *g, size_t i)
{
	size_t j;

	for (j = i; j < g->n && strcmp(g->v[j].path, g->v[i].path) == 0; j++)
		if (g->v[j].removed)
			return true;
	for (j = i; j > 0 && strcmp(g->v[j - 1].path, g->v[i].path) == 0; j--)
		if (g->v[j - 1].removed)
			return true;
	return false;
}

static bool
below(const char *path, const char *top)
{
	size_t l = strlen(top);

	return strncmp(path, top, l) == 0 && path[l] == '/';
}

/* The top of the removed subtree path lies in, if any (not path's own). */
static const char *
covering_top(const struct group *g, const char *path)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->v[i].removed && below(path, g->v[i].path))
			return g->v[i].path;
	return NULL;
}

/* Whether the group's final state puts some key below top. */
static bool
puts_below(const struct group *g, const char *top)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (is_last(g, i) && !g->v[i].removed &&
		    below(g->v[i].path, top))
			return true;
	return false;
}

static bool
finally_put(const struct group *g, const char *path)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (is_last(g, i) && strcmp(g->v[i].path, path) == 0)
			return !g->v[i].removed;
	return false;
}

/*
 * Delete the old subtree below top: one range when the group writes
 * nothing below it (etcd refuses a put inside a deleted range), else
 * each key the pool has there, as far as this host knows, but those the
 * group writes.
 */
static void
clear_below(struct agent *a, yajl_gen gen, const struct group *g,
	    const char *top)
{
	char *k = data_key(a, top), *pfx;
	struct kent key, *e;
	size_t l;

	if (!puts_below(g, top)) {
		l = strlen(k);
		pfx = malloc(l + 2);
		memcpy(pfx, k, l);
		strcpy(pfx + l, "/");
		yajl_gen_map_open(gen);
		j_key(gen, "request_delete_range");
		yajl_gen_map_open(gen);
		j_key(gen, "key");
		j_b64(gen, pfx, l + 1);
		j_key(gen, "range_end");
		j_range_end(gen, pfx);
		yajl_gen_map_close(gen);
		yajl_gen_map_close(gen);
		free(pfx);
		free(k);
		return;
	}
	free(k);
	l = strlen(top);
	pfx = malloc(l + 2);
	memcpy(pfx, top, l);
	strcpy(pfx + l, "/");
	key.key = pfx;
	for (e = RB_NFIND(kmap, &a->kmod, &key);
	     e && strncmp(e->key, pfx, l + 1) == 0;
	     e = RB_NEXT(kmap, &a->kmod, e)) {
		if (e->mod == 0 || finally_put(g, e->key))
			continue;
		k = data_key(a, e->key);
		op_del(gen, k);
		free(k);
	}
	free(pfx);
}

/*
 * The inner transaction of group g: its net effect, for the paths this
 * host may write; NULL if there is none.  *paths counts them.
 */
static char *
inner_txn(struct agent *a, struct group *g, size_t *paths)
{
	yajl_gen gen = yajl_gen_alloc(NULL);
	struct change *c;
	size_t i;
	char *k, *u, *ok;
	struct kent *e;
	struct claims cl = {.n = 0}, cl2 = {.n = 0};

	*paths = 0;
	for (i = 0; i < g->n; i++)
		g->v[i].order = i;
	qsort(g->v, g->n, sizeof(*g->v), by_path);
	yajl_gen_map_open(gen);
	j_key(gen, "compare");
	yajl_gen_array_open(gen);
	for (i = 0; i < g->n; i++) {
		c = &g->v[i];
		if (!is_last(g, i) || !agent_shared(c->path) ||
		    !agent_owns(a, c->path))
			continue;
		e = kmap_get(&a->kmod, c->path);
		/*
		 * Creating an empty node (a directory, a parent made on the
		 * way) races with nobody: two hosts making /pool/x for their
		 * own children must not make one lose its whole group.
		 */
		if (!c->removed && c->vlen == 0 && (e == NULL || e->mod == 0))
			goto claim;
		k = data_key(a, c->path);
		cmp_mod(gen, k, e ? e->mod : 0);
		free(k);
	claim:
		u = vm_uuid(c->path);
		if (u && kmap_get(&a->owners, u) == NULL &&
		    claim_once(&cl, u)) {
			/* Unowned: claimed by this host, if still unowned. */
			ok = malloc(strlen(a->owner_pfx) + strlen(u) + 1);
			strcpy(ok, a->owner_pfx);
			strcat(ok, u);
			cmp_mod(gen, ok, 0);
			free(ok);
		}
		free(u);
	}
	yajl_gen_array_close(gen);
	j_key(gen, "success");
	yajl_gen_array_open(gen);
	for (i = 0; i < g->n; i++) {
		c = &g->v[i];
		if (!is_last(g, i) || !agent_shared(c->path))
			continue;
		if (!agent_owns(a, c->path)) {
			agent_log("group %llu: %s belongs to another host's "
				  "guest: not published",
				  (unsigned long long)g->seq, c->path);
			continue;
		}
		(*paths)++;
		if (removed_in(g, i) && covering_top(g, c->path) == NULL)
			clear_below(a, gen, g, c->path);
		if (c->removed && covering_top(g, c->path) != NULL &&
		    !puts_below(g, covering_top(g, c->path)))
			continue; /* in a deleted range already */
		k = data_key(a, c->path);
		if (c->removed)
			op_del(gen, k);
		else
			op_put(gen, k, c->value, c->vlen);
		free(k);
		u = vm_uuid(c->path);
		if (u &&
		    (kmap_get(&a->owners, u) == NULL ||
		     (c->removed && strlen(c->path) == 4 + strlen(u))) &&
		    claim_once(&cl2, u)) {
			ok = malloc(strlen(a->owner_pfx) + strlen(u) + 1);
			strcpy(ok, a->owner_pfx);
			strcat(ok, u);
			/*
			 * A guest's /vm/<uuid> removed: nobody owns it, and
			 * the record of its last migration goes too, with
			 * the requests xsim settled (settle.c).
			 */
			if (c->removed && strlen(c->path) == 4 + strlen(u)) {
				op_del(gen, ok);
				free(ok);
				ok = malloc(strlen(a->migdone_pfx) + strlen(u) +
					    1);
				sprintf(ok, "%s%s", a->migrate_pfx, u);
				op_del(gen, ok);
				sprintf(ok, "%s%s", a->migdone_pfx, u);
				op_del(gen, ok);
				free(ok);
				ok = malloc(strlen(a->cancel_pfx) + strlen(u) +
					    2);
				sprintf(ok, "%s%s/", a->cancel_pfx, u);
				op_del_prefix(gen, ok);
			} else if (kmap_get(&a->owners, u) == NULL)
				op_put(gen, ok, a->host, strlen(a->host));
			free(ok);
		}
		free(u);
	}
	yajl_gen_array_close(gen);
	yajl_gen_map_close(gen);
	claims_free(&cl);
	claims_free(&cl2);
	if (*paths == 0) {
		yajl_gen_free(gen);
		return NULL;
	}
	return j_done(gen);
}

/* What a published group changes in the maps. */
static void
published(struct agent *a, struct group *g, int64_t rev)
{
	struct kent key, *e;
	size_t i, l;
	char *u, *pfx;

	for (i = 0; i < g->n; i++) {
		if (!removed_in(g, i) || !agent_shared(g->v[i].path) ||
		    !agent_owns(a, g->v[i].path))
			continue;
		/* The old subtree is gone from etcd. */
		l = strlen(g->v[i].path);
		pfx = malloc(l + 2);
		memcpy(pfx, g->v[i].path, l);
		strcpy(pfx + l, "/");
		key.key = pfx;
		for (e = RB_NFIND(kmap, &a->kmod, &key);
		     e && strncmp(e->key, pfx, l + 1) == 0;
		     e = RB_NEXT(kmap, &a->kmod, e))
			e->mod = 0;
		free(pfx);
	}
	for (i = 0; i < g->n; i++) {
		if (!is_last(g, i) || !agent_shared(g->v[i].path) ||
		    !agent_owns(a, g->v[i].path))
			continue;
		kmap_set(&a->kmod, g->v[i].path, g->v[i].removed ? 0 : rev,
			 NULL);
		u = vm_uuid(g->v[i].path);
		if (u && g->v[i].removed &&
		    strlen(g->v[i].path) == 4 + strlen(u))
			agent_owner(a, u, NULL); /* released */
		else if (u && kmap_get(&a->owners, u) == NULL)
			agent_owner(a, u, a->host);
		free(u);
	}
}

static void
txn_done(void *arg, int err, yajl_val json, const char *msg)
{
	struct agent *a = arg;
	struct group *g = a->pg;
	yajl_val rs, r0;
	int64_t rev;

	if (a->phase != PH_RUN || g == NULL) {
		a->pub_busy = false;
		return;
	}
	if (publish_error(a, err, msg))
		return;
	rev = etcd_int(etcd_get(json, "header"), "revision");
	rs = etcd_get(json, "responses");
	if (!etcd_bool(json, "succeeded")) {
		publish_outer_failed(a, json);
		return;
	}
	r0 = rs && YAJL_IS_ARRAY(rs) && rs->u.array.len > 1
		     ? etcd_get(rs->u.array.values[0], "response_txn")
		     : NULL;
	if (r0 && !etcd_bool(r0, "succeeded")) {
		a->lost++;
		a->conflicts++;
		agent_log(
			"group %llu: %s%s lost to a newer write in the pool%s",
			(unsigned long long)g->seq, g->v[0].path,
			g->n > 1 ? " (and more)" : "",
			g->held ? ": its commit gets EAGAIN" : "");
		/* Every other revision is older than our own, rev. */
		verdict(a, g, false, rev - 1);
	} else if (r0) {
		published(a, g, rev);
		a->published++;
		verdict(a, g, true, 0);
	}
	publish_done(a, rev);
}

bool
publish_error(struct agent *a, int err, const char *msg)
{
	struct group *g = a->pg;

	if (err == E2BIG || err == EREMOTEIO) {
		/* etcd will never take it: say so, and go on without it. */
		agent_log("group %llu (%s%s): etcd refused it: %s; it is not "
			  "in the pool",
			  (unsigned long long)g->seq, g->n ? g->v[0].path : "",
			  g->n > 1 ? ", ..." : "", msg);
		/*
		 * etcd 3.4 does not tell its clients its limits, so the agent
		 * cannot keep under this one; splitting the group would make
		 * a transaction arrive in parts elsewhere.
		 */
		if (strstr(msg, "too many operations"))
			agent_log("group %llu: %zu changes, more than etcd's "
				  "--max-txn-ops (128 unless raised) takes in "
				  "one transaction; not split (it would not "
				  "be atomic): it stays on this host; raise "
				  "--max-txn-ops on every member",
				  (unsigned long long)g->seq, g->n);
		a->lost++;
		verdict(a, g, true, 0); /* a retry would be refused again */
		g->n = 0;		/* publish the cursor alone */
		a->pub_busy = false;
		a->cursor_reset = true;
		a->next_seq = g->seq + 1;
		group_free(g);
		a->pg = NULL;
		publish_kick(a);
		return true;
	}
	if (err) {
		agent_log("group %llu: %s (retrying)",
			  (unsigned long long)g->seq, msg);
		retry_later(a, err == EACCES ? 1000 : 200);
		return true;
	}
	return false;
}

void
publish_outer_failed(struct agent *a, yajl_val json)
{
	yajl_val rs = etcd_get(json, "responses"), r1, kvs;

	/* Failure: the cursor moved (another agent?) or fenced. */
	r1 = rs && YAJL_IS_ARRAY(rs) && rs->u.array.len > 1
		     ? etcd_get(rs->u.array.values[1], "response_range")
		     : NULL;
	kvs = etcd_get(r1, "kvs");
	a->pub_busy = false;
	if (!kvs || !YAJL_IS_ARRAY(kvs) || kvs->u.array.len == 0 ||
	    etcd_int(kvs->u.array.values[0], "lease") != a->lease)
		sync_fenced(a, "the lease is gone");
	else
		sync_resync(a, "etcd's cursor moved");
}

void
publish_done(struct agent *a, int64_t rev)
{
	a->cursor = a->pg->seq;
	a->cursor_mod = rev;
	done_group(a);
}

void
publish_skip(struct agent *a)
{
	done_group(a);
}

char *
publish_outer(struct agent *a, uint64_t seq, const char *inner)
{
	return outer_txn(a, seq, inner);
}

static void
cursor_done(void *arg, int err, yajl_val json, const char *msg)
{
	struct agent *a = arg;

	if (a->phase != PH_RUN) {
		a->pub_busy = false;
		return;
	}
	if (err) {
		agent_log("moving the cursor: %s (retrying)", msg);
		retry_later(a, 200);
		return;
	}
	a->pub_busy = false;
	if (!etcd_bool(json, "succeeded")) {
		sync_resync(a, "etcd's cursor moved");
		return;
	}
	a->cursor = a->next_seq - 1;
	a->cursor_mod = etcd_int(etcd_get(json, "header"), "revision");
	a->cursor_reset = false;
	publish_kick(a);
}

static void
send_txn(struct agent *a, const char *body, etcd_fn *fn)
{
	if (etcd_call(a->etcd, "/v3/kv/txn", body, fn, a) != 0) {
		agent_log("out of memory");
		exit(1);
	}
}

/* Apply the kmod updates of the agent's own group (an applied revision). */
static void
own_group(struct agent *a, struct group *g)
{
	struct kupd *k;
	size_t i;

	if (g->seq <= a->old_last || STAILQ_EMPTY(&a->kupds))
		return;
	k = STAILQ_FIRST(&a->kupds);
	STAILQ_REMOVE_HEAD(&a->kupds, link);
	for (i = 0; i < k->n; i++) {
		kmap_set(&a->kmod, k->paths[i], k->rev, NULL);
		free(k->paths[i]);
	}
	free(k->paths);
	free(k);
}

static void
handle_group(struct agent *a)
{
	struct group *g = a->pg;
	char *inner, *body;
	size_t n;

	if (g->agent) {
		own_group(a, g);
		done_group(a);
		return;
	}
	if (g->lost) {
		a->pub_busy = false;
		sync_resync(a, "the daemon lost changes from its stream");
		return;
	}
	if (migrate_group(a, g))
		return;
	inner = inner_txn(a, g, &n);
	if (inner == NULL) {
		/* Nothing this host may publish: the group is handled. */
		verdict(a, g, true, 0);
		done_group(a);
		return;
	}
	body = outer_txn(a, g->seq, inner);
	send_txn(a, body, txn_done);
	free(inner);
	free(body);
}

static void
page_done(void *arg, int err, const char *data, size_t len)
{
	struct agent *a = arg;
	uint64_t i = 0, off = 0;
	int r;

	if (a->phase != PH_RUN) {
		a->pub_busy = false;
		return;
	}
	if (err == ENOENT) {
		/* Nothing new: wait for the next watch event. */
		group_free(a->pg);
		a->pg = NULL;
		ack(a, true);
		a->pub_busy = false;
		if (a->pub_again)
			publish_kick(a);
		return;
	}
	if (err == ENOSPC) {
		a->pub_busy = false;
		sync_resync(a, "the daemon dropped stream groups not yet "
			       "published");
		return;
	}
	if (err) {
		agent_log("reading stream group %llu: %s",
			  (unsigned long long)a->next_seq, strerror(err));
		exit(1);
	}
	r = publish_parse_page(a->pg, data, len, &i, &off);
	if (r < 0) {
		agent_log("stream group %llu is malformed",
			  (unsigned long long)a->next_seq);
		exit(1);
	}
	if (r == 0)
		read_group(a, i, off);
	else
		handle_group(a);
}

static void
read_group(struct agent *a, uint64_t i, uint64_t off)
{
	char s[24], si[24], so[24];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)a->next_seq);
	if (i == 0 && off == 0) {
		xsc_sendv(a->xs, XS_CONTROL, 0, page_done, a, "stream", "read",
			  s, NULL);
		return;
	}
	snprintf(si, sizeof(si), "%llu", (unsigned long long)i);
	snprintf(so, sizeof(so), "%llu", (unsigned long long)off);
	xsc_sendv(a->xs, XS_CONTROL, 0, page_done, a, "stream", "read", s, si,
		  so, NULL);
}

static void
done_group(struct agent *a)
{
	group_free(a->pg);
	a->pg = NULL;
	a->next_seq++;
	ack(a, false);
	a->pub_busy = false;
	publish_kick(a);
}

void
publish_kick(struct agent *a)
{
	char *body;

	if (a->retry == NULL)
		a->retry = evtimer_new(a->base, retry_cb, a);
	if (a->phase != PH_RUN)
		return;
	if (a->pub_busy) {
		a->pub_again = true;
		return;
	}
	a->pub_busy = true;
	a->pub_again = false;
	if (a->cursor_reset) {
		body = outer_txn(a, a->next_seq - 1, NULL);
		send_txn(a, body, cursor_done);
		free(body);
		return;
	}
	a->pg = calloc(1, sizeof(*a->pg));
	if (a->pg == NULL)
		exit(1);
	read_group(a, 0, 0);
}
