/* SPDX-License-Identifier: MIT */
/*
 * The xenstore domain's filter (tools/xsim/confine.c): once applied, the
 * process cannot set its data limit, by setrlimit or by prlimit, neither
 * raise its soft limit toward the hard one nor change the hard one; it
 * still reads it and sets other limits; it creates no socket.  Under
 * its Landlock ruleset (landlock.c) it reads and writes beneath its
 * share only, and reaches no unix socket, no TCP port, no abstract
 * socket.  Check runs each test in a child of its own, so the filter and
 * the ruleset stay there.
 */
#include <check.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

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

START_TEST(test_confined_no_socket)
{
	int sv[2];

	ck_assert_int_eq(confine_domain(), 0);
	errno = 0;
	ck_assert_int_eq(socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

/*
 * Two directories side by side under a fresh one: the share, and
 * "outside", with a file and a listening unix socket in it.
 */
struct jail {
	char top[32], share[64], outside[64], file[96], sock[96];
	int listener;
};

static struct jail jail;

/* In Check's parent process, once for the test case. */
static void
make_jail(void)
{
	struct jail *j = &jail;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	snprintf(j->top, sizeof(j->top), "/tmp/confine-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(j->top));
	snprintf(j->share, sizeof(j->share), "%.31s/share", j->top);
	snprintf(j->outside, sizeof(j->outside), "%.31s/outside", j->top);
	snprintf(j->file, sizeof(j->file), "%.40s/file", j->outside);
	snprintf(j->sock, sizeof(j->sock), "%.40s/sock", j->outside);
	ck_assert_int_eq(mkdir(j->share, 0700), 0);
	ck_assert_int_eq(mkdir(j->outside, 0700), 0);
	fd = open(j->file, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	j->listener = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(j->listener, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", j->sock);
	ck_assert_int_eq(bind(j->listener, (struct sockaddr *)&sa, sizeof(sa)),
			 0);
	ck_assert_int_eq(listen(j->listener, 1), 0);
}

static void
remove_jail(void)
{
	static const char *const names[] = {"share/state_dump", "outside/file",
					    "outside/new",	"outside/made",
					    "outside/sock",	"share",
					    "outside"};
	char path[192];
	size_t i;

	close(jail.listener);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", jail.top, names[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	rmdir(jail.top);
}

/* Skips (passes, saying so) where the kernel has no Landlock. */
static bool
confine_jail(const struct jail *j)
{
	int abi;

	abi = confine_files(j->share, NULL, NULL);
	ck_assert_int_ge(abi, 0);
	if (abi == 0)
		fprintf(stderr, "confine-unit: no Landlock: file system "
				"confinement not tested\n");
	return abi > 0;
}

static int
open_in(const char *dir, const char *name, int flags)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, flags, 0600);
}

START_TEST(test_unconfined_opens_outside)
{
	const struct jail j = jail;
	int fd;

	fd = open(j.file, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fd = open_in(j.outside, "new", O_WRONLY | O_CREAT);
	ck_assert_int_ge(fd, 0);
	close(fd);
}
END_TEST

START_TEST(test_confined_files_share_only)
{
	const struct jail j = jail;
	int fd;

	if (!confine_jail(&j))
		return;
	errno = 0;
	ck_assert_int_eq(open(j.file, O_RDONLY), -1);
	ck_assert_int_eq(errno, EACCES);
	errno = 0;
	ck_assert_int_eq(open_in(j.outside, "made", O_WRONLY | O_CREAT), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(access(j.outside, F_OK), 0); /* path walk is free */
	errno = 0;
	ck_assert_int_eq(open_in(j.outside, "made", O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOENT); /* and nothing was created */
	fd = open_in(j.share, "state_dump", O_RDWR | O_CREAT | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
	ck_assert_int_eq(chdir(j.share), 0);
	fd = open("trace.log", O_WRONLY | O_CREAT | O_APPEND, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(unlink("trace.log"), 0);
	/* What the loader reads stays readable. */
	fd = open("/etc/ld.so.cache", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	close(fd);
	errno = 0;
	ck_assert_int_eq(open("/etc/hostname", O_RDONLY), -1);
	ck_assert_int_eq(errno, EACCES);
}
END_TEST

START_TEST(test_confined_connects_nowhere)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sockaddr_in in = {.sin_family = AF_INET};
	const struct jail j = jail;
	int fd;

	if (!confine_jail(&j))
		return;
	/* A socket made before: Landlock alone then stops TCP. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	in.sin_port = htons(1);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (confine_abi() >= 4) {
		errno = 0;
		ck_assert_int_eq(
			connect(fd, (struct sockaddr *)&in, sizeof(in)), -1);
		ck_assert_int_eq(errno, EACCES);
		errno = 0;
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&in, sizeof(in)),
				 -1);
		ck_assert_int_eq(errno, EACCES);
	}
	close(fd);
	/*
	 * Landlock does not bound connecting to a unix socket by its path:
	 * a socket made before reaches the listener outside the share ...
	 */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", j.sock);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	/* ... which is why the filter leaves no socket to connect with. */
	ck_assert_int_eq(confine_domain(), 0);
	errno = 0;
	ck_assert_int_eq(socket(AF_UNIX, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(errno, EPERM);
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
	tcase_add_test(tc, test_confined_no_socket);
	suite_add_tcase(s, tc);
	tc = tcase_create("files and network");
	tcase_add_unchecked_fixture(tc, make_jail, remove_jail);
	tcase_add_test(tc, test_unconfined_opens_outside);
	tcase_add_test(tc, test_confined_files_share_only);
	tcase_add_test(tc, test_confined_connects_nowhere);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
