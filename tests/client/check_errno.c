/* SPDX-License-Identifier: MIT */
/*
 * errno after every exported call of libxenstore that succeeds, as Xen's
 * library leaves it: 0 after a request the daemon answered, untouched by
 * a call that asks the daemon nothing.  Programs read errno after a
 * success: Debian's test-xenstore returns it from its "rm dir" set-up
 * after a successful xs_write that follows a failed xs_rm.  Each test
 * sets errno to a sentinel, makes one call that must succeed, and checks
 * errno is 0 (REQUEST) or still the sentinel (LOCAL).
 *
 * The calls run against a real daemon: the fixture starts the simulated
 * hypervisor, our xenstored on it and one guest (tests/guest/ring-guest)
 * in a private directory, so that even INTRODUCE and RELEASE succeed.
 * The table of calls is checked against libxenstore.map, so an exported
 * call without a test here fails the suite.  Programs are found under
 * $XS_BUILD (the build directory, default "build").
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xenstore.h"

/* No call has a reason to produce this: a leftover of ours would show. */
#define SENTINEL 4242

/* One call, made with the sentinel in errno; it must succeed. */
#define SUCCEEDS(call, want)                                                   \
	do {                                                                   \
		errno = SENTINEL;                                              \
		ck_assert_msg((call), "%s failed: %s", #call,                  \
			      strerror(errno));                                \
		ck_assert_msg(errno == (want),                                 \
			      "%s succeeded but left errno %d (%s), not %d",   \
			      #call, errno, strerror(errno), (want));          \
	} while (0)

/* A call that asks the daemon: errno 0 after it succeeded. */
#define REQUEST(call) SUCCEEDS(call, 0)
/* A call that asks the daemon nothing: errno untouched. */
#define LOCAL(call) SUCCEEDS(call, SENTINEL)

/* The host the fixture runs, shared with the forked tests. */
static char dir[64];
static pid_t hyp_pid, daemon_pid, guest_pid;
static unsigned int guest_domid, guest_port;

/* --- the fixture --- */

static const char *
build_dir(void)
{
	const char *b = getenv("XS_BUILD");

	return b != NULL ? b : "build";
}

/* Start prog with argv, its stdout and stderr to file; returns its pid. */
static pid_t
spawn(char *const argv[], const char *file)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (freopen(file, "a", stdout) == NULL ||
		    freopen(file, "a", stderr) == NULL)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* A bounded wait for a daemon's socket: a hang becomes a failure. */
static void
wait_socket(const char *path, pid_t pid)
{
	struct stat st;
	int i;

	for (i = 0; i < 400 && stat(path, &st) != 0; i++) {
		ck_assert_msg(waitpid(pid, NULL, WNOHANG) == 0, "%s: died",
			      path);
		poll(NULL, 0, 25);
	}
	ck_assert_msg(i < 400, "%s never appeared", path);
}

/*
 * xenhyp-ctl launch: a new domain running ring-guest, idle.  Its output
 * goes to a file: the guest keeps the descriptor, and a pipe closed
 * under it would kill it with SIGPIPE.
 */
static void
launch_guest(void)
{
	char cmd[512], out[96];
	FILE *f;
	int n;

	snprintf(out, sizeof(out), "%s/guest.out", dir);
	snprintf(cmd, sizeof(cmd),
		 "%s/bin/xenhyp-ctl launch %s/tests/ring-guest sleep >%s 2>&1",
		 build_dir(), build_dir(), out);
	ck_assert_int_eq(system(cmd), 0);
	f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	n = fscanf(f, "%u %u %d", &guest_domid, &guest_port, &guest_pid);
	fclose(f);
	ck_assert_msg(n == 3, "xenhyp-ctl launch: no domain (see %s)", out);
}

static void
host_start(void)
{
	char bin[256], hrun[96], path[128], log[96], pidf[96];
	char opt_r[] = "-r", opt_n[] = "-N", opt_f[] = "-F";
	char *hyp_argv[] = {bin, opt_r, hrun, NULL};
	char *xsd_argv[] = {bin, opt_n, opt_f, pidf, NULL};

	strcpy(dir, "/tmp/xsc-errno.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(hrun, sizeof(hrun), "%s/hyp", dir);
	setenv("XENHYP_RUNDIR", hrun, 1);
	setenv("XENSTORED_RUNDIR", dir, 1);
	unsetenv("XENSTORED_PATH");

	snprintf(bin, sizeof(bin), "%s/bin/xenhyp", build_dir());
	snprintf(log, sizeof(log), "%s/hyp.log", dir);
	hyp_pid = spawn(hyp_argv, log);
	snprintf(path, sizeof(path), "%s/hypervisor", hrun);
	wait_socket(path, hyp_pid);

	snprintf(bin, sizeof(bin), "%s/bin/xenstored", build_dir());
	snprintf(log, sizeof(log), "%s/xenstored.log", dir);
	snprintf(pidf, sizeof(pidf), "%s/pid", dir);
	daemon_pid = spawn(xsd_argv, log);
	snprintf(path, sizeof(path), "%s/socket", dir);
	wait_socket(path, daemon_pid);
	setenv("XENSTORED_PATH", path, 1);
	launch_guest();
}

static void
stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

static void
host_stop(void)
{
	char cmd[128];

	if (guest_pid > 0)
		kill(guest_pid, SIGKILL); /* not our child: xenhyp-ctl's */
	stop(daemon_pid);
	stop(hyp_pid);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (dir[0] != '\0' && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* --- the calls, one function each --- */

static struct xs_handle *
open_h(void)
{
	struct xs_handle *h = xs_open(0);

	ck_assert_ptr_nonnull(h);
	return h;
}

static void
t_open(void)
{
	struct xs_handle *h;

	LOCAL((h = xs_open(0)) != NULL);
	xs_close(h);
	LOCAL((h = xs_daemon_open()) != NULL);
	xs_close(h);
	LOCAL((h = xs_domain_open()) != NULL);
	xs_close(h);
	LOCAL((h = xs_daemon_open_readonly()) != NULL);
	xs_close(h);
}

/* Closing cannot fail: errno must simply survive it. */
static void
t_close(void)
{
	struct xs_handle *h = open_h();

	LOCAL((xs_close(h), true));
	h = open_h();
	LOCAL((xs_daemon_close(h), true));
	/* With a reader thread to stop, and the event pipe to close. */
	h = open_h();
	ck_assert(xs_watch(h, "/e", "t"));
	ck_assert_int_ge(xs_fileno(h), 0);
	LOCAL((xs_close(h), true));
}

/* As a forked child would, on a handle its parent keeps. */
static void
t_destroy_postfork(void)
{
	struct xs_handle *h = open_h();
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		errno = SENTINEL;
		xs_daemon_destroy_postfork(h);
		_exit(errno == SENTINEL ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "xs_daemon_destroy_postfork set errno");
	xs_close(h);
}

static void
t_directory(void)
{
	struct xs_handle *h = open_h();
	char path[64], **d;
	unsigned int num, i;

	ck_assert(xs_write(h, XBT_NULL, "/e/dir/a", "", 0));
	REQUEST((d = xs_directory(h, XBT_NULL, "/e/dir", &num)) != NULL);
	free(d);
	/* Too many names for one reply: DIRECTORY_PART after E2BIG. */
	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/e/big/child-%04u-padding", i);
		ck_assert(xs_write(h, XBT_NULL, path, "", 0));
	}
	REQUEST((d = xs_directory(h, XBT_NULL, "/e/big", &num)) != NULL);
	ck_assert_uint_eq(num, 300);
	free(d);
	xs_close(h);
}

static void
t_read(void)
{
	struct xs_handle *h = open_h();
	unsigned int len;
	char *v;

	ck_assert(xs_write(h, XBT_NULL, "/e/r", "v", 1));
	REQUEST((v = xs_read(h, XBT_NULL, "/e/r", &len)) != NULL);
	free(v);
	xs_close(h);
}

static void
t_write(void)
{
	struct xs_handle *h = open_h();

	REQUEST(xs_write(h, XBT_NULL, "/e/w", "v", 1));
	REQUEST(xs_mkdir(h, XBT_NULL, "/e/w/d"));
	xs_close(h);
}

static void
t_rm(void)
{
	struct xs_handle *h = open_h();

	ck_assert(xs_write(h, XBT_NULL, "/e/rm/a/b", "", 0));
	REQUEST(xs_rm(h, XBT_NULL, "/e/rm"));
	xs_close(h);
}

static void
t_perms(void)
{
	struct xs_handle *h = open_h();
	struct xs_permissions set[2] = {{0, XS_PERM_NONE}, {5, XS_PERM_READ}};
	struct xs_permissions *p;
	unsigned int num;

	ck_assert(xs_write(h, XBT_NULL, "/e/p", "", 0));
	REQUEST(xs_set_permissions(h, XBT_NULL, "/e/p", set, 2));
	REQUEST((p = xs_get_permissions(h, XBT_NULL, "/e/p", &num)) != NULL);
	free(p);
	xs_close(h);
}

/* Wait for the watch's first event to be queued. */
static void
await_event(struct xs_handle *h)
{
	struct pollfd pfd = {.fd = xs_fileno(h), .events = POLLIN};

	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
}

static void
t_watch(void)
{
	struct xs_handle *h = open_h();
	unsigned int num;
	char **ev;
	int fd;

	REQUEST(xs_watch(h, "/e/watch", "t1"));
	LOCAL((fd = xs_fileno(h)) >= 0);
	LOCAL((ev = xs_read_watch(h, &num)) != NULL);
	free(ev);
	REQUEST(xs_watch(h, "/e/watch2", "t2"));
	await_event(h);
	LOCAL((ev = xs_check_watch(h)) != NULL);
	free(ev);
	REQUEST(xs_unwatch(h, "/e/watch", "t1"));
	REQUEST(xs_watch_depth(h, "/e/depth", "t3", 1));
	REQUEST(xs_watch_try_depth(h, "/e/depth2", "t4", 2));
	xs_close(h);
}

static void
t_transaction(void)
{
	struct xs_handle *h = open_h();
	xs_transaction_t t;

	REQUEST((t = xs_transaction_start(h)) != XBT_NULL);
	ck_assert(xs_write(h, t, "/e/t", "1", 1));
	REQUEST(xs_transaction_end(h, t, false));
	t = xs_transaction_start(h);
	REQUEST(xs_transaction_end(h, t, true));
	xs_close(h);
}

/* Conflicts once, from another connection, so that a retry happens. */
static bool
conflict_once(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct xs_handle *other = *(struct xs_handle **)arg;
	unsigned int len;
	char *v = xs_read(h, t, "/e/retry", &len);

	free(v);
	if (other != NULL) {
		ck_assert(xs_write(other, XBT_NULL, "/e/retry", "x", 1));
		*(struct xs_handle **)arg = NULL;
	}
	return xs_write(h, t, "/e/retry", "y", 1);
}

static void
t_transaction_retry(void)
{
	struct xs_handle *h = open_h(), *other = open_h(), *arg = other;

	ck_assert(xs_write(h, XBT_NULL, "/e/retry", "0", 1));
	REQUEST(xs_transaction_retry(h, conflict_once, &arg, 5));
	ck_assert_ptr_null(arg); /* the conflict happened */
	xs_close(other);
	xs_close(h);
}

/* Introducing again is allowed: each call below starts with it. */
static void
t_introduce(void)
{
	struct xs_handle *h = open_h();

	REQUEST(xs_introduce_domain(h, guest_domid, 0, guest_port));
	REQUEST(xs_is_domain_introduced(h, guest_domid));
	REQUEST(xs_resume_domain(h, guest_domid));
	REQUEST(xs_set_target(h, guest_domid, 0));
	xs_close(h);
}

static void
t_release(void)
{
	struct xs_handle *h = open_h();

	ck_assert(xs_introduce_domain(h, guest_domid, 0, guest_port));
	REQUEST(xs_release_domain(h, guest_domid));
	xs_close(h);
}

static void
t_domain_path(void)
{
	struct xs_handle *h = open_h();
	char *p;

	REQUEST((p = xs_get_domain_path(h, 3)) != NULL);
	free(p);
	xs_close(h);
}

static void
t_features(void)
{
	struct xs_handle *h = open_h();
	unsigned int f;

	REQUEST(xs_get_features_supported(h, &f));
	LOCAL(xs_get_features_supported(h, &f)); /* now from the cache */
	REQUEST(xs_set_features_domain(h, 42, 0));
	REQUEST(xs_get_features_domain(h, 42, &f));
	xs_close(h);
}

static void
t_quota(void)
{
	struct xs_handle *h = open_h();
	const char **names;
	unsigned int num, v;

	REQUEST((names = xs_get_quota_names(h, &num)) != NULL);
	free(names);
	REQUEST(xs_get_global_quota(h, "nodes", &v));
	REQUEST(xs_set_global_quota(h, "nodes", v));
	ck_assert(xs_set_features_domain(h, 43, 0)); /* the domain exists */
	REQUEST(xs_set_domain_quota(h, 43, "nodes", 77));
	REQUEST(xs_get_domain_quota(h, 43, "nodes", &v));
	xs_close(h);
}

static void
t_control(void)
{
	struct xs_handle *h = open_h();
	char *r;

	REQUEST((r = xs_control_command(h, "help", NULL, 0)) != NULL);
	free(r);
	REQUEST((r = xs_debug_command(h, "help", NULL, 0)) != NULL);
	free(r);
	xs_close(h);
}

static void
t_suspend_evtchn_port(void)
{
	struct xs_handle *h = open_h();
	int port;

	ck_assert(xs_write(h, XBT_NULL,
			   "/local/domain/9/device/suspend/event-channel", "7",
			   1));
	xs_close(h);
	REQUEST((port = xs_suspend_evtchn_port(9)) == 7);
}

static void
t_paths(void)
{
	LOCAL(xs_daemon_rundir() != NULL);
	LOCAL(xs_daemon_socket() != NULL);
	LOCAL(xs_daemon_socket_ro() != NULL);
	LOCAL(xs_path_is_subpath("/a", "/a/b"));
}

static void
t_write_all(void)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	LOCAL(xs_write_all(p[1], "abc", 3));
	close(p[0]);
	close(p[1]);
}

static void
t_strings_to_perms(void)
{
	struct xs_permissions p[2];

	LOCAL(xs_strings_to_perms(p, 2, "n0\0r5"));
	/* strtol() says ERANGE; the library is lax there, as Xen's. */
	LOCAL(xs_strings_to_perms(p, 1, "r99999999999999999999999"));
}

/* Every exported name, and the test that covers it (NULL: none can). */
static const struct call {
	const char *name;
	void (*test)(void);
} calls[] = {
	{"xs_open", t_open},
	{"xs_daemon_open", t_open},
	{"xs_domain_open", t_open},
	{"xs_daemon_open_readonly", t_open},
	{"xs_close", t_close},
	{"xs_daemon_close", t_close},
	{"xs_daemon_destroy_postfork", t_destroy_postfork},
	{"xs_directory", t_directory},
	{"xs_read", t_read},
	{"xs_write", t_write},
	{"xs_mkdir", t_write},
	{"xs_rm", t_rm},
	{"xs_restrict", NULL}, /* always fails, as in Xen since 4.9 */
	{"xs_get_permissions", t_perms},
	{"xs_set_permissions", t_perms},
	{"xs_watch", t_watch},
	{"xs_fileno", t_watch},
	{"xs_check_watch", t_watch},
	{"xs_read_watch", t_watch},
	{"xs_unwatch", t_watch},
	{"xs_watch_depth", t_watch},
	{"xs_watch_try_depth", t_watch},
	{"xs_transaction_start", t_transaction},
	{"xs_transaction_end", t_transaction},
	{"xs_transaction_retry", t_transaction_retry},
	{"xs_introduce_domain", t_introduce},
	{"xs_set_target", t_introduce},
	{"xs_resume_domain", t_introduce},
	{"xs_is_domain_introduced", t_introduce},
	{"xs_release_domain", t_release},
	{"xs_get_domain_path", t_domain_path},
	{"xs_path_is_subpath", t_paths},
	{"xs_control_command", t_control},
	{"xs_debug_command", t_control},
	{"xs_suspend_evtchn_port", t_suspend_evtchn_port},
	{"xs_daemon_rundir", t_paths},
	{"xs_daemon_socket", t_paths},
	{"xs_daemon_socket_ro", t_paths},
	{"xs_write_all", t_write_all},
	{"xs_strings_to_perms", t_strings_to_perms},
	{"xs_get_features_supported", t_features},
	{"xs_get_features_domain", t_features},
	{"xs_set_features_domain", t_features},
	{"xs_get_quota_names", t_quota},
	{"xs_get_global_quota", t_quota},
	{"xs_set_global_quota", t_quota},
	{"xs_get_domain_quota", t_quota},
	{"xs_set_domain_quota", t_quota},
};
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

/* Each distinct test function once, in the table's order. */
START_TEST(call_keeps_errno)
{
	unsigned i;

	if (calls[_i].test == NULL)
		return;
	for (i = 0; i < (unsigned)_i; i++)
		if (calls[i].test == calls[_i].test)
			return;
	calls[_i].test();
}
END_TEST

static bool
in_table(const char *name)
{
	unsigned i;

	for (i = 0; i < NCALLS; i++)
		if (strcmp(calls[i].name, name) == 0)
			return true;
	return false;
}

/* Every "name;" line of the version script's global sections. */
START_TEST(table_covers_map)
{
	const char *map = getenv("XS_MAP");
	char line[256], name[128];
	unsigned n = 0;
	FILE *f;

	f = fopen(map != NULL ? map : "xenstore-client/libxenstore.map", "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " %127[a-z_0-9];", name) != 1 ||
		    strncmp(name, "xs_", 3) != 0)
			continue;
		ck_assert_msg(in_table(name), "%s: exported, not tested here",
			      name);
		n++;
	}
	fclose(f);
	ck_assert_uint_eq(n, NCALLS);
}
END_TEST

static Suite *
errno_suite(void)
{
	Suite *s = suite_create("client-errno");
	TCase *tc;

	tc = tcase_create("map");
	tcase_add_test(tc, table_covers_map);
	suite_add_tcase(s, tc);
	tc = tcase_create("calls");
	tcase_add_unchecked_fixture(tc, host_start, host_stop);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, call_keeps_errno, 0, (int)NCALLS);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(errno_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
