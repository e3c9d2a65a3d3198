/* SPDX-License-Identifier: MIT */
/*
 * Transactions (txn.h; the design is in docs/transactions.md): their
 * private view of the tree.  Committing it is txn_commit.c's.
 *
 * Each node a transaction touches gets a tnode: its private view of that
 * node plus what it observed of the committed node.  An example, with the
 * committed tree holding /d (pgen 5, cgen 9) and /d/x:
 *
 *	T1: WRITE /d/a 1	touches /d/a (absent: obs_pgen 0) and /d
 *				(obs_pgen 5, to check write access), creates a
 *	T2: WRITE /d/b 2	the same for /d/b and /d
 *	T1 commits		/d/a still absent, /d still pgen 5: applied;
 *				/d's cgen changes, its pgen does not
 *	T2 commits		/d/b absent, /d pgen 5: applied as well
 *
 * Had T1 listed /d (DIRECTORY), it would have observed cgen 9, and T2's
 * earlier commit would make T1 fail with EAGAIN: T1 saw a list that no
 * longer exists.
 *
 * "Shadow" tnodes (created or deleted in the transaction, or below such a
 * node) hide the committed nodes beneath them: a path below a shadow is
 * looked at through the transaction only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "conn.h"
#include "domain.h"
#include "mem.h"
#include "path.h"
#include "store.h"
#include "txn.h"
#include "txn_int.h"
#include "txn_sched.h"

/*
 * A guest's transactions hold private copies of what they touch; they
 * count against its memory quota like its nodes do (XSA-326).  dom0's
 * are not counted, so its large transactions pay nothing for this.
 */
static bool
accounted(const struct txn *t)
{
	return !t->conn->who.privileged && t->conn->domain != NULL;
}

/* Whether t may grow by about len bytes: 0 or ENOMEM (logged). */
static int
may_grow(struct txn *t, size_t len)
{
	struct domain *d = t->conn->domain;

	if (!accounted(t))
		return 0;
	return domain_quota_check(d, QUOTA_MEMORY, domain_memory_used(d) + len);
}

/* What tn holds now, for recount(); 0 where nothing is counted. */
static size_t
held(const struct txn *t, const struct tnode *tn)
{
	return tn && accounted(t) ? talloc_total_size(tn) : 0;
}

/* Charge the change of tn's size since it held `before` bytes. */
static void
recount(struct txn *t, const struct tnode *tn, size_t before)
{
	long delta = (long)held(t, tn) - (long)before;

	if (delta == 0 || !accounted(t))
		return;
	t->bytes += (size_t)delta;
	domain_memory_adjust(t->conn->domain->domid, delta);
}

static int
tnode_cmp(const struct tnode *a, const struct tnode *b)
{
	return strcmp(a->path, b->path);
}

RB_GENERATE_LOCAL(tnodes, tnode, link, tnode_cmp)

struct tnode *
txn_tnode(const struct txn *t, const char *path)
{
	struct tnode key;

	/* The tree's functions take no const: neither is written to. */
	key.path = (char *)(uintptr_t)path;
	return RB_FIND(tnodes, (struct tnodes *)(uintptr_t)&t->nodes, &key);
}

/* A connection's transactions (conn.h's txns). */
struct conn_txns {
	struct txn *head;
	uint32_t next_id;
	uint32_t restored_at; /* ids before it died with the last daemon */
	bool restored;
	unsigned failures; /* EAGAIN commits in a row */
};

