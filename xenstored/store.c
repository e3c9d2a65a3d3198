/* SPDX-License-Identifier: MIT */
/*
 * The committed tree (store.h).
 *
 * Nodes are malloc'd, not talloc'd: a large store has a million of them,
 * and a talloc header per node and per value would double its memory.
 * The tree owns them; store_rm frees them explicitly.  The path index is a
 * GLib hash set whose keys are the nodes' own path strings, so it costs
 * one pointer and one hash per node.
 */
#include <errno.h>
#include <glib.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "domain.h"
#include "path.h"
#include "store.h"
#include "watch.h"

static GHashTable *index_by_path;
static uint64_t generation;
static bool loading; /* store_load: nodes come from the database */
static bool muted;   /* store_mute: a commit fires its own events */

static struct node *
node_of_path(const char *path)
{
	return (struct node *)((uintptr_t)path - offsetof(struct node, path));
}

const char *
node_name(const struct node *n)
{
	const char *slash = strrchr(n->path, '/');

	return slash ? slash + 1 : n->path;
}

struct node *
store_lookup(const char *path)
{
	const char *key = g_hash_table_lookup(index_by_path, path);

	return key ? node_of_path(key) : NULL;
}

uint64_t
store_generation(void)
{
	return generation;
}

size_t
store_count(void)
{
	return g_hash_table_size(index_by_path);
}

size_t
store_node_size(const struct node *n)
{
	return 16 + n->nperms * sizeof(struct perm) + n->vlen +
	       n->child_bytes;
}

static void *
make_data(const struct perm *perms, unsigned nperms, const void *value,
	  uint32_t vlen)
{
	size_t psize = nperms * sizeof(struct perm);
	char *data = malloc(psize + vlen + 1);

	if (data == NULL)
		return NULL;
	memcpy(data, perms, psize);
	if (vlen)
		memcpy(data + psize, value, vlen);
	return data;
}

static void
link_child(struct node *parent, struct node *n)
{
	n->parent = parent;
	n->prev = parent->last;
	n->next = NULL;
	if (parent->last)
		parent->last->next = n;
	else
		parent->first = n;
	parent->last = n;
	parent->nchildren++;
	parent->child_bytes += (uint32_t)strlen(node_name(n)) + 1;
	parent->cgen = generation;
}

static void
unlink_child(struct node *n)
{
	struct node *parent = n->parent;

	if (n->prev)
		n->prev->next = n->next;
	else
		parent->first = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		parent->last = n->prev;
	parent->nchildren--;
	parent->child_bytes -= (uint32_t)strlen(node_name(n)) + 1;
	parent->cgen = ++generation;
}

static struct node *
node_alloc(const char *path, const struct perm *perms, unsigned nperms,
	   const void *value, uint32_t vlen)
{
	size_t plen = strlen(path);
	struct node *n = calloc(1, sizeof(*n) + plen + 1);

	if (n == NULL)
		return NULL;
	n->data = make_data(perms, nperms, value, vlen);
	if (n->data == NULL) {
		free(n);
		return NULL;
	}
	memcpy(n->path, path, plen + 1);
	n->pathlen = (uint16_t)plen;
	n->nperms = (uint16_t)nperms;
	n->vlen = vlen;
	n->vgen = n->pgen = n->cgen = n->birth = ++generation;
	return n;
}

static void
fire(struct node *n, const struct perm *old, unsigned nold, bool exact)
{
	struct watch_perms ps[3] = {
		{ node_perms(n), n->nperms },
		{ old, nold },
		{ n->parent ? node_perms(n->parent) : NULL,
		  n->parent ? n->parent->nperms : 0 },
	};

	if (muted || path_is_special(n->path))
		return;
	watch_fire(n->path, ps, 3, exact);
}

void
store_mute(bool on)
{
	muted = on;
}

