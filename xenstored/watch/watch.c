/* SPDX-License-Identifier: MIT */
/*
 * The watch index and event delivery (watch.h).
 *
 * Each watched path has a bucket in a tree by path (containers.h); a
 * bucket lists the watches on exactly that path, from any connection.  A change
 *to P walks P's ancestors, e.g. for P = /local/domain/1/name:
 *
 *	/local/domain/1/name -> bucket? fire (depth 0)
 *	/local/domain/1      -> bucket? fire if depth allows (depth 1)
 *	/local/domain        -> ...                            (depth 2)
 *	/local, /
 *
 * so firing costs one lookup per level plus the watches that match.
 * A watch is a talloc child of its connection; its destructor unlinks it
 * from its bucket and frees the bucket when it empties.  A new watch
 * allocates itself, its token and, for a new path, its bucket, all before
 * anything is linked: ENOMEM leaves the index as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>

#include "conn.h"
#include "containers.h"
#include "domain.h"
#include "mem.h"
#include "path.h"
#include "store.h"
#include "watch.h"
#include "xs_wire.h"

struct bucket {
	RB_ENTRY(bucket) link;
	struct watch *head;
	const char *path; /* bytes, or a lookup's key */
	char bytes[];
};

/*
 * A connection's watches (conn.h's watches), and those that fired for it
 * in the change being fired (fired_seq): one change sends a connection
 * one event per token and reported path, however many of its watches
 * match (two watches with token B on /t and /t/b, a change of /t/b: one
 * "/t/b B"), as Xen's C daemon does.
 */
struct conn_watches {
	struct watch *head;
	struct watch *fired;
	unsigned long fired_seq;
};

struct watch {
	struct watch *bnext, *bprev; /* in the bucket */
	struct watch *cnext;	     /* in the connection */
	struct watch *fnext;	     /* in conn_watches' fired */
	struct bucket *bucket;
	struct conn *conn;
	char *token;
	size_t strip;
	int depth;
};

static int
bucket_cmp(const struct bucket *a, const struct bucket *b)
{
	return strcmp(a->path, b->path);
}

RB_HEAD(buckets, bucket);
RB_GENERATE_LOCAL(buckets, bucket, link, bucket_cmp)

static struct buckets buckets = RB_INITIALIZER(&buckets);
static size_t nwatches;
static unsigned long fire_seq; /* one per change fired */

int
watch_init(void)
{
	RB_INIT(&buckets);
	return 0;
}

/* The bucket of path, or NULL. */
static struct bucket *
bucket_find(const char *path)
{
	struct bucket key;

	key.path = path;
	return RB_FIND(buckets, &buckets, &key);
}

size_t
watch_count(void)
{
	return nwatches;
}

/* The bucket of path, made if missing: NULL on ENOMEM. */
static struct bucket *
bucket_get(const char *path)
{
	struct bucket *b = bucket_find(path);
	size_t len;

	if (b != NULL)
		return b;
	len = strlen(path);
	b = talloc_size(NULL, sizeof(*b) + len + 1);
	if (b == NULL)
		return NULL;
	talloc_set_name_const(b, "struct bucket");
	b->head = NULL;
	memcpy(b->bytes, path, len + 1);
	b->path = b->bytes;
	RB_INSERT(buckets, &buckets, b);
	return b;
}

/* What a watch costs its domain's memory quota: its path and token. */
static long
watch_bytes(const struct watch *w)
{
	return (long)(strlen(w->bucket->path) + strlen(w->token));
}

static int
destroy_watch(struct watch *w)
{
	struct conn *c = w->conn;
	long bytes = watch_bytes(w); /* before the bucket may go */
	struct watch **pp;

	if (w->bprev)
		w->bprev->bnext = w->bnext;
	else
		w->bucket->head = w->bnext;
	if (w->bnext)
		w->bnext->bprev = w->bprev;
	if (w->bucket->head == NULL) {
		RB_REMOVE(buckets, &buckets, w->bucket);
		talloc_free(w->bucket);
	}
	for (pp = &c->watches->head; *pp != NULL; pp = &(*pp)->cnext) {
		if (*pp == w) {
			*pp = w->cnext;
			break;
		}
	}
	if (c->domain && c->domain->watches > 0)
		c->domain->watches--;
	if (c->domain)
		domain_memory_adjust(c->domain->domid, -bytes);
	nwatches--;
	return 0;
}

/* c's watches, made on first use; NULL on ENOMEM. */
static struct conn_watches *
watches_of(struct conn *c)
{
	if (c->watches == NULL)
		c->watches = talloc_zero(c, struct conn_watches);
	return c->watches;
}

static struct watch *
find_watch(struct conn *c, const char *path, const char *token)
{
	struct watch *w;

	for (w = c->watches ? c->watches->head : NULL; w != NULL; w = w->cnext)
		if (strcmp(w->bucket->path, path) == 0 &&
		    strcmp(w->token, token) == 0)
			return w;
	return NULL;
}