static int
destroy_txn(struct txn *t)
{
	struct txn **pp;

	for (pp = &t->conn->txns->head; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	if (t->conn->domain && t->conn->domain->transactions)
		t->conn->domain->transactions--;
	if (t->bytes && t->conn->domain)
		domain_memory_adjust(t->conn->domain->domid, -(long)t->bytes);
	sched_gone(t, t->committed);
	return 0;
}

static uint32_t
next_id(struct conn *c)
{
	struct conn_txns *ct = c->txns;

	do {
		if (++ct->next_id == 0)
			ct->next_id = 1;
	} while (txn_find(c, ct->next_id) != NULL);
	return ct->next_id;
}

unsigned
txn_failures(const struct conn *c)
{
	return c->txns ? c->txns->failures : 0;
}

struct txn *
txn_start(struct conn *c)
{
	struct txn *t;
	int err;

	if (!c->who.privileged && c->domain) {
		err = domain_quota_check(c->domain, QUOTA_TRANSACTIONS,
					 c->domain->transactions + 1UL);
		if (err) {
			errno = err;
			return NULL;
		}
	}
	if (mem_headroom() != 0 ||
	    (c->txns == NULL &&
	     (c->txns = talloc_zero(c, struct conn_txns)) == NULL) ||
	    (t = talloc_zero(c, struct txn)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	RB_INIT(&t->nodes);
	t->conn = c;
	t->started = time(NULL);
	t->id = next_id(c);
	t->next = c->txns->head;
	c->txns->head = t;
	if (c->domain)
		c->domain->transactions++;
	talloc_set_destructor(t, destroy_txn);
	sched_started(t);
	return t;
}

time_t
txn_oldest(const struct conn *c)
{
	const struct txn *t;
	time_t oldest = 0;

	for (t = c->txns ? c->txns->head : NULL; t; t = t->next)
		if (oldest == 0 || t->started < oldest)
			oldest = t->started;
	return oldest;
}

struct conn *
txn_conn(const struct txn *t)
{
	return t->conn;
}

bool
txn_changed(const struct txn *t, const char *path)
{
	const struct tnode *tn = txn_tnode(t, path);

	return tn && (tn->value_written || tn->created || tn->replaced ||
		      tn->perms_written || tn->kid_changes);
}

uint32_t
txn_id(const struct txn *t)
{
	return t->id;
}

/*
 * After a restart the connection's ids go on RESTORE_GAP past the last
 * saved one: transactions started since that save (in turns that
 * changed nothing) have ids in between, which must not be handed out
 * again while their guest may still use them.
 */
#define RESTORE_GAP 0x10000u

uint32_t
txn_next_id(const struct conn *c)
{
	return c->txns ? c->txns->next_id : 0;
}

int
txn_restore_ids(struct conn *c, uint32_t next)
{
	if (c->txns == NULL &&
	    (c->txns = talloc_zero(c, struct conn_txns)) == NULL)
		return ENOMEM;
	c->txns->next_id = next + RESTORE_GAP;
	c->txns->restored_at = c->txns->next_id;
	c->txns->restored = true;
	return 0;
}

struct txn *
txn_adopt(struct conn *c, uint32_t id)
{
	struct conn_txns *ct = c->txns;
	struct txn *t;

	/* Ids in the window before restored_at are those of the dead one. */
	if (id == 0 || ct == NULL || !ct->restored ||
	    ct->restored_at - id > 2 * RESTORE_GAP) {
		errno = ENOENT;
		return NULL;
	}
	if ((t = txn_start(c)) == NULL) {
		errno = EAGAIN;
		return NULL;
	}
	ct->next_id--; /* txn_start took one: give it back */
	t->id = id;
	t->lost = true;
	return t;
}

struct txn *
txn_find(struct conn *c, uint32_t id)
{
	struct txn *t;

	for (t = c->txns ? c->txns->head : NULL; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

void
txn_abort_all(struct conn *c)
{
	while (c->txns && c->txns->head)
		talloc_free(c->txns->head);
}

/* True if a tnode of t on a strict ancestor of path shadows it. */
static bool
shadowed(struct txn *t, const char *path)
{
	char buf[PATH_BUF];
	size_t len = strlen(path);
	struct tnode *tn;

	if (t->nshadow == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, path, len + 1);
	while (len > 1) {
		len = path_parent_len(buf);
		buf[len] = '\0';
		tn = txn_tnode(t, buf);
		if (tn && tn->shadow)
			return true;
	}
	return false;
}

/* Give tn a copy of p; 0, or ENOMEM with tn as it was. */
static int
copy_perms(struct tnode *tn, const struct perm *p, unsigned n)
{
	struct perm *copy = talloc_memdup(tn, p, n * sizeof(*p));

	if (copy == NULL)
		return ENOMEM;
	talloc_free(tn->perms);
	tn->perms = copy;
	tn->nperms = n;
	return 0;
}

/* What tn's node is in the committed tree; 0 or ENOMEM. */
static int
observe_live(struct tnode *tn)
{
	struct node *n = store_lookup(tn->path);

	tn->obs_pgen = n ? node_pgen(n) : 0;
	tn->exists = tn->live = n != NULL;
	if (n == NULL)
		return 0;
	tn->orig_perms = talloc_memdup(tn, node_perms(n),
				       n->nperms * sizeof(struct perm));
	tn->norig = n->nperms;
	tn->live_child_bytes = n->child_bytes;
	if (tn->orig_perms == NULL)
		return ENOMEM;
	return copy_perms(tn, node_perms(n), n->nperms);
}

static struct tnode *
touch(struct txn *t, const char *path)
{
	struct tnode *tn = txn_tnode(t, path);
	struct conn *c = t->conn;

	if (tn)
		return tn;
	if (!c->who.privileged && c->domain &&
	    domain_quota_check(c->domain, QUOTA_TXN_NODES, t->ntouched + 1UL)) {
		t->failed = true;
		errno = ENOSPC;
		return NULL;
	}
	if ((errno = may_grow(t, sizeof(*tn) + strlen(path) + 1)))
		return NULL;
	/* Everything allocated before it is linked: ENOMEM changes nothing. */
	tn = mem_headroom() ? NULL : talloc_zero(t, struct tnode);
	if (tn == NULL || !(tn->path = talloc_strdup(tn, path))) {
		talloc_free(tn);
		errno = ENOMEM;
		return NULL;
	}
	if (shadowed(t, path))
		tn->detached = true;
	else if (observe_live(tn) != 0) {
		talloc_free(tn);
		errno = ENOMEM;
		return NULL;
	}
	tn->depth = path_depth_below("/", path);
	tn->seq = ++t->seq;
	RB_INSERT(tnodes, &t->nodes, tn);
	if (t->tail)
		t->tail->next = tn;
	else
		t->head = tn;
	t->tail = tn;
	t->ntouched++;
	recount(t, tn, 0);
	return tn;
}

static void
make_shadow(struct txn *t, struct tnode *tn)
{
	if (!tn->shadow)
		t->nshadow++;
	tn->shadow = true;
}

static size_t
view_child_bytes(const struct tnode *tn)
{
	size_t sum = 0;
	unsigned i;

	if (tn->snap) {
		for (i = 0; i < tn->nkids; i++)
			sum += strlen(tn->kids[i]) + 1;
		return sum;
	}
	sum = tn->live ? tn->live_child_bytes : 0;
	for (i = 0; i < tn->nadded; i++)
		sum += strlen(tn->added[i]) + 1;
	for (i = 0; i < tn->nremoved; i++)
		sum -= strlen(tn->removed[i]) + 1;
	return sum;
}

int
txn_lookup(struct txn *t, const char *path, struct nodeview *nv)
{
	struct tnode *tn = touch(t, path);

	if (tn == NULL)
		return errno;
	nv->exists = tn->exists;
	nv->perms = tn->perms;
	nv->nperms = tn->nperms;
	nv->child_bytes = tn->exists ? view_child_bytes(tn) : 0;
	return 0;
}

int
txn_read_value(struct txn *t, const char *path, const void **value,
	       uint32_t *vlen)
{
	struct tnode *tn = touch(t, path);
	struct node *n;
	size_t before;
	int err;

	if (tn == NULL)
		return errno;
	if (!tn->exists)
		return ENOENT;
	if (!tn->have_value && tn->live && sched_read_waits(t, path))
		return TXN_WAIT;
	if (!tn->have_value) {
		n = store_lookup(path);
		if ((err = may_grow(t, n ? n->vlen + 1U : 1U)))
			return err;
		before = held(t, tn);
		tn->value = n ? talloc_memdup(tn, node_value(n), n->vlen + 1)
			      : talloc_strdup(tn, "");
		recount(t, tn, before);
		if (tn->value == NULL)
			return ENOMEM;
		tn->obs_value = true;
		tn->obs_vgen = n ? node_vgen(n) : 0;
		tn->vlen = n ? n->vlen : 0;
		tn->have_value = true;
	}
	*value = tn->value;
	*vlen = tn->vlen;
	return 0;
}

static int
name_index(char **names, unsigned n, const char *name)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static void
remove_at(char **names, unsigned *n, int i)
{
	memmove(&names[i], &names[i + 1],
		(*n - (unsigned)i - 1) * sizeof(*names));
	(*n)--;
}

static int
push_name(struct tnode *tn, char ***arr, unsigned *n, const char *name)
{
	char **grown = talloc_realloc(tn, *arr, char *, *n + 1);

	if (grown == NULL)
		return ENOMEM;
	*arr = grown;
	grown[*n] = talloc_strdup(grown, name);
	if (grown[*n] == NULL)
		return ENOMEM;
	(*n)++;
	return 0;
}

/* The list as t sees it, in tn->kids; on ENOMEM, tn is as it was. */
static int
snapshot_children(struct tnode *tn)
{
	struct node *n, *k;
	unsigned i;

	if (tn->snap)
		return 0;
	n = tn->live ? store_lookup(tn->path) : NULL;
	for (k = n ? node_first_child(n) : NULL; k; k = node_next_sibling(k)) {
		if (name_index(tn->removed, tn->nremoved, node_name(k)) >= 0)
			continue;
		if (push_name(tn, &tn->kids, &tn->nkids, node_name(k)))
			goto nomem;
	}
	for (i = 0; i < tn->nadded; i++) {
		/*
		 * A child t created that was also created outside since
		 * (its commit will fail): listed once.
		 */
		if (name_index(tn->kids, tn->nkids, tn->added[i]) >= 0)
			continue;
		if (push_name(tn, &tn->kids, &tn->nkids, tn->added[i]))
			goto nomem;
	}
	if (n) {
		tn->obs_children = true;
		tn->obs_cgen = node_cgen(n);
	}
	tn->snap = true;
	return 0;
nomem:
	TALLOC_FREE(tn->kids);
	tn->nkids = 0;
	return ENOMEM;
}

int
txn_children(void *ctx, struct txn *t, const char *path, char **names,
	     size_t *len, uint64_t *gen)
{
	struct tnode *tn = touch(t, path);
	size_t total = 0, l, before;
	unsigned i;
	char *buf;
	int err;

	if (tn == NULL)
		return errno;
	if (!tn->exists)
		return ENOENT;
	if (!tn->snap && tn->live && sched_read_waits(t, path))
		return TXN_WAIT;
	if (!tn->snap && (err = may_grow(t, 2 * tn->live_child_bytes)))
		return err;
	before = held(t, tn);
	err = snapshot_children(tn);
	recount(t, tn, before);
	if (err)
		return ENOMEM;
	for (i = 0; i < tn->nkids; i++)
		total += strlen(tn->kids[i]) + 1;
	buf = talloc_size(ctx, total + 1);
	if (buf == NULL)
		return ENOMEM;
	for (total = 0, i = 0; i < tn->nkids; i++) {
		l = strlen(tn->kids[i]) + 1;
		memcpy(buf + total, tn->kids[i], l);
		total += l;
	}
	*names = buf;
	*len = total;
	*gen = tn->obs_cgen ^ ((uint64_t)tn->kid_changes << 48);
	return 0;
}

static int
child_added(struct tnode *parent, const char *name)
{
	parent->kid_changes++;
	if (parent->snap)
		return push_name(parent, &parent->kids, &parent->nkids, name);
	return push_name(parent, &parent->added, &parent->nadded, name);
}

static int
child_removed(struct tnode *parent, const char *name)
{
	int i;

	parent->kid_changes++;
	if (parent->snap) {
		i = name_index(parent->kids, parent->nkids, name);
		if (i >= 0)
			remove_at(parent->kids, &parent->nkids, i);
		return 0;
	}
	i = name_index(parent->added, parent->nadded, name);
	if (i >= 0) {
		remove_at(parent->added, &parent->nadded, i);
		return 0;
	}
	return push_name(parent, &parent->removed, &parent->nremoved, name);
}

/*
 * err (ENOMEM) came after the view had changed: the transaction can no
 * longer be committed as what its requests did (txn_commit says ENOMEM).
 */
static int
view_broken(struct txn *t, int err)
{
	if (err)
		t->failed = true;
	return err;
}

static struct tnode *
touch_parent(struct txn *t, const char *path)
{
	char buf[PATH_BUF];
	size_t len = path_parent_len(path);

	if (len >= sizeof(buf)) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(buf, path, len);
	buf[len] = '\0';
	return touch(t, buf);
}

static int
create_in(struct txn *t, struct tnode *tn, struct tnode *parent,
	  const char *path, const struct perm *perms, unsigned nperms,
	  const void *value, uint32_t vlen, bool implicit)
{
	void *copy;

	copy = mem_headroom() ? NULL : talloc_size(tn, vlen + 1);
	if (copy == NULL || copy_perms(tn, perms, nperms) != 0) {
		talloc_free(copy);
		return ENOMEM;
	}
	memcpy(copy, value ? value : "", value ? vlen : 0);
	((char *)copy)[vlen] = '\0';
	talloc_free(tn->value);
	tn->value = copy;
	tn->vlen = vlen;
	tn->have_value = tn->value_written = tn->perms_written = true;
	tn->exists = tn->created = true;
	tn->implicit = implicit;
	tn->fire |= !implicit;
	tn->snap = true;
	tn->nkids = tn->nadded = tn->nremoved = 0;
	tn->kid_changes++;
	tn->seq = ++t->seq;
	make_shadow(t, tn);
	return view_broken(t, child_added(parent, strrchr(path, '/') + 1));
}

int
txn_create(struct txn *t, const char *path, const struct perm *perms,
	   unsigned nperms, const void *value, uint32_t vlen, bool implicit)
{
	struct tnode *tn = touch(t, path), *parent;
	size_t before, pbefore;
	int err;

	if (tn == NULL || (parent = touch_parent(t, path)) == NULL)
		return errno;
	before = held(t, tn);
	pbefore = held(t, parent);
	err = create_in(t, tn, parent, path, perms, nperms, value, vlen,
			implicit);
	recount(t, tn, before);
	recount(t, parent, pbefore);
	return err;
}

int
txn_set_value(struct txn *t, const char *path, const void *value, uint32_t vlen)
{
	struct tnode *tn = touch(t, path);
	size_t before;
	void *copy;

	if (tn == NULL)
		return errno;
	before = held(t, tn);
	copy = mem_headroom() ? NULL : talloc_size(tn, vlen + 1);
	if (copy == NULL)
		return ENOMEM;
	memcpy(copy, value, vlen);
	((char *)copy)[vlen] = '\0';
	talloc_free(tn->value);
	tn->value = copy;
	recount(t, tn, before);
	tn->vlen = vlen;
	tn->have_value = tn->value_written = true;
	tn->implicit = false;
	tn->fire = true;
	return 0;
}

int
txn_set_perms(struct txn *t, const char *path, const struct perm *perms,
	      unsigned nperms)
{
	struct tnode *tn = touch(t, path);
	size_t before;
	int err;

	if (tn == NULL)
		return errno;
	before = held(t, tn);
	err = copy_perms(tn, perms, nperms);
	recount(t, tn, before);
	if (err)
		return ENOMEM;
	tn->perms_written = true;
	tn->implicit = false;
	tn->fire = true;
	return 0;
}

static void
forget(struct txn *t, struct tnode *tn)
{
	tn->exists = tn->live = false;
	tn->created = tn->value_written = tn->perms_written = false;
	tn->have_value = false;
	tn->snap = true;
	tn->nkids = tn->nadded = tn->nremoved = 0;
	tn->kid_changes++;
	make_shadow(t, tn);
}

int
txn_rm(struct txn *t, const char *path)
{
	struct tnode *tn = touch(t, path), *parent, *k;
	size_t before;
	int err;

	if (tn == NULL || (parent = touch_parent(t, path)) == NULL)
		return errno;
	if (tn->live)
		tn->replaced = true;
	forget(t, tn);
	tn->fire = true;
	for (k = t->head; k; k = k->next)
		if (k != tn && path_is_within(path, k->path))
			forget(t, k);
	before = held(t, parent);
	err = child_removed(parent, strrchr(path, '/') + 1);
	recount(t, parent, before);
	return view_broken(t, err);
}

int
txn_end(struct txn *t, bool do_commit)
{
	struct conn *c = t->conn;
	int err = do_commit ? txn_commit(t) : 0;

	if (do_commit)
		c->txns->failures = err == EAGAIN ? c->txns->failures + 1 : 0;
	if (err == ENOMEM && !t->failed) /* nothing applied: t may wait */
		return err;
	t->committed = do_commit && err == 0;
	talloc_free(t);
	return err;
}
