/* SPDX-License-Identifier: MIT */
/* Unit tests for quota names and per-domain accounting (quota.c,
 * domain.c). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "domain.h"
#include "leak.h"
#include "quota.h"
#include "suites.h"

static struct quota_set saved;

static void
setup(void)
{
	saved = quota_global;
	domain_init();
}

static void
teardown(void)
{
	quota_global = saved;
	domain_exit();
}

START_TEST(names)
{
	bool soft;
	char buf[512];

	ck_assert_int_eq(quota_lookup("nodes", &soft), QUOTA_NODES);
	ck_assert(!soft);
	ck_assert_int_eq(quota_lookup("soft-memory", &soft), QUOTA_MEMORY);
	ck_assert(soft);
	ck_assert_int_eq(quota_lookup("permissions", &soft), -1);
	quota_names(buf, sizeof(buf));
	ck_assert_str_eq(buf, "nodes watches outstanding memory soft-memory "
			      "transactions transaction-nodes "
			      "node-permissions path-max node-size");
	quota_global.hard[QUOTA_OUTSTANDING] = 0;
	quota_names(buf, sizeof(buf));
	ck_assert(strstr(buf, "outstanding") == NULL);
}
END_TEST

START_TEST(assign)
{
	struct quota_set q = quota_global;

	ck_assert_int_eq(quota_assign(&q, "nodes=42", false), 0);
	ck_assert_uint_eq(q.hard[QUOTA_NODES], 42);
	ck_assert_int_eq(quota_assign(&q, "memory=7", true), 0);
	ck_assert_uint_eq(q.soft[QUOTA_MEMORY], 7);
	ck_assert_int_eq(quota_assign(&q, "nodes", false), -1);
	ck_assert_int_eq(quota_assign(&q, "bogus=1", false), -1);
	ck_assert_int_eq(quota_assign(&q, "nodes=-1", false), -1);
	ck_assert_int_eq(quota_assign(&q, "soft-memory=1", false), -1);
}
END_TEST

START_TEST(accounting)
{
	struct domain *d;

	quota_global.hard[QUOTA_NODES] = 3;
	d = domain_get(7);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_eq(domain_find(7), d);
	/* A domain copies the global defaults when it is first seen. */
	ck_assert_uint_eq(d->quota.hard[QUOTA_NODES], 3);
	domain_nodes_adjust(7, 2);
	ck_assert_uint_eq(d->nodes, 2);
	ck_assert_int_eq(domain_quota_check(d, QUOTA_NODES, d->nodes + 1UL), 0);
	domain_nodes_adjust(7, 1);
	ck_assert_int_eq(domain_quota_check(d, QUOTA_NODES, d->nodes + 1UL),
			 ENOSPC);
	domain_nodes_adjust(7, -5);
	ck_assert_uint_eq(d->nodes, 0);
	/* path-max refuses with EINVAL; 0 disables a check. */
	ck_assert_int_eq(domain_quota_check(d, QUOTA_PATH_MAX, 5000), EINVAL);
	d->quota.hard[QUOTA_PATH_MAX] = 0;
	ck_assert_int_eq(domain_quota_check(d, QUOTA_PATH_MAX, 5000), 0);
	/* A soft quota only warns. */
	d->quota.soft[QUOTA_WATCHES] = 1;
	ck_assert_int_eq(domain_quota_check(d, QUOTA_WATCHES, 2), 0);
	domain_forget(7);
	ck_assert_ptr_null(domain_find(7));
}
END_TEST

Suite *
quota_suite(void)
{
	Suite *s = suite_create("quota");
	TCase *tc = tcase_create("quota");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, names);
	tcase_add_test(tc, assign);
	tcase_add_test(tc, accounting);
	suite_add_tcase(s, tc);
	return s;
}
