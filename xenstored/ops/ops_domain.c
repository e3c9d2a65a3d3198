/* SPDX-License-Identifier: MIT */
/*
 * Handlers about domains: GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED,
 * INTRODUCE, RELEASE, RESUME, SET_TARGET, GET/SET_FEATURE and
 * GET/SET_QUOTA.  Arguments are validated here; attaching a domain's ring
 * is domain.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "domain.h"
#include "domain_rec.h"
#include "frame.h"
#include "guest.h"
#include "log.h"
#include "ops.h"

static int
onedomid(const struct msg *m, unsigned *domid)
{
	const char *arg = ops_onearg(m);

	return arg && frame_parse_domid(arg, domid) == 0 ? 0 : EINVAL;
}

int
do_get_domain_path(void *ctx, struct conn *c, struct msg *m)
{
	char path[32];
	unsigned domid;

	(void)ctx;
	if (onedomid(m, &domid))
		return EINVAL;
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	conn_reply_str(c, m, path);
	return 0;
}

static bool
introduced(unsigned domid)
{
	struct domain *d = domain_find(domid);

	return d && d->introduced;
}

int
do_is_domain_introduced(void *ctx, struct conn *c, struct msg *m)
{
	unsigned domid;

	(void)ctx;
	if (onedomid(m, &domid))
		return EINVAL;
	conn_reply_str(c, m,
		       domid == DOMID_SELF || introduced(domid) ? "T" : "F");
	return 0;
}

int
do_introduce(void *ctx, struct conn *c, struct msg *m)
{
	const char *vec[3];
	unsigned domid;
	unsigned long gfn, port;
	int err;

	(void)ctx;
	if (frame_get_strings(m->body, m->hdr.len, vec, 3) < 3 ||
	    frame_parse_domid(vec[0], &domid) ||
	    domid >= DOMID_FIRST_RESERVED ||
	    frame_parse_uint(vec[1], ~0UL, &gfn) ||
	    frame_parse_uint(vec[2], 0x7fffffff, &port) || port == 0)
		return EINVAL;
	(void)gfn; /* the ring is grant reference 1, as in Xen's C daemon */
	if ((err = guest_introduce(domid, (unsigned)port)))
		return err;
	conn_reply_str(c, m, "OK");
	return 0;
}

int
do_release(void *ctx, struct conn *c, struct msg *m)
{
	unsigned domid;
	int err;

	(void)ctx;
	if (onedomid(m, &domid))
		return EINVAL;
	if ((err = guest_release(domid)))
		return err;
	conn_reply_str(c, m, "OK");
	return 0;
}

int
do_resume(void *ctx, struct conn *c, struct msg *m)
{
	unsigned domid;

	(void)ctx;
	/* Domain 0 is never resumed (nor released): EINVAL, as in Xen. */
	if (onedomid(m, &domid) || domid == 0)
		return EINVAL;
	if (!introduced(domid))
		return ENOENT;
	domain_find(domid)->shutdown_noticed = false;
	conn_reply_str(c, m, "OK");
	return 0;
}

int
do_set_target(void *ctx, struct conn *c, struct msg *m)
{
	const char *vec[2];
	unsigned domid, target;

	(void)ctx;
	if (frame_get_strings(m->body, m->hdr.len, vec, 2) < 2 ||
	    frame_parse_domid(vec[0], &domid) ||
	    frame_parse_domid(vec[1], &target))
		return EINVAL;
	if (!introduced(domid) || !introduced(target))
		return ENOENT;
	guest_set_target(domid, target);
	conn_reply_str(c, m, "OK");
	return 0;
}

static void
reply_uint(struct conn *c, const struct msg *m, unsigned long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lu", v);
	conn_reply_str(c, m, buf);
}

int
do_get_feature(void *ctx, struct conn *c, struct msg *m)
{
	struct domain *d = c->domain;
	unsigned domid;

	(void)ctx;
	if (m->hdr.len > 0) {
		if (!c->who.privileged)
			return EACCES;
		if (onedomid(m, &domid))
			return EINVAL;
		if ((d = domain_find(domid)) == NULL)
			return ENOENT;
	}
	reply_uint(c, m, d ? d->features : DOMAIN_FEATURES_SUPPORTED);
	return 0;
}

/* A domain's quotas and features are kept across a crash restart. */
static void
saved_settings(struct domain *d)
{
	if (domain_rec_save(d) != 0)
		log_warnx("domain %u: out of memory saving its quotas and "
			  "features: a restart will lose them",
			  d->domid);
}

int
do_set_feature(void *ctx, struct conn *c, struct msg *m)
{
	const char *vec[2];
	unsigned domid;
	unsigned long bits;
	struct domain *d;

	(void)ctx;
	if (frame_get_strings(m->body, m->hdr.len, vec, 2) != 2 ||
	    frame_parse_domid(vec[0], &domid) ||
	    frame_parse_uint(vec[1], 0xffffffffUL, &bits) ||
	    (bits & ~(unsigned long)DOMAIN_FEATURES_SUPPORTED))
		return EINVAL;
	if (introduced(domid))
		return EBUSY;
	if ((d = domain_get(domid)) == NULL)
		return ENOMEM;
	d->features = (uint32_t)bits;
	saved_settings(d);
	conn_reply_str(c, m, "OK");
	return 0;
}

/* Split [domid] name [value] into the quota set and id it names. */
static int
quota_args(const struct msg *m, unsigned nval, struct quota_set **set, int *id,
	   bool *soft, const char **val)
{
	const char *vec[4];
	unsigned n = frame_get_strings(m->body, m->hdr.len, vec, 4), domid;
	struct domain *d;

	if (n != 1 + nval && n != 2 + nval)
		return EINVAL;
	*set = &quota_global;
	if (n == 2 + nval) {
		if (frame_parse_domid(vec[0], &domid))
			return EINVAL;
		if ((d = domain_find(domid)) == NULL)
			return ENOENT;
		*set = &d->quota;
	}
	*id = quota_lookup(vec[n - 1 - nval], soft);
	if (*id < 0)
		return EINVAL;
	*val = nval ? vec[n - 1] : NULL;
	return 0;
}

int
do_get_quota(void *ctx, struct conn *c, struct msg *m)
{
	struct quota_set *set;
	const char *val;
	char names[512];
	bool soft;
	int id, err;

	(void)ctx;
	if (m->hdr.len == 0) {
		quota_names(names, sizeof(names));
		conn_reply_str(c, m, names);
		return 0;
	}
	if ((err = quota_args(m, 0, &set, &id, &soft, &val)))
		return err;
	reply_uint(c, m, soft ? set->soft[id] : set->hard[id]);
	return 0;
}

int
do_set_quota(void *ctx, struct conn *c, struct msg *m)
{
	struct quota_set *set;
	const char *val;
	unsigned long v;
	bool soft;
	int id, err;

	(void)ctx;
	if ((err = quota_args(m, 1, &set, &id, &soft, &val)))
		return err;
	if (frame_parse_uint(val, 0xfffffffeUL, &v))
		return EINVAL;
	if (soft)
		set->soft[id] = (unsigned)v;
	else
		set->hard[id] = (unsigned)v;
	if (set != &quota_global)
		saved_settings(
			(struct domain *)((char *)set -
					  offsetof(struct domain, quota)));
	conn_reply_str(c, m, "OK");
	return 0;
}
