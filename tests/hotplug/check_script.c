/* SPDX-License-Identifier: MIT */
/*
 * Unit tests (Check) for hotplug/script.c, the module that runs hotplug
 * scripts: exit statuses reach the callback, the environment given
 * replaces and extends ours, stdin is /dev/null, and a run past its
 * timeout is killed with its whole process group.  Each test runs its
 * own libevent loop with SIGCHLD wired to script_reap(), as main.c does;
 * a talloc fixture checks that finished runs leave nothing behind.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <talloc.h>

#include "log.h"
#include "script.h"

struct result {
	int calls;
	int status;
	bool timed_out;
};

static struct event_base *base;
static struct event *chld;
static size_t blocks_before;

static void
sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	script_reap();
}

static void
done(void *arg, int status, bool timed_out)
{
	struct result *r = arg;

	r->calls++;
	r->status = status;
	r->timed_out = timed_out;
	event_base_loopbreak(base);
}

static void
setup(void)
{
	talloc_enable_null_tracking();
	blocks_before = talloc_total_blocks(NULL);
	base = event_base_new();
	chld = evsignal_new(base, SIGCHLD, sigchld_cb, NULL);
	ck_assert(base && chld && evsignal_add(chld, NULL) == 0);
}

static void
teardown(void)
{
	event_free(chld);
	event_base_free(base);
	ck_assert_uint_eq(talloc_total_blocks(NULL), blocks_before);
	/* Its empty context would otherwise look leaked to LeakSanitizer. */
	talloc_disable_null_tracking();
}

/* Run sh -c cmd with env and timeout to the end; the result. */
static struct result
run_sh(const char *cmd, const char *const env[], unsigned int timeout)
{
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	const char *none[] = {NULL};
	struct result r = {0};

	ck_assert_ptr_nonnull(
		script_start(base, argv, env ? env : none, timeout, done, &r));
	event_base_dispatch(base);
	ck_assert_int_eq(r.calls, 1);
	return r;
}

START_TEST(exit_status)
{
	struct result r = run_sh("exit 3", NULL, 0);

	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), 3);
	ck_assert(!r.timed_out);
	r = run_sh("exit 0", NULL, 5);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
}
END_TEST

START_TEST(environment)
{
	const char *env[] = {"HP_NEW=new", "HP_OLD=replaced", NULL};
	struct result r;

	setenv("HP_OLD", "old", 1);
	setenv("HP_KEPT", "kept", 1);
	r = run_sh("test \"$HP_NEW\" = new && test \"$HP_OLD\" = replaced && "
		   "test \"$HP_KEPT\" = kept && "
		   "test $(env | grep -c '^HP_OLD=') = 1",
		   env, 0);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), 0);
}
END_TEST

START_TEST(stdin_null)
{
	/* read fails at once on /dev/null rather than waiting on a tty. */
	struct result r = run_sh("read x && exit 1; exit 0", NULL, 5);

	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
}
END_TEST

START_TEST(timeout_kills_group)
{
	char file[] = "/tmp/hp_check.XXXXXX", cmd[128];
	int fd = mkstemp(file), i;
	struct result r;
	FILE *f;
	int child = 0;

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sleep 100 & echo $! >%s; wait", file);
	r = run_sh(cmd, NULL, 1);
	ck_assert(r.timed_out);
	ck_assert(WIFSIGNALED(r.status));
	ck_assert_int_eq(WTERMSIG(r.status), SIGKILL);
	f = fopen(file, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &child), 1);
	fclose(f);
	unlink(file);
	/* The script's own child went with the group (bounded wait). */
	for (i = 0; i < 200 && kill(child, 0) == 0; i++)
		usleep(20000);
	ck_assert_int_eq(kill(child, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

START_TEST(cannot_exec)
{
	const char *argv[] = {"/nonexistent/script", "add", NULL};
	const char *env[] = {NULL};
	struct result r = {0};

	ck_assert_ptr_nonnull(script_start(base, argv, env, 0, done, &r));
	event_base_dispatch(base);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), 127);
}
END_TEST

static Suite *
script_suite(void)
{
	Suite *s = suite_create("hotplug-script");
	TCase *tc = tcase_create("runs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, exit_status);
	tcase_add_test(tc, environment);
	tcase_add_test(tc, stdin_null);
	tcase_add_test(tc, timeout_kills_group);
	tcase_add_test(tc, cannot_exec);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(script_suite());
	int failed;

	log_init("xenstore-hotplugd", true, 1);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
