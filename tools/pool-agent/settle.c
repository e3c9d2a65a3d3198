/* SPDX-License-Identifier: MIT */
/*
 * xs-pool-agent --settle UUID REQ TARGET: xsim's last resort when no
 * agent answers its migration request REQ of guest UUID to TARGET (the
 * source's agent dead, paused, or restarted after the request's group
 * passed its cursor: docs/pool.md, "Migration").  It settles the
 * request from etcd, for good, and prints the outcome; it touches
 * neither the local tree nor the host's lease.
 *
 * One transaction, the same whatever the state:
 *
 *	compare  P/owner/<uuid> == this host
 *	success  P/migrate-cancel/<uuid>/<req> = this host, then the ranges
 *	failure  the ranges: P/owner/<uuid>, P/migrate/<uuid>,
 *		 P/migrate-done/<uuid>
 *
 * The request's own compare-and-swap requires that cancel key absent
 * (migrate.c, request_txn), so a request not in etcd yet can never land
 * after this: an agent that publishes it later is refused.  Then etcd's
 * state says all:
 *
 *	P/migrate/<uuid> names REQ	handed over (the owner says whether
 *					it was handed back since), with
 *					the target's report if
 *					P/migrate-done/<uuid> names REQ
 *	otherwise			not handed over, and never will be
 *
 * Worked example: h1's agent is killed while REQ waits in h1's stream;
 * xsim settles: owner h1, P/migrate/<uuid> absent, so the cancel key is
 * put and the answer is "error: ...", and xsim resumes the guest.  The
 * agent started again publishes REQ's group: its compare fails on the
 * cancel key (deleted in the same transaction, its work done), and the
 * guest stays on h1.  Had REQ landed before (the agent killed before
 * its answer), P/migrate/<uuid> names it: "handed h2" or h2's report.
 *
 * Prints two lines on stdout: the owner in etcd ("-" for none) and the
 * result in the words of /tool/pool/migrate-result/<req> ("handed T",
 * "running D", "failed: why", "error: why"), and logs it on stderr.
 * Exits 0, or 1 when etcd did not answer (nothing known).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "agent.h"

struct settle {
	struct agent *a;
	const char *uuid, *req, *target;
	char *owner_key, *mig_key, *done_key, *cancel_key;
	int status;
};

static char *
cat3(const char *x, const char *y, const char *z)
{
	size_t n = strlen(x) + strlen(y) + strlen(z) + 1;
	char *s = malloc(n);

	if (s == NULL) {
		agent_log("out of memory");
		exit(1);
	}
	snprintf(s, n, "%s%s%s", x, y, z);
	return s;
}

static void
range(yajl_gen g, const char *key)
{
	yajl_gen_map_open(g);
	j_key(g, "request_range");
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, key, strlen(key));
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static char *
body(struct settle *s)
{
	struct agent *a = s->a;
	yajl_gen g = yajl_gen_alloc(NULL);
	int branch;

	yajl_gen_map_open(g);
	j_key(g, "compare");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	j_key(g, "key");
	j_b64(g, s->owner_key, strlen(s->owner_key));
	j_key(g, "target");
	j_str(g, "VALUE");
	j_key(g, "result");
	j_str(g, "EQUAL");
	j_key(g, "value");
	j_b64(g, a->host, strlen(a->host));
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	for (branch = 0; branch < 2; branch++) {
		j_key(g, branch == 0 ? "success" : "failure");
		yajl_gen_array_open(g);
		if (branch == 0) {
			yajl_gen_map_open(g);
			j_key(g, "request_put");
			yajl_gen_map_open(g);
			j_key(g, "key");
			j_b64(g, s->cancel_key, strlen(s->cancel_key));
			j_key(g, "value");
			j_b64(g, a->host, strlen(a->host));
			yajl_gen_map_close(g);
			yajl_gen_map_close(g);
		}
		range(g, s->owner_key);
		range(g, s->mig_key);
		range(g, s->done_key);
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
	return j_done(g);
}

/* The value of the key response r (a range) found, malloc'd, or NULL. */
static char *
value_of(yajl_val r)
{
	yajl_val kvs = etcd_get(etcd_get(r, "response_range"), "kvs");
	size_t len;

	if (!kvs || !YAJL_IS_ARRAY(kvs) || kvs->u.array.len == 0)
		return NULL;
	return etcd_unb64(etcd_str(kvs->u.array.values[0], "value"), &len);
}

