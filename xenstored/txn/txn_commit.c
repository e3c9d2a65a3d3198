/* SPDX-License-Identifier: MIT */
/*
 * Committing a transaction (txn_int.h; docs/transactions.md, "Commit"):
 * check that everything it observed still holds, apply its private
 * changes to the store in one step, and fire the watch events the
 * changes owe, the way Xen's C daemon fires them.
 *
 * Everything a commit allocates (the sorted nodes, the events it owes)
 * is allocated before the store changes: ENOMEM then applies nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "conn.h"
#include "domain.h"
#include "log.h"
#include "path.h"
#include "store.h"
#include "txn_int.h"
#include "txn_sched.h"
#include "watch.h"

static bool
still_valid(const struct tnode *tn)
{
	struct node *n;

	if (tn->detached)
		return true;
	n = store_lookup(tn->path);
	if ((n ? node_pgen(n) : 0) != tn->obs_pgen)
		return false;
	if (tn->obs_value && node_vgen(n) != tn->obs_vgen)
		return false;
	if (tn->obs_children && node_cgen(n) != tn->obs_cgen)
		return false;
	return true;
}

static int
by_depth_then_seq(const void *a, const void *b)
{
	const struct tnode *x = *(struct tnode *const *)a;
	const struct tnode *y = *(struct tnode *const *)b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Nodes the commit would add to the caller's count. */
static int
check_node_quota(struct txn *t, struct tnode **v, unsigned n)
{
	struct conn *c = t->conn;
	unsigned long created = 0;
	unsigned i;

	if (c->who.privileged || c->domain == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (v[i]->exists && v[i]->created &&
		    v[i]->perms[0].id == c->domain->domid)
			created++;
	if (created == 0)
		return 0;
	return domain_quota_check(c->domain, QUOTA_NODES,
				  c->domain->nodes + created);
}

/*
 * The arena has a block for every node the commit creates or resizes
 * (blocks its removals free are not counted: a large removal frees
 * them later); 0 or ENOMEM.
 */
static int
check_room(void *ctx, struct tnode **v, unsigned n)
{
	size_t *sizes = talloc_array(ctx, size_t, n ? n : 1), k = 0, size;
	struct node *live;
	unsigned i;

	if (sizes == NULL)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		const struct tnode *tn = v[i];
		size_t namelen = strlen(strrchr(tn->path, '/') + 1);

		if (!tn->exists)
			continue;
		live = tn->created ? NULL : store_lookup(tn->path);
		if (live == NULL) {
			sizes[k++] =
				store_block_size(tn->nperms, tn->vlen, namelen);
			continue;
		}
		size = store_block_size(
			tn->perms_written ? tn->nperms : live->nperms,
			tn->value_written ? tn->vlen : live->vlen, namelen);
		if (size != store_block_size(live->nperms, live->vlen, namelen))
			sizes[k++] = size;
	}
	return store_room_for(sizes, k) ? 0 : ENOMEM;
}

static int
apply_one(struct tnode *tn)
{
	struct node *n = store_lookup(tn->path);

	if (n == NULL || tn->created) {
		if (n)
			store_rm(n);
		n = store_create(tn->path, tn->perms, tn->nperms, tn->value,
				 tn->vlen, tn->implicit);
		return n ? 0 : errno;
	}
	return store_update(n, tn->value_written ? tn->value : NULL, tn->vlen,
			    tn->perms_written ? tn->perms : NULL, tn->nperms);
}

/* A watch event the commit owes, with the permissions that judge it. */
struct owed {
	STAILQ_ENTRY(owed) link;
	char *path;
	struct watch_perms ps[3]; /* the node's, before, the parent's */
	bool exact;
};

STAILQ_HEAD(owed_list, owed);

/* A new event on ctx, with copies of its permissions; NULL on ENOMEM. */
static struct owed *
owed_new(void *ctx, const char *path, bool exact,
	 const struct watch_perms ps[3])
{
	struct owed *o = talloc_zero(ctx, struct owed);
	unsigned i;

	if (o == NULL || (o->path = talloc_strdup(o, path)) == NULL)
		goto nomem;
	for (i = 0; i < 3; i++) {
		if (ps[i].p == NULL)
			continue;
		o->ps[i].n = ps[i].n;
		o->ps[i].p =
			talloc_memdup(o, ps[i].p, ps[i].n * sizeof(*ps[i].p));
		if (o->ps[i].p == NULL)
			goto nomem;
	}
	o->exact = exact;
	return o;
nomem:
	talloc_free(o);
	return NULL;
}

struct subtree {
	void *ctx;
	struct owed_list events; /* deepest first */
	struct node *top;
};

