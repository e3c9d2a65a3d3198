/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for xenstored/base/side.c: the side records' table, what a
 * turn put, what a fold writes, and records read back.
 */
#include <check.h>
#include <string.h>

#include "side.h"
#include "suites.h"

struct seen {
	char keys[8][32];
	bool removed[8];
	unsigned n;
};

static void
note(const char *key, const void *data, size_t len, void *arg)
{
	struct seen *s = arg;

	(void)len;
	if (s->n < 8) {
		strncpy(s->keys[s->n], key, 31);
		s->removed[s->n++] = data == NULL;
	}
}

static void
clear(void)
{
	side_clear();
}

START_TEST(put_is_pending_until_written)
{
	struct seen s = {0};

	ck_assert(!side_pending());
	ck_assert_int_eq(side_put("guest/1", "abc", 3), 0);
	ck_assert(side_pending());
	side_each_put(false, note, &s);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.keys[0], "guest/1");
	side_written();
	ck_assert(!side_pending());
	memset(&s, 0, sizeof(s));
	side_each_put(false, note, &s);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(removal_stays_for_the_fold)
{
	struct seen s = {0};

	side_put("guest/1", "abc", 3);
	side_put("guest/2", "de", 2);
	side_written();
	side_put("guest/1", NULL, 0);
	/* The turn journals the removal; a fold deletes it and keeps 2. */
	side_each_put(false, note, &s);
	ck_assert_uint_eq(s.n, 1);
	ck_assert(s.removed[0]);
	memset(&s, 0, sizeof(s));
	side_each_put(true, note, &s);
	ck_assert_uint_eq(s.n, 2);
	ck_assert(s.removed[0] && !s.removed[1]);
	/* Walks of the live records skip it. */
	memset(&s, 0, sizeof(s));
	side_foreach("guest/", note, &s);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.keys[0], "guest/2");
}
END_TEST

START_TEST(loaded_records_are_not_pending)
{
	struct seen s = {0};

	ck_assert_int_eq(side_load("guest/7", "x", 1), 0);
	ck_assert_int_eq(side_load("other", "y", 1), 0);
	ck_assert(!side_pending());
	side_foreach("guest/", note, &s);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.keys[0], "guest/7");
}
END_TEST

Suite *
side_suite(void)
{
	Suite *s = suite_create("side");
	TCase *tc = tcase_create("side");

	tcase_add_checked_fixture(tc, NULL, clear);
	tcase_add_test(tc, put_is_pending_until_written);
	tcase_add_test(tc, removal_stays_for_the_fold);
	tcase_add_test(tc, loaded_records_are_not_pending);
	suite_add_tcase(s, tc);
	return s;
}
