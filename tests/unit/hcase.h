/* SPDX-License-Identifier: MIT */
/*
 * One TCase per behaviour for the suites that drive the daemon through
 * tests/harness: each test runs in its own process (Check's fork mode),
 * which is what lets every test set the daemon up afresh.
 */
#ifndef HCASE_H
#define HCASE_H

#include <check.h>

static inline void
harness_add(Suite *s, const char *name, const TTest *test, void (*setup)(void),
	    void (*teardown)(void))
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

#endif /* HCASE_H */