struct node *
store_create(const char *path, const struct perm *perms, unsigned nperms,
	     const void *value, uint32_t vlen, bool quiet)
{
	struct node *parent = NULL, *n;

	if (strcmp(path, "/") != 0 && !path_is_special(path)) {
		/*
		 * Privileged clients may exceed XENSTORE_ABS_PATH_MAX;
		 * every path still came in one request.
		 */
		char ppath[XENSTORE_PAYLOAD_MAX + 1];
		size_t plen = path_parent_len(path);

		if (plen >= sizeof(ppath)) {
			errno = EINVAL;
			return NULL;
		}
		memcpy(ppath, path, plen);
		ppath[plen] = '\0';
		parent = store_lookup(ppath);
		if (parent == NULL) {
			errno = ENOENT;
			return NULL;
		}
	}
	n = node_alloc(path, perms, nperms, value, vlen);
	if (n == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	g_hash_table_add(index_by_path, n->path);
	if (parent)
		link_child(parent, n);
	domain_nodes_adjust(perms[0].id, 1);
	if (!loading)
		db_node_changed(n->path);
	if (!quiet)
		fire(n, NULL, 0, false);
	return n;
}

struct node *
store_load(const char *path, const struct perm *perms, unsigned nperms,
	   const void *value, uint32_t vlen, uint64_t birth)
{
	struct node *n;

	loading = true;
	n = store_create(path, perms, nperms, value, vlen, true);
	loading = false;
	if (n) {
		n->birth = birth;
		if (birth > generation)
			generation = birth;
	}
	return n;
}

int
store_update(struct node *n, const void *value, uint32_t vlen,
	     const struct perm *perms, unsigned nperms)
{
	struct perm old[nperms ? n->nperms : 1];
	unsigned nold = 0;
	void *data;

	if (value == NULL) {
		value = node_value(n);
		vlen = n->vlen;
	}
	if (perms == NULL) {
		perms = node_perms(n);
		nperms = n->nperms;
	} else {
		nold = n->nperms;
		memcpy(old, node_perms(n), nold * sizeof(*old));
	}
	data = make_data(perms, nperms, value, vlen);
	if (data == NULL)
		return ENOMEM;
	generation++;
	if (nold) {
		n->pgen = generation;
		if (old[0].id != perms[0].id) {
			domain_nodes_adjust(old[0].id, -1);
			domain_nodes_adjust(perms[0].id, 1);
		}
	} else {
		n->vgen = generation;
	}
	free(n->data);
	n->data = data;
	n->vlen = vlen;
	n->nperms = (uint16_t)nperms;
	db_node_changed(n->path);
	fire(n, nold ? old : NULL, nold, false);
	return 0;
}

static void
node_free(struct node *n)
{
	db_node_removed(n->path);
	g_hash_table_remove(index_by_path, n->path);
	domain_nodes_adjust(node_perms(n)->id, -1);
	free(n->data);
	free(n);
}

/*
 * Remove the subtree below top, deepest nodes first, without recursion
 * (a guest controls the depth).  Each removed node fires its exact watches
 * while it and its parent are still there to judge permissions.
 */
void
store_rm(struct node *top)
{
	struct node *n = top, *victim;

	for (;;) {
		while (n->first)
			n = n->first;
		if (n == top)
			break;
		victim = n;
		n = n->parent;
		fire(victim, NULL, 0, true);
		unlink_child(victim);
		node_free(victim);
	}
	fire(top, NULL, 0, false);
	if (top->parent)
		unlink_child(top);
	node_free(top);
}

int
store_walk(struct node *top, int (*fn)(struct node *, void *), void *arg)
{
	struct node *n = top;
	int ret;

	for (;;) {
		ret = fn(n, arg);
		if (ret)
			return ret;
		if (n->first) {
			n = n->first;
			continue;
		}
		while (n != top && n->next == NULL)
			n = n->parent;
		if (n == top)
			return 0;
		n = n->next;
	}
}

int
store_init(void)
{
	index_by_path = g_hash_table_new(g_str_hash, g_str_equal);
	return index_by_path ? 0 : -1;
}

int
store_create_base(unsigned priv_domid)
{
	struct perm owner = { priv_domid, PERM_NONE };
	struct perm anyread[2] = { { priv_domid, PERM_NONE },
				   { DOMID_ANY, PERM_READ } };

	if (!store_create("/", &owner, 1, NULL, 0, true) ||
	    !store_create("/tool", &owner, 1, NULL, 0, true) ||
	    !store_create("/tool/xenstored", &owner, 1, NULL, 0, true) ||
	    !store_create("@introduceDomain", &owner, 1, NULL, 0, true) ||
	    !store_create("@releaseDomain", anyread, 2, NULL, 0, true))
		return -1;
	return 0;
}