/* Owe n's exact event ahead of those collected so far. */
static int
owe_node(struct node *n, void *arg)
{
	struct subtree *st = arg;
	struct node *parent = node_parent(n);
	struct watch_perms ps[3] = {
		{node_perms(n), n->nperms},
		{NULL, 0},
		{node_perms(parent), parent->nperms},
	};
	char path[PATH_BUF];
	struct owed *o;

	if (n == st->top)
		return 0;
	node_path(n, path, sizeof(path));
	if ((o = owed_new(st->ctx, path, true, ps)) == NULL)
		return ENOMEM;
	STAILQ_INSERT_HEAD(&st->events, o, link);
	return 0;
}

/*
 * What a removal owes: an exact event for each committed node below the
 * removed one (deepest first: the walk's pre-order reversed), recorded
 * before the commit frees them.
 */
static int
owe_removal(void *ctx, struct owed_list *owed, struct tnode *tn)
{
	struct node *live = store_lookup(tn->path);
	struct subtree st = {ctx, STAILQ_HEAD_INITIALIZER(st.events), live};

	if (live && store_walk(live, owe_node, &st) != 0)
		return ENOMEM;
	STAILQ_CONCAT(owed, &st.events);
	return 0;
}

static void
fire_owed(struct owed_list *owed)
{
	struct owed *o;

	STAILQ_FOREACH(o, owed, link)
		watch_fire(o->path, o->ps, 3, o->exact);
}

/*
 * The events of a commit, on ctx, in the order the transaction first
 * touched their nodes, one per node, as Xen's C daemon fires them:
 * removals owe the exact events of the nodes below, then an event on the
 * node.  0 or ENOMEM.
 */
static int
owed_events(void *ctx, struct txn *t, struct owed_list *owed)
{
	struct tnode *tn, *parent;
	struct owed *o;
	char *ppath;

	for (tn = t->head; tn; tn = tn->next) {
		if (!tn->fire || path_is_special(tn->path) ||
		    (!tn->exists && !tn->replaced))
			continue;
		if (tn->replaced && owe_removal(ctx, owed, tn) != 0)
			return ENOMEM;
		ppath = path_parent(ctx, tn->path);
		parent = ppath ? txn_tnode(t, ppath) : NULL;
		{
			struct watch_perms ps[3] = {
				{tn->exists ? tn->perms : NULL, tn->nperms},
				{tn->orig_perms, tn->norig},
				{parent ? parent->perms : NULL,
				 parent ? parent->nperms : 0},
			};

			o = owed_new(ctx, tn->path, false, ps);
		}
		if (o == NULL)
			return ENOMEM;
		STAILQ_INSERT_TAIL(owed, o, link);
	}
	return 0;
}

int
txn_commit(struct txn *t)
{
	struct owed_list owed = STAILQ_HEAD_INITIALIZER(owed);
	struct tnode *tn, **v;
	unsigned n = 0, i;
	void *ctx;
	int err;

	if (t->lost)
		return EAGAIN;
	if (t->failed)
		return ENOMEM;
	for (tn = t->head; tn; tn = tn->next)
		if (!still_valid(tn)) {
			sched_conflict(tn->path);
			return EAGAIN;
		}
	if ((ctx = talloc_new(t)) == NULL)
		return ENOMEM;
	v = talloc_array(ctx, struct tnode *, t->ntouched);
	if (v == NULL)
		goto nomem;
	for (tn = t->head; tn; tn = tn->next)
		if (tn->replaced ||
		    (tn->exists &&
		     (tn->created || tn->value_written || tn->perms_written)))
			v[n++] = tn;
	qsort(v, n, sizeof(*v), by_depth_then_seq);
	err = check_node_quota(t, v, n);
	if (!err)
		err = check_room(ctx, v, n);
	if (err)
		goto out;
	if (owed_events(ctx, t, &owed) != 0)
		goto nomem;
	store_mute(true);
	for (i = 0; i < n; i++) {
		struct node *live = store_lookup(v[i]->path);

		if (v[i]->replaced && live)
			store_rm(live);
	}
	for (i = 0; i < n && !err; i++)
		if (v[i]->exists)
			err = apply_one(v[i]);
	store_mute(false);
	if (err) {
		/* Only allocation can fail here: half applied, never again. */
		t->failed = true;
		log_warnx("conn %lu: commit of transaction %u failed "
			  "half-way: %s",
			  t->conn->id, t->id, strerror(err));
	} else
		fire_owed(&owed);
out:
	talloc_free(ctx);
	return err;
nomem:
	talloc_free(ctx);
	return ENOMEM;
}
