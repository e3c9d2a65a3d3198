/* SPDX-License-Identifier: MIT */
/*
 * Cleaning up after released domains (release.h).
 *
 * Domains are cleaned in batches: a batch is every domain queued when
 * its scan starts, and one scan of the tree (the store's, which keeps
 * its place while the tree changes between turns) serves them all;
 * domains queued meanwhile wait for the next.  Why it is safe to let
 * the tree change while a scan runs:
 *  - a node created meanwhile below a node not yet visited is visited
 *    too; one created below a visited node inherits cleaned
 *    permissions;
 *  - an entry naming the domain that dom0 writes meanwhile is dom0's
 *    choice, as it would be after a release done at once (libxl names
 *    domains before introducing them);
 *  - the domain's record stays, marked releasing, and counts what goes;
 *    nodes it is made the owner of meanwhile keep being counted by the
 *    record that follows it (domain_forget);
 *  - introducing the domain again finishes the cleaning first;
 *  - a side record "released/<domid>" marks the domain until its batch
 *    ends, so a daemon restarted after a crash cleans it again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "log.h"
#include "release.h"
#include "side.h"
#include "store.h"

#define KEY_PREFIX "released/"

/* Work a node visited costs, and one changed (up to RM_AT_ONCE freed). */
#define VISIT_COST 1
#define CHANGE_COST 256

/* Domain ids as bits: perms carry 32-bit ids, domains have 16. */
#define NIDS 0x10000
typedef uint8_t idset[NIDS / 8];

static unsigned priv_domid;
static bool keep_orphans;
static idset batch, waiting;
static unsigned nbatch, nwaiting;
static bool scanning;

static bool
has(const idset s, uint32_t id)
{
	return id < NIDS && (s[id / 8] >> (id % 8) & 1);
}

static void
add(idset s, uint32_t id)
{
	s[id / 8] |= (uint8_t)(1u << (id % 8));
}

void
release_init(unsigned priv, bool keep)
{
	priv_domid = priv;
	keep_orphans = keep;
	memset(batch, 0, sizeof(batch));
	memset(waiting, 0, sizeof(waiting));
	nbatch = nwaiting = 0;
	scanning = false;
}

static void
mark(unsigned domid, bool on)
{
	char key[32];

	snprintf(key, sizeof(key), KEY_PREFIX "%u", domid);
	/* Not empty: an empty record reads back as none. */
	if (side_put(key, on ? "1" : NULL, on) != 0)
		log_warnx("domain %u: out of memory %s its release record",
			  domid, on ? "writing" : "removing");
}

/*
 * n without the entries naming a domain of the batch, and with dom0 as
 * its owner if chown; 0 or ENOMEM.
 */
static int
rewrite_perms(struct node *n, bool chown)
{
	struct perm p[n->nperms];
	unsigned i, k = 0;

	for (i = 0; i < n->nperms; i++) {
		p[k] = node_perms(n)[i];
		if (i == 0 && chown)
			p[k].id = priv_domid;
		if (i == 0 || !has(batch, p[k].id))
			k++;
	}
	return store_update(n, NULL, 0, p, k);
}

static bool
names_batch(const struct node *n)
{
	unsigned i;

	for (i = 1; i < n->nperms; i++)
		if (has(batch, node_perms(n)[i].id))
			return true;
	return false;
}

/*
 * Clean one node; the work it took.  A node the batch owned goes with
 * its subtree ("/" and the special nodes cannot: like orphans kept by
 * -K, they pass to dom0, so that no node stays owned by a domain we
 * forget).
 */
static size_t
clean(struct node *n)
{
	bool owned = has(batch, node_perms(n)[0].id);
	int err = 0;

	if (owned && !keep_orphans && node_parent(n) != NULL)
		store_rm(n);
	else if (owned || names_batch(n))
		err = rewrite_perms(n, owned);
	else
		return VISIT_COST;
	if (err)
		log_warnx("releasing domains: out of memory: entries of "
			  "released domains stay on some node");
	return CHANGE_COST;
}

static void
clean_special(const char *name)
{
	struct node *n = store_lookup(name);

	if (n != NULL)
		clean(n);
}

static void
start_batch(void)
{
	memcpy(batch, waiting, sizeof(batch));
	nbatch = nwaiting;
	memset(waiting, 0, sizeof(waiting));
	nwaiting = 0;
	clean_special("@introduceDomain");
	clean_special("@releaseDomain");
	store_scan_start();
	scanning = true;
}

static void
end_batch(void)
{
	unsigned id;

	for (id = 0; id < NIDS && nbatch > 0; id++) {
		if (!has(batch, id))
			continue;
		nbatch--;
		mark(id, false);
		domain_forget(id);
		log_info("domain %u: cleaned up after", id);
	}
	memset(batch, 0, sizeof(batch));
	scanning = false;
	if (nwaiting > 0)
		start_batch();
}

void
release_queue(struct domain *d)
{
	if (d->releasing || d->domid >= NIDS)
		return;
	d->releasing = true;
	add(waiting, d->domid);
	nwaiting++;
	mark(d->domid, true);
	if (!scanning)
		start_batch();
}

bool
release_step(size_t budget)
{
	struct node *n;
	size_t work = 0;

	while (scanning && work < budget) {
		if ((n = store_scan_next()) != NULL) {
			work += clean(n);
			continue;
		}
		/* What a removal left for later still counts to its owner. */
		if (store_reaping())
			return true;
		end_batch();
	}
	return scanning;
}

void
release_finish(void)
{
	while (scanning) {
		release_step(SIZE_MAX);
		store_reap(SIZE_MAX);
	}
}

static void
queue_saved(const char *key, const void *data, size_t len, void *arg)
{
	unsigned long id;
	struct domain *d;
	char *end;

	(void)data;
	(void)len;
	(void)arg;
	id = strtoul(key + strlen(KEY_PREFIX), &end, 10);
	if (*end != '\0' || id >= NIDS || id == priv_domid ||
	    (d = domain_get((unsigned)id)) == NULL) {
		log_warnx("%s: record %s ignored", __func__, key);
		return;
	}
	release_queue(d);
}

void
release_restore(void)
{
	side_foreach(KEY_PREFIX, queue_saved, NULL);
}