int
watch_add(struct conn *c, const char *path, size_t strip, const char *token,
	  int depth)
{
	struct watch *w;
	int err;

	if (find_watch(c, path, token) != NULL)
		return EEXIST;
	if (!c->who.privileged && c->domain != NULL) {
		err = domain_quota_check(c->domain, QUOTA_WATCHES,
					 c->domain->watches + 1UL);
		if (!err)
			err = domain_quota_check(c->domain, QUOTA_MEMORY,
						 domain_memory_used(c->domain) +
							 strlen(path) +
							 strlen(token));
		if (err)
			return err;
	}
	if (mem_headroom() != 0 || watches_of(c) == NULL)
		return ENOMEM;
	/* The bucket last: a new one must not stay empty. */
	w = talloc_zero(c, struct watch);
	if (w == NULL || (w->token = talloc_strdup(w, token)) == NULL ||
	    (w->bucket = bucket_get(path)) == NULL) {
		talloc_free(w);
		return ENOMEM;
	}
	w->conn = c;
	w->strip = strip;
	w->depth = depth;
	w->bnext = w->bucket->head;
	if (w->bnext)
		w->bnext->bprev = w;
	w->bucket->head = w;
	w->cnext = c->watches->head;
	c->watches->head = w;
	if (c->domain) {
		c->domain->watches++;
		domain_memory_adjust(c->domain->domid, watch_bytes(w));
	}
	nwatches++;
	talloc_set_destructor(w, destroy_watch);
	return 0;
}

int
watch_remove(struct conn *c, const char *path, const char *token)
{
	struct watch *w = find_watch(c, path, token);

	if (w == NULL)
		return ENOENT;
	talloc_free(w);
	return 0;
}

void
watch_foreach(struct conn *c,
	      void (*fn)(void *arg, const char *path, size_t strip,
			 const char *token, int depth),
	      void *arg)
{
	struct watch *w, *older = NULL, *next;

	/* The list is newest first: reverse it, walk it, reverse it back. */
	for (w = c->watches ? c->watches->head : NULL; w; w = next) {
		next = w->cnext;
		w->cnext = older;
		older = w;
	}
	for (w = older, older = NULL; w; w = next) {
		fn(arg, w->bucket->path, w->strip, w->token, w->depth);
		next = w->cnext;
		w->cnext = older;
		older = w;
	}
	if (c->watches)
		c->watches->head = older;
}

void
watch_remove_all(struct conn *c)
{
	while (c->watches && c->watches->head)
		talloc_free(c->watches->head);
}

static bool
may_see(const struct conn *c, const struct watch_perms *ps, unsigned nps)
{
	unsigned i;

	if (c->who.privileged)
		return true;
	for (i = 0; i < nps; i++)
		if (ps[i].p &&
		    perms_access(ps[i].p, ps[i].n, &c->who) & PERM_READ)
			return true;
	return false;
}

/*
 * True if w's event for the change being fired went out already, through
 * another watch of its connection with the same token and the same
 * reported path (the same strip: the changed path is the same); else w
 * joins the fired list.  The list is only walked on a connection's
 * second match of a change.
 */
static bool
already_fired(struct watch *w)
{
	struct conn_watches *cw = w->conn->watches;
	struct watch *f;

	if (cw->fired_seq != fire_seq) {
		cw->fired_seq = fire_seq;
		cw->fired = NULL;
	}
	for (f = cw->fired; f != NULL; f = f->fnext)
		if (f->strip == w->strip && strcmp(f->token, w->token) == 0)
			return true;
	w->fnext = cw->fired;
	cw->fired = w;
	return false;
}

static void
fire_bucket(struct bucket *b, const char *path, unsigned depth,
	    const struct watch_perms *ps, unsigned nps)
{
	struct watch *w;

	for (w = b->head; w != NULL; w = w->bnext) {
		if (w->conn->closing)
			continue;
		if (w->depth >= 0 && depth > (unsigned)w->depth)
			continue;
		if (!may_see(w->conn, ps, nps))
			continue;
		if (already_fired(w))
			continue;
		conn_queue_event(w->conn, path + w->strip, w->token);
	}
}

void
watch_fire(const char *path, const struct watch_perms *ps, unsigned nps,
	   bool exact)
{
	/*
	 * Not XENSTORE_ABS_PATH_MAX: privileged clients have no path quota,
	 * so a path is limited only by the request that carried it.
	 */
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct bucket *b;
	size_t len = strlen(path);
	unsigned depth = 0;

	if (RB_EMPTY(&buckets))
		return;
	fire_seq++;
	b = bucket_find(path);
	if (b)
		fire_bucket(b, path, 0, ps, nps);
	if (exact || len >= sizeof(buf) || path[0] != '/')
		return;
	memcpy(buf, path, len + 1);
	while (len > 1) {
		len = path_parent_len(buf);
		buf[len] = '\0';
		depth++;
		b = bucket_find(buf);
		if (b)
			fire_bucket(b, path, depth, ps, nps);
	}
}

void
watch_fire_special(const char *name, unsigned domid,
		   const struct watch_perms *ps)
{
	char sub[64];
	struct bucket *b;
	struct watch *w;

	snprintf(sub, sizeof(sub), "%s/%u", name, domid);
	b = bucket_find(name);
	for (w = b ? b->head : NULL; w != NULL; w = w->bnext) {
		if (w->conn->closing || !may_see(w->conn, ps, 1))
			continue;
		if (w->depth < 0)
			conn_queue_event(w->conn, name, w->token);
		else if (w->depth == 1)
			conn_queue_event(w->conn, sub, w->token);
	}
	b = bucket_find(sub);
	for (w = b ? b->head : NULL; w != NULL; w = w->bnext)
		if (!w->conn->closing && may_see(w->conn, ps, 1))
			conn_queue_event(w->conn, sub, w->token);
}

void
watch_observe(const struct store_change *ch)
{
	const struct node *n = ch->node, *parent = ch->parent;
	bool old = ch->op == STORE_UPDATE && ch->perms_changed;
	struct watch_perms ps[3] = {
		{node_perms(n), n->nperms},
		{old ? ch->old_perms : NULL, old ? ch->nold : 0},
		{parent ? node_perms(parent) : NULL,
		 parent ? parent->nperms : 0},
	};

	if (ch->quiet || path_is_special(ch->path))
		return;
	watch_fire(ch->path, ps, 3, ch->below);
}
