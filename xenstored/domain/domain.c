/* SPDX-License-Identifier: MIT */
/*
 * The domain table and per-domain accounting (domain.h).  The table is a
 * tree by domid linked through the domains themselves: adding a domain
 * allocates only its structure.
 */
#include <errno.h>
#include <talloc.h>

#include "conn.h"
#include "domain.h"
#include "log.h"
#include "store.h"
#include "trace.h"

static int
domid_cmp(const struct domain *a, const struct domain *b)
{
	return a->domid < b->domid ? -1 : a->domid > b->domid;
}

RB_HEAD(domains, domain);
RB_GENERATE_LOCAL(domains, domain, by_domid, domid_cmp)

static struct domains domains = RB_INITIALIZER(&domains);
static void *domains_ctx;
unsigned domain_max_seen[QUOTA_COUNT];

int
domain_init(void)
{
	RB_INIT(&domains);
	domains_ctx = talloc_named_const(NULL, 0, "domains");
	return domains_ctx ? 0 : -1;
}

void
domain_exit(void)
{
	RB_INIT(&domains);
	talloc_free(domains_ctx);
	domains_ctx = NULL;
}

struct domain *
domain_find(unsigned domid)
{
	struct domain key;

	key.domid = domid;
	return RB_FIND(domains, &domains, &key);
}

struct domain *
domain_get(unsigned domid)
{
	struct domain *d = domain_find(domid);

	if (d != NULL)
		return d;
	d = talloc_zero(domains_ctx, struct domain);
	if (d == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	d->domid = domid;
	d->port = -1;
	d->target = DOMID_INVALID;
	d->features = DOMAIN_FEATURES_SUPPORTED;
	d->quota = quota_global;
	RB_INSERT(domains, &domains, d);
	return d;
}

void
domain_nodes_adjust(unsigned domid, int delta)
{
	struct domain *d = domain_get(domid);

	if (d == NULL)
		return;
	if (delta < 0 && d->nodes < (unsigned)-delta)
		d->nodes = 0;
	else
		d->nodes += (unsigned)delta;
}

void
domain_memory_adjust(unsigned domid, long delta)
{
	struct domain *d = domain_get(domid);

	if (d == NULL)
		return;
	if (delta < 0 && d->memory < (unsigned long)-delta)
		d->memory = 0;
	else
		d->memory += (unsigned long)delta;
}

/* What a record costs its owner: header, permissions, value and name. */
static long
record_bytes(unsigned nperms, uint32_t vlen, size_t namelen)
{
	return 16 + (long)(nperms * sizeof(struct perm) + vlen + namelen);
}

/* An owner changed: the new one takes the record and its children's names. */
static void
account_update(const struct store_change *ch)
{
	const struct node *n = ch->node;
	unsigned owner = node_perms(n)[0].id, old = ch->old_perms[0].id;
	long before = record_bytes(ch->nold, ch->old_vlen, n->namelen);
	long after = record_bytes(n->nperms, n->vlen, n->namelen);

	if (old == owner) {
		domain_memory_adjust(owner, after - before);
		return;
	}
	domain_nodes_adjust(old, -1);
	domain_nodes_adjust(owner, 1);
	domain_memory_adjust(old, -(before + (long)n->child_bytes));
	domain_memory_adjust(owner, after + (long)n->child_bytes);
}

void
domain_account(const struct store_change *ch)
{
	const struct node *n = ch->node;
	unsigned owner = node_perms(n)[0].id;
	long sign = ch->op == STORE_REMOVE ? -1 : 1;

	if (ch->op == STORE_UPDATE) {
		account_update(ch);
		return;
	}
	domain_nodes_adjust(owner, (int)sign);
	domain_memory_adjust(
		owner, sign * record_bytes(n->nperms, n->vlen, n->namelen));
	if (ch->parent)
		domain_memory_adjust(node_perms(ch->parent)->id,
				     sign * ((long)n->namelen + 1));
}

unsigned long
domain_memory_used(const struct domain *d)
{
	return d->memory + (d->conn ? d->conn->out_bytes : 0);
}

/*
 * (The memory quota refuses growth with ENOMEM instead of pausing: a
 * paused guest could never free.)
 */
bool
domain_output_full(const struct conn *c)
{
	unsigned q;

	if (c->who.privileged || c->domain == NULL)
		return false;
	q = c->domain->quota.hard[QUOTA_OUTSTANDING];
	return q != 0 && c->out_count >= q;
}

bool
domain_event_fits(struct conn *c, size_t len)
{
	struct domain *d = c->domain;
	unsigned long used;
	unsigned hard;

	if (c->who.privileged || d == NULL)
		return true;
	hard = d->quota.hard[QUOTA_MEMORY];
	used = domain_memory_used(d);
	if (hard == 0 || used + len <= hard) {
		if (d->events_dropped)
			log_warnx("domain %u: %lu watch events were dropped "
				  "over quota memory",
				  d->domid, d->events_dropped);
		d->events_dropped = 0;
		return true;
	}
	if (d->events_dropped++ == 0)
		log_warnx("domain %u: dropping watch events: %lu bytes held, "
			  "quota memory %u",
			  d->domid, used, hard);
	return false;
}

int
domain_quota_check(struct domain *d, enum quota_id id, unsigned long value)
{
	unsigned hard = d->quota.hard[id], soft = d->quota.soft[id];

	trace_class(TRACE_ACC, "domain %u %s %lu (quota %u)", d->domid,
		    quota_name(id), value, hard);
	/*
	 * A soft quota warns when a domain goes over it, and once more when
	 * a later check finds it back under: one line per crossing, not one
	 * per request, so a guest living above it does not flood the log.
	 */
	if (soft != 0 && value > soft && !d->soft_over[id])
		log_warnx("domain %u: over soft quota %s: %lu > %u", d->domid,
			  quota_name(id), value, soft);
	else if (d->soft_over[id] && soft != 0 && value <= soft)
		log_warnx("domain %u: back under soft quota %s: %lu <= %u",
			  d->domid, quota_name(id), value, soft);
	d->soft_over[id] = soft != 0 && value > soft;
	if (hard == 0 || value <= hard) {
		if (value > d->max[id])
			d->max[id] = (unsigned)value;
		if (value > domain_max_seen[id])
			domain_max_seen[id] = (unsigned)value;
		return 0;
	}
	log_warnx("domain %u: refused by quota %s: %lu > %u", d->domid,
		  quota_name(id), value, hard);
	if (id == QUOTA_PATH_MAX)
		return EINVAL;
	return id == QUOTA_MEMORY ? ENOMEM : ENOSPC;
}

void
domain_forget(unsigned domid)
{
	struct domain *d = domain_find(domid);
	unsigned nodes;
	unsigned long memory;

	if (d == NULL)
		return;
	nodes = d->nodes;
	memory = d->memory;
	RB_REMOVE(domains, &domains, d);
	talloc_free(d);
	if ((nodes || memory) && (d = domain_get(domid)) != NULL) {
		d->nodes = nodes;
		d->memory = memory;
	}
}

void
domain_foreach(void (*fn)(struct domain *d, void *arg), void *arg)
{
	struct domain *d;

	RB_FOREACH(d, domains, &domains)
		fn(d, arg);
}
