/* SPDX-License-Identifier: MIT */
/*
 * One TCase per behaviour for the suites that drive the daemon through
 * tests/harness: each test runs in its own process (Check's fork mode),
 * which is what lets every test set the daemon up afresh; and a test's
 * own child process, for a daemon that dies and one that starts after.
 */
#ifndef HCASE_H
#define HCASE_H

#include <check.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void
harness_add(Suite *s, const char *name, const TTest *test, void (*setup)(void),
	    void (*teardown)(void))
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

/* Run fn in a child process (a daemon of its own): its exit status. */
static inline int
run_child(int (*fn)(const char *), const char *db)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(db));
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

#endif /* HCASE_H */
