/* SPDX-License-Identifier: MIT */
/*
 * Domains' quotas and features on disk (domain_rec.h).  Quotas are kept
 * by name, so that a daemon whose quota table changed still reads them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <talloc.h>

#include "domain.h"
#include "domain_rec.h"
#include "log.h"
#include "quota.h"
#include "record.pb-c.h"
#include "side.h"

#define PREFIX "domain/"

int
domain_rec_save(struct domain *d)
{
	DomainSettings s = DOMAIN_SETTINGS__INIT;
	DomainQuota q[QUOTA_COUNT], *qp[QUOTA_COUNT];
	char key[32];
	uint8_t *buf;
	size_t i, len;
	int r;

	for (i = 0; i < QUOTA_COUNT; i++) {
		domain_quota__init(&q[i]);
		q[i].name = (char *)(uintptr_t)quota_name((enum quota_id)i);
		q[i].has_hard = q[i].has_soft = 1;
		q[i].hard = d->quota.hard[i];
		q[i].soft = d->quota.soft[i];
		qp[i] = &q[i];
	}
	d->settings_set = true;
	s.has_features = 1;
	s.features = d->features;
	s.n_quota = QUOTA_COUNT;
	s.quota = qp;
	len = domain_settings__get_packed_size(&s);
	if ((buf = talloc_size(NULL, len + 1)) == NULL)
		return ENOMEM;
	domain_settings__pack(&s, buf);
	snprintf(key, sizeof(key), PREFIX "%u", d->domid);
	r = side_put(key, buf, len);
	talloc_free(buf);
	return r;
}

void
domain_rec_forget(unsigned domid)
{
	char key[32];

	snprintf(key, sizeof(key), PREFIX "%u", domid);
	if (side_put(key, NULL, 0) != 0)
		log_warnx("domain %u: out of memory forgetting its quotas; a "
			  "restart may give them to its next instance",
			  domid);
}

static void
apply(struct domain *d, const DomainSettings *s)
{
	size_t i;
	bool soft;
	int id;

	d->settings_set = true;
	if (s->has_features && !d->introduced)
		d->features = s->features;
	for (i = 0; i < s->n_quota; i++) {
		if (s->quota[i]->name == NULL ||
		    (id = quota_lookup(s->quota[i]->name, &soft)) < 0 || soft)
			continue; /* a quota this daemon does not have */
		if (s->quota[i]->has_hard)
			d->quota.hard[id] = s->quota[i]->hard;
		if (s->quota[i]->has_soft)
			d->quota.soft[id] = s->quota[i]->soft;
	}
}

static void
restore_one(const char *key, const void *data, size_t len, void *arg)
{
	DomainSettings *s = domain_settings__unpack(NULL, len, data);
	unsigned long domid;
	struct domain *d;
	char *end;

	(void)arg;
	domid = strtoul(key + sizeof(PREFIX) - 1, &end, 10);
	if (s == NULL || *end != '\0' || domid > 0xffff)
		log_warnx("%s: damaged record %s: that domain's quotas are "
			  "lost",
			  __func__, key);
	else if ((d = domain_get((unsigned)domid)) == NULL)
		log_warnx("domain %lu: out of memory restoring its quotas",
			  domid);
	else
		apply(d, s);
	if (s)
		domain_settings__free_unpacked(s, NULL);
}

void
domain_rec_restore(void)
{
	side_foreach(PREFIX, restore_one, NULL);
}