/* If v is "<req> <source> <rest>" of our request, <rest>; else NULL. */
static const char *
ours(const char *v, const char *req, const char *host)
{
	size_t l = strlen(req), h = strlen(host);

	if (v == NULL || strncmp(v, req, l) != 0 || v[l] != ' ' ||
	    strncmp(v + l + 1, host, h) != 0 || v[l + 1 + h] != ' ')
		return NULL;
	return v + l + 1 + h + 1;
}

static void
answer(struct settle *s, const char *owner, const char *mig, const char *done)
{
	const char *host = s->a->host, *report = ours(done, s->req, host);
	char res[700];

	if (ours(mig, s->req, host) != NULL) {
		if (report != NULL)
			snprintf(res, sizeof(res), "%.600s", report);
		else
			snprintf(res, sizeof(res), "handed %s", s->target);
		agent_log("migration %s: settled from etcd for xsim: guest %s "
			  "was handed over to %s (owner now %s)",
			  s->req, s->uuid, s->target, owner ? owner : "none");
	} else {
		if (owner == NULL)
			snprintf(res, sizeof(res),
				 "error: guest %s has no owner in the pool",
				 s->uuid);
		else if (strcmp(owner, host) != 0)
			snprintf(res, sizeof(res),
				 "error: guest %s belongs to host %.256s now "
				 "(another migration won)",
				 s->uuid, owner);
		else
			snprintf(res, sizeof(res),
				 "error: no agent answered, and etcd has no "
				 "hand-over: settled there, the request can "
				 "no longer land");
		agent_log("migration %s of %s to %s: settled from etcd for "
			  "xsim: not handed over (%s)",
			  s->req, s->uuid, s->target, res + 7);
	}
	printf("%s\n%s\n", owner ? owner : "-", res);
	s->status = 0;
}

static void
settled(void *arg, int err, yajl_val json, const char *msg)
{
	struct settle *s = arg;
	yajl_val rs = etcd_get(json, "responses");
	char *owner, *mig, *done;
	size_t n;

	if (err || !rs || !YAJL_IS_ARRAY(rs) || rs->u.array.len < 3) {
		agent_log("migration %s of %s: cannot settle it in etcd: %s",
			  s->req, s->uuid, err ? msg : "not etcd's answer");
		fprintf(stderr, "xs-pool-agent: %s\n",
			err ? msg : "not etcd's answer");
		event_base_loopbreak(s->a->base);
		return;
	}
	n = rs->u.array.len; /* the three ranges come last */
	owner = value_of(rs->u.array.values[n - 3]);
	mig = value_of(rs->u.array.values[n - 2]);
	done = value_of(rs->u.array.values[n - 1]);
	answer(s, owner, mig, done);
	free(owner);
	free(mig);
	free(done);
	event_base_loopbreak(s->a->base);
}

int
settle_run(struct agent *a, const char *uuid, const char *req,
	   const char *target)
{
	struct settle s = {a, uuid, req, target, NULL, NULL, NULL, NULL, 1};
	char *b, *u;

	if (*uuid == '\0' || *req == '\0' || strchr(uuid, '/') != NULL ||
	    strpbrk(req, "/ \n") != NULL) {
		fprintf(stderr, "xs-pool-agent: --settle: a uuid and a "
				"request id have no '/' or blank\n");
		return 2;
	}
	s.owner_key = cat3(a->prefix, "/owner/", uuid);
	s.mig_key = cat3(a->prefix, "/migrate/", uuid);
	s.done_key = cat3(a->prefix, "/migrate-done/", uuid);
	u = cat3(uuid, "/", req);
	s.cancel_key = cat3(a->prefix, "/migrate-cancel/", u);
	free(u);
	b = body(&s);
	if (etcd_call(a->etcd, "/v3/kv/txn", b, settled, &s) == 0)
		event_base_dispatch(a->base);
	free(b);
	free(s.owner_key);
	free(s.mig_key);
	free(s.done_key);
	free(s.cancel_key);
	return s.status;
}
