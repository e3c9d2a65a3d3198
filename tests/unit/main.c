/* SPDX-License-Identifier: MIT */
/*
 * The unit test runner: every suite listed in suites.h, with Check's
 * summary line at the end.
 */
#include <check.h>
#include <stdlib.h>
#include <talloc.h>

#include "leak.h"
#include "suites.h"

static size_t leak_base;

void
leak_setup(void)
{
	talloc_enable_null_tracking();
	leak_base = talloc_total_size(NULL);
}

void
leak_teardown(void)
{
	ck_assert_uint_eq(talloc_total_size(NULL), leak_base);
	/* Its empty context would otherwise look leaked to LeakSanitizer. */
	talloc_disable_null_tracking();
}

int
main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define ADD(name) srunner_add_suite(sr, name##_suite());
	UNIT_SUITES(ADD)
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
