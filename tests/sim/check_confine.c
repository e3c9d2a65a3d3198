/* SPDX-License-Identifier: MIT */
/*
 * The xenstore domain's filter (tools/xsim/confine.c): once applied, the
 * process cannot set its data limit, by setrlimit or by prlimit, neither
 * raise its soft limit toward the hard one nor change the hard one; it
 * still reads it and sets other limits.  Check runs each test in a
 * child of its own, so the filter stays there.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "confine.h"

/*
 * A soft data limit below the hard one, as the domain boots with; both
 * far above what the test uses, AddressSanitizer's shadow included.
 */
#define SOFT ((rlim_t)1 << 50)
#define HARD ((rlim_t)1 << 51)

static struct rlimit
boot_limit(void)
{
	struct rlimit rl = {.rlim_cur = SOFT, .rlim_max = HARD};

	ck_assert_int_eq(setrlimit(RLIMIT_DATA, &rl), 0);
	return rl;
}

START_TEST(test_unconfined_may_raise)
{
	struct rlimit rl = boot_limit();

	rl.rlim_cur = rl.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_DATA, &rl), 0);
}
END_TEST

START_TEST(test_confined_may_not_set_data)
{
	struct rlimit rl = boot_limit(), now;

	ck_assert_int_eq(confine_domain(), 0);
	rl.rlim_cur = rl.rlim_max;
	errno = 0;
	ck_assert_int_eq(setrlimit(RLIMIT_DATA, &rl), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(prlimit(0, RLIMIT_DATA, &rl, NULL), -1);
	ck_assert_int_eq(errno, EPERM);
	rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	ck_assert_int_eq(setrlimit(RLIMIT_DATA, &rl), -1);
	ck_assert_int_eq(getrlimit(RLIMIT_DATA, &now), 0);
	ck_assert_uint_eq(now.rlim_cur, SOFT);
	ck_assert_uint_eq(now.rlim_max, HARD);
}
END_TEST

START_TEST(test_confined_reads_and_sets_others)
{
	struct rlimit rl = boot_limit(), core = {0, 0};

	ck_assert_int_eq(confine_domain(), 0);
	ck_assert_int_eq(prlimit(0, RLIMIT_DATA, NULL, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, SOFT);
	ck_assert_int_eq(setrlimit(RLIMIT_CORE, &core), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("confine");
	TCase *tc = tcase_create("data limit");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_unconfined_may_raise);
	tcase_add_test(tc, test_confined_may_not_set_data);
	tcase_add_test(tc, test_confined_reads_and_sets_others);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
