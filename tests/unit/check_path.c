/* SPDX-License-Identifier: MIT */
/* Unit tests for xenstored/tree/path.c. */
#include <check.h>
#include <errno.h>
#include <talloc.h>

#include "leak.h"
#include "suites.h"
#include "path.h"

START_TEST(canonical)
{
	void *ctx = talloc_new(NULL);
	char *out;

	ck_assert_int_eq(
		path_canonical(ctx, "/local/domain/3", "a/b", false, &out), 0);
	ck_assert_str_eq(out, "/local/domain/3/a/b");
	ck_assert_int_eq(path_canonical(ctx, "/h", "/", false, &out), 0);
	ck_assert_int_eq(path_canonical(ctx, "/h", "/a//b", false, &out),
			 EINVAL);
	ck_assert_int_eq(path_canonical(ctx, "/h", "/a/", false, &out), EINVAL);
	ck_assert_int_eq(path_canonical(ctx, "/h", "/a b", false, &out),
			 EINVAL);
	ck_assert_int_eq(path_canonical(ctx, "/h", "", false, &out), EINVAL);
	ck_assert_int_eq(
		path_canonical(ctx, "/h", "@releaseDomain", false, &out),
		EINVAL);
	ck_assert_int_eq(
		path_canonical(ctx, "/h", "@releaseDomain", true, &out), 0);
	ck_assert_str_eq(out, "@releaseDomain");
	talloc_free(ctx);
}
END_TEST

START_TEST(helpers)
{
	ck_assert_uint_eq(path_quota_len("/local/domain/12/a/b"), 3);
	ck_assert_uint_eq(path_quota_len("/local/domain/123456/a"), 22);
	ck_assert_uint_eq(path_quota_len("/vm/x"), 5);
	ck_assert_uint_eq(path_parent_len("/a/b"), 2);
	ck_assert_uint_eq(path_parent_len("/a"), 1);
	ck_assert(path_is_within("/", "/a"));
	ck_assert(path_is_within("/a", "/a"));
	ck_assert(path_is_within("/a", "/a/b"));
	ck_assert(!path_is_within("/a", "/ab"));
	ck_assert_uint_eq(path_depth_below("/", "/a/b"), 2);
	ck_assert_uint_eq(path_depth_below("/a", "/a/b/c"), 2);
	ck_assert_uint_eq(path_depth_below("/a", "/a"), 0);
}
END_TEST

Suite *
path_suite(void)
{
	Suite *s = suite_create("path");
	TCase *tc = tcase_create("path");

	tcase_add_checked_fixture(tc, leak_setup, leak_teardown);
	tcase_add_test(tc, canonical);
	tcase_add_test(tc, helpers);
	suite_add_tcase(s, tc);
	return s;
}
