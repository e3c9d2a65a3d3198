/* SPDX-License-Identifier: MIT */
/*
 * Committing a transaction (txn_int.h; docs/transactions.md, "Commit"):
 * check that everything it observed still holds, apply its private
 * changes to the store in one step, and fire the watch events the
 * changes owe, the way Xen's C daemon fires them.
 */
#include <errno.h>
#include <glib.h>
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
	return store_update(n, tn->value_written ? tn->value : NULL,
			    tn->vlen, tn->perms_written ? tn->perms : NULL,
			    tn->nperms);
}

/* A watch event the commit owes, with the permissions that judge it. */
struct owed {
	char *path;
	struct watch_perms ps[3]; /* the node's, before, the parent's */
	bool exact;
};

static void
owe(struct txn *t, GPtrArray *owed, const char *path, bool exact,
    const struct watch_perms ps[3])
{
	struct owed *o = talloc_zero(t, struct owed);
	unsigned i;

	if (o == NULL)
		return;
	o->path = talloc_strdup(o, path);
	for (i = 0; i < 3; i++) {
		o->ps[i].n = ps[i].p ? ps[i].n : 0;
		o->ps[i].p = ps[i].p ? talloc_memdup(o, ps[i].p,
						     ps[i].n * sizeof(*ps[i].p))
				     : NULL;
	}
	o->exact = exact;
	g_ptr_array_add(owed, o);
}

struct subtree {
	struct txn *t;
	GPtrArray *nodes;
	struct node *top;
};

static int
collect_node(struct node *n, void *arg)
{
	struct subtree *st = arg;

	if (n != st->top)
		g_ptr_array_add(st->nodes, n);
	return 0;
}

/*
 * What a removal owes: an exact event for each committed node below the
 * removed one (deepest first), recorded before the commit frees them.
 */
static void
owe_removal(struct txn *t, GPtrArray *owed, struct tnode *tn)
{
	struct node *live = store_lookup(tn->path), *n;
	struct subtree st = { t, g_ptr_array_new(), live };
	guint i;

	if (live)
		store_walk(live, collect_node, &st);
	for (i = st.nodes->len; i-- > 0;) {
		struct node *parent = node_parent(n = st.nodes->pdata[i]);
		struct watch_perms ps[3] = {
			{ node_perms(n), n->nperms },
			{ NULL, 0 },
			{ node_perms(parent), parent->nperms },
		};
		char path[PATH_BUF];

		node_path(n, path, sizeof(path));
		owe(t, owed, path, true, ps);
	}
	g_ptr_array_free(st.nodes, TRUE);
}

static void
fire_owed(GPtrArray *owed)
{
	struct owed *o;
	guint i;

	for (i = 0; i < owed->len; i++) {
		o = owed->pdata[i];
		watch_fire(o->path, o->ps, 3, o->exact);
	}
}

/*
 * The events of a commit, in the order the transaction first touched
 * their nodes, one per node, as Xen's C daemon fires them: removals owe
 * the exact events of the nodes below, then an event on the node.
 */
static GPtrArray *
owed_events(struct txn *t)
{
	GPtrArray *owed = g_ptr_array_new();
	struct tnode *tn, *parent;
	char *ppath;

	for (tn = t->head; tn; tn = tn->next) {
		if (!tn->fire || path_is_special(tn->path) ||
		    (!tn->exists && !tn->replaced))
			continue;
		if (tn->replaced)
			owe_removal(t, owed, tn);
		ppath = path_parent(t, tn->path);
		parent = ppath ? g_hash_table_lookup(t->nodes, ppath) : NULL;
		{
			struct watch_perms ps[3] = {
				{ tn->exists ? tn->perms : NULL, tn->nperms },
				{ tn->orig_perms, tn->norig },
				{ parent ? parent->perms : NULL,
				  parent ? parent->nperms : 0 },
			};

			owe(t, owed, tn->path, false, ps);
		}
	}
	return owed;
}

int
txn_commit(struct txn *t)
{
	struct tnode *tn, **v;
	GPtrArray *owed;
	unsigned n = 0, i;
	int err;

	if (t->failed)
		return ENOMEM;
	for (tn = t->head; tn; tn = tn->next)
		if (!still_valid(tn)) {
			sched_conflict(tn->path);
			return EAGAIN;
		}
	v = talloc_array(t, struct tnode *, t->ntouched);
	if (v == NULL)
		return ENOMEM;
	for (tn = t->head; tn; tn = tn->next)
		if (tn->replaced || (tn->exists && (tn->created ||
						    tn->value_written ||
						    tn->perms_written)))
			v[n++] = tn;
	qsort(v, n, sizeof(*v), by_depth_then_seq);
	err = check_node_quota(t, v, n);
	if (err)
		return err;
	owed = owed_events(t);
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
	if (err)
		/* Only allocation can fail here: half applied. */
		log_warnx("conn %lu: commit of transaction %u failed "
			  "half-way: %s", t->conn->id, t->id, strerror(err));
	else
		fire_owed(owed);
	g_ptr_array_free(owed, TRUE);
	return err;
}
