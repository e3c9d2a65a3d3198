/* SPDX-License-Identifier: MIT */
/* Unit tests for perms/perms.c. */
#include <check.h>

#include "leak.h"
#include "suites.h"
#include "perms.h"
#include "xs_wire.h"

START_TEST(parse_and_format)
{
	struct perm p[4];
	char buf[PERM_STRLEN_MAX];

	ck_assert_int_eq(perms_parse_one("r5", p), 0);
	ck_assert_uint_eq(p[0].id, 5);
	ck_assert_uint_eq(p[0].access, PERM_READ);
	ck_assert_int_eq(perms_parse_one("b0x10", p), 0);
	ck_assert_uint_eq(p[0].id, 16);
	ck_assert_int_eq(perms_parse_one("x5", p), -1);
	ck_assert_int_eq(perms_parse_one("r", p), -1);
	ck_assert_int_eq(perms_parse_one("r5z", p), -1);
	ck_assert_int_eq(perms_parse_one("r-1", p), -1);
	ck_assert_int_eq(perms_parse_one("r65536", p), -1);
	ck_assert_int_eq(perms_parse("n0\0r5\0", 6, p, 4), 2);
	ck_assert_int_eq(perms_parse("n0\0r5\0", 6, p, 1), -1);
	ck_assert_int_eq(perms_parse("", 0, p, 4), -1);
	perms_format_one(&p[1], buf);
	ck_assert_str_eq(buf, "r5");
}
END_TEST

START_TEST(access)
{
	struct perm p[3] = {
		{7, PERM_NONE}, {5, PERM_READ}, {9, PERM_WRITE | PERM_IGNORE}};
	struct perm_caller owner = {7, DOMID_INVALID, false};
	struct perm_caller five = {5, DOMID_INVALID, false};
	struct perm_caller nine = {9, DOMID_INVALID, false};
	struct perm_caller dm = {11, 7, false};
	struct perm_caller dom0 = {0, DOMID_INVALID, true};

	ck_assert_uint_eq(perms_access(p, 3, &owner), PERM_ALL);
	ck_assert_uint_eq(perms_access(p, 3, &five), PERM_READ);
	ck_assert_uint_eq(perms_access(p, 3, &nine), PERM_NONE);
	ck_assert_uint_eq(perms_access(p, 3, &dm), PERM_ALL);
	ck_assert_uint_eq(perms_access(p, 3, &dom0), PERM_ALL);
	p[0].access = PERM_READ | PERM_WRITE;
	ck_assert_uint_eq(perms_access(p, 3, &nine), PERM_READ | PERM_WRITE);
}
END_TEST

Suite *
perms_suite(void)
{
	Suite *s = suite_create("perms");
	TCase *tc = tcase_create("perms");

	tcase_add_checked_fixture(tc, leak_setup, leak_teardown);
	tcase_add_test(tc, parse_and_format);
	tcase_add_test(tc, access);
	suite_add_tcase(s, tc);
	return s;
}
