/* SPDX-License-Identifier: MIT */
/*
 * view.h: each call goes to the transaction when there is one, else to
 * the committed store.
 *
 * Special nodes (@introduceDomain, @releaseDomain) live outside
 * transactions: SET_PERMS on one applies at once even inside a
 * transaction, so every other look at them must see the committed node
 * too.  Otherwise a transaction that reads their permissions, sets them
 * and reads them again sees its own change vanish, and fails its commit
 * with EAGAIN because of that change, on every retry.
 */
#include <errno.h>
#include <string.h>
#include <talloc.h>

#include "path.h"
#include "store.h"
#include "view.h"

/* The transaction path goes through, or NULL for the committed store. */
static struct txn *
via(struct txn *t, const char *path)
{
	return path_is_special(path) ? NULL : t;
}

int
view_lookup(struct txn *t, const char *path, struct nodeview *nv)
{
	struct node *n;

	if ((t = via(t, path)) != NULL)
		return txn_lookup(t, path, nv);
	n = store_lookup(path);
	nv->exists = n != NULL;
	nv->perms = n ? node_perms(n) : NULL;
	nv->nperms = n ? n->nperms : 0;
	nv->child_bytes = n ? n->child_bytes : 0;
	return 0;
}

int
view_read_value(struct txn *t, const char *path, const void **value,
		uint32_t *vlen)
{
	struct node *n;

	if ((t = via(t, path)) != NULL)
		return txn_read_value(t, path, value, vlen);
	n = store_lookup(path);
	if (n == NULL)
		return ENOENT;
	*value = node_value(n);
	*vlen = n->vlen;
	return 0;
}

size_t
view_entries_fitting(const char *names, size_t len, size_t max)
{
	size_t take = 0, e;

	while (take < len) {
		e = strnlen(names + take, len - take) + 1;
		if (take + e > max)
			break;
		take += e;
	}
	return take;
}

/* A transaction's list is whole in memory: the part is a slice of it. */
static int
txn_part(void *ctx, struct txn *t, const char *path, struct children *ch)
{
	char *all;
	size_t len;
	int err;

	if ((err = txn_children(ctx, t, path, &all, &len, &ch->gen)))
		return err;
	ch->total = len;
	ch->names = all + (ch->offset < len ? ch->offset : len);
	ch->len = view_entries_fitting(
		ch->names, len - (size_t)(ch->names - all), ch->max);
	return 0;
}

int
view_children(void *ctx, struct txn *t, const char *path, struct children *ch)
{
	struct node *n, *k;
	size_t start, skip, l;
	char *buf;

	if ((t = via(t, path)) != NULL)
		return txn_part(ctx, t, path, ch);
	if ((n = store_lookup(path)) == NULL)
		return ENOENT;
	ch->gen = node_cgen(n);
	ch->total = n->child_bytes;
	ch->len = 0;
	if ((buf = talloc_size(ctx, ch->max + 1)) == NULL)
		return ENOMEM;
	ch->names = buf;
	k = store_child_at(n, ch->offset, &start);
	for (skip = ch->offset - start; k; k = node_next_sibling(k), skip = 0) {
		l = (size_t)k->namelen + 1 - skip;
		if (ch->len + l > ch->max)
			break;
		memcpy(buf + ch->len, node_name(k) + skip, l);
		ch->len += l;
	}
	return 0;
}

int
view_create(struct txn *t, const char *path, const struct perm *perms,
	    unsigned nperms, const void *value, uint32_t vlen, bool implicit)
{
	if ((t = via(t, path)) != NULL)
		return txn_create(t, path, perms, nperms, value, vlen,
				  implicit);
	return store_create(path, perms, nperms, value, vlen, implicit) ? 0
									: errno;
}

int
view_set_value(struct txn *t, const char *path, const void *value,
	       uint32_t vlen)
{
	struct node *n;

	if ((t = via(t, path)) != NULL)
		return txn_set_value(t, path, value, vlen);
	n = store_lookup(path);
	return n ? store_update(n, value, vlen, NULL, 0) : ENOENT;
}

int
view_set_perms(struct txn *t, const char *path, const struct perm *perms,
	       unsigned nperms)
{
	struct node *n;

	if ((t = via(t, path)) != NULL)
		return txn_set_perms(t, path, perms, nperms);
	n = store_lookup(path);
	return n ? store_update(n, NULL, 0, perms, nperms) : ENOENT;
}

/* Remove path's subtree; quiet: as if it had never been made. */
static int
rm(struct txn *t, const char *path, bool quiet)
{
	struct node *n;

	if ((t = via(t, path)) != NULL)
		return txn_rm(t, path);
	n = store_lookup(path);
	if (n == NULL)
		return ENOENT;
	if (quiet)
		store_mute(true);
	store_rm(n);
	if (quiet)
		store_mute(false);
	return 0;
}

int
view_rm(struct txn *t, const char *path)
{
	return rm(t, path, false);
}

int
view_uncreate(struct txn *t, const char *path)
{
	return rm(t, path, true);
}
