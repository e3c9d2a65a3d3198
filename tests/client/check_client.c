/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the client side that need no real daemon: the tool's
 * value escaping, the library's pure helpers, and the request engine
 * against a scripted fake daemon (a thread on a private socket) that
 * sends what a real daemon never would: unknown error names, replies of
 * the wrong type, events in the middle of a request, end of stream.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* xs_wire.h (via frame.h) before xenstore.h: see xenstore.h. */
#include "frame.h"
#include "unix.h"
#include "cli.h"
#include "xenstore.h"
#include "xs_resume.h"

/* --- escaping, as Xen's tools print and parse values --- */

START_TEST(escape_table)
{
	static const char in[] = "a\\b\t\n\r\001\007\010\x7f\x80 ~";

	ck_assert_str_eq(cli_escape(in, sizeof(in) - 1),
			 "a\\\\b\\t\\n\\r\\001\\007\\x08\\x7f\\x80 ~");
	ck_assert_str_eq(cli_escape("\0z", 2), "\\000z");
	ck_assert_str_eq(cli_escape("", 0), "");
	cli_escape_free();
}
END_TEST

START_TEST(unescape_table)
{
	char out[64];

	ck_assert_uint_eq(cli_unescape(out, "a\\tb\\n\\\\"), 5);
	ck_assert_mem_eq(out, "a\tb\n\\", 5);
	ck_assert_uint_eq(cli_unescape(out, "\\x41\\x4g\\101\\0z"), 6);
	ck_assert_mem_eq(out,
			 "A\x04g"
			 "A\0z",
			 6);
	/* An unknown escape keeps the byte; a trailing backslash is NUL. */
	ck_assert_uint_eq(cli_unescape(out, "\\q\\-x\\"), 4);
	ck_assert_mem_eq(out, "q-x\0", 4);
	/* \x without digits leaves the x. */
	ck_assert_uint_eq(cli_unescape(out, "\\xz"), 2);
	ck_assert_mem_eq(out, "xz", 2);
}
END_TEST

START_TEST(escape_roundtrip)
{
	char val[256], out[4 * 256 + 1];
	unsigned i;

	for (i = 0; i < 256; i++)
		val[i] = (char)i;
	strcpy(out, cli_escape(val, 256));
	ck_assert_uint_eq(cli_unescape(out, out), 256);
	ck_assert_mem_eq(out, val, 256);
	cli_escape_free();
}
END_TEST

/* --- pure library helpers --- */

START_TEST(subpath)
{
	ck_assert(xs_path_is_subpath("/a", "/a"));
	ck_assert(xs_path_is_subpath("/a", "/a/b"));
	ck_assert(!xs_path_is_subpath("/a", "/ab"));
	ck_assert(!xs_path_is_subpath("/a/b", "/a"));
	ck_assert(!xs_path_is_subpath("a", "/a"));
	/* As in Xen: the root is not a parent by this test. */
	ck_assert(!xs_path_is_subpath("/", "/a"));
}
END_TEST

START_TEST(strings_to_perms)
{
	struct xs_permissions p[3];

	ck_assert(xs_strings_to_perms(p, 3, "n0\0r5\0b0x10"));
	ck_assert_uint_eq(p[0].perms, XS_PERM_NONE);
	ck_assert_uint_eq(p[1].id, 5);
	ck_assert_uint_eq(p[1].perms, XS_PERM_READ);
	ck_assert_uint_eq(p[2].id, 16);
	ck_assert_uint_eq(p[2].perms, XS_PERM_READ | XS_PERM_WRITE);
	errno = 0;
	ck_assert(!xs_strings_to_perms(p, 1, "x1"));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert(!xs_strings_to_perms(p, 1, "r"));
	ck_assert(!xs_strings_to_perms(p, 1, "r1z"));
}
END_TEST

START_TEST(daemon_paths)
{
	setenv("XENSTORED_RUNDIR", "/tmp/rd", 1);
	unsetenv("XENSTORED_PATH");
	ck_assert_str_eq(xs_daemon_rundir(), "/tmp/rd");
	ck_assert_str_eq(xs_daemon_socket(), "/tmp/rd/socket");
	ck_assert_str_eq(xs_daemon_socket_ro(), "/tmp/rd/socket");
	setenv("XENSTORED_PATH", "/x/y", 1);
	ck_assert_str_eq(xs_daemon_socket(), "/x/y");
	unsetenv("XENSTORED_RUNDIR");
	unsetenv("XENSTORED_PATH");
	ck_assert_str_eq(xs_daemon_rundir(), "/var/run/xenstored");
}
END_TEST

/* --- the engine against a scripted daemon --- */

/* What the fake daemon sends after reading one request. */
struct step {
	int event_first;   /* send an event before the reply */
	uint32_t type;	   /* reply type; 0: the request's own */
	const char *reply; /* reply payload (with its NUL) */
	size_t len;
	int bad_id; /* answer with a wrong req_id */
	int close;  /* close instead of replying */
	int huge;   /* announce a payload over XENSTORE_PAYLOAD_MAX */
	int bad_ev; /* send an event of one string first */
};

struct fake {
	char dir[64];
	char path[96];
	int lfd;
	const struct step *steps;
	unsigned nsteps;
	char req[8][64]; /* the start of each request's payload */
	pthread_t thr;
};

static int
read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
send_msg(int fd, uint32_t type, uint32_t req_id, const char *p, size_t len)
{
	struct xsd_sockmsg h = {type, req_id, 0, (uint32_t)len};

	/* The client may have hung up already (it gave up on us). */
	if (send(fd, &h, sizeof(h), MSG_NOSIGNAL) == sizeof(h) && len > 0)
		send(fd, p, len, MSG_NOSIGNAL);
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	struct pollfd pfd = {.fd = f->lfd, .events = POLLIN};
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX];
	unsigned i;
	int fd;

	poll(&pfd, 1, -1);
	fd = unix_accept(f->lfd);
	ck_assert_int_ge(fd, 0);
	fcntl(fd, F_SETFL, 0);
	pfd.fd = fd;
	for (i = 0; i < f->nsteps; i++) {
		const struct step *s = &f->steps[i];

		poll(&pfd, 1, -1);
		if (read_full(fd, &h, sizeof(h)) != 0 ||
		    read_full(fd, body, h.len) != 0)
			break;
		if (i < 8)
			memcpy(f->req[i], body, h.len < 64 ? h.len : 64);
		if (s->close)
			break;
		if (s->huge) {
			h.len = XENSTORE_PAYLOAD_MAX + 1;
			send(fd, &h, sizeof(h), MSG_NOSIGNAL);
			continue;
		}
		if (s->bad_ev)
			send_msg(fd, XS_WATCH_EVENT, 0, "/ev", 4);
		if (s->event_first)
			send_msg(fd, XS_WATCH_EVENT, 0, "/ev\0tok", 8);
		send_msg(fd, s->type ? s->type : h.type,
			 s->bad_id ? h.req_id + 100 : h.req_id, s->reply,
			 s->len);
	}
	close(fd);
	return NULL;
}

static struct xs_handle *
fake_open(struct fake *f, const struct step *steps, unsigned n)
{
	struct xs_handle *h;

	strcpy(f->dir, "/tmp/xsc-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/socket", f->dir);
	f->lfd = unix_listen(f->path, 0600);
	ck_assert_int_ge(f->lfd, 0);
	f->steps = steps;
	f->nsteps = n;
	pthread_create(&f->thr, NULL, fake_main, f);
	setenv("XENSTORED_PATH", f->path, 1);
	/* These test a handle's death, not its surviving a restart. */
	setenv("XENSTORE_RECONNECT_TIMEOUT", "0", 1);
	h = xs_open(0);
	ck_assert_ptr_nonnull(h);
	return h;
}

static void
fake_close(struct fake *f, struct xs_handle *h)
{
	xs_close(h);
	pthread_join(f->thr, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
}

START_TEST(error_names)
{
	static const struct step steps[] = {
		{.type = XS_ERROR, .reply = "EACCES", .len = sizeof("EACCES")},
		{.type = XS_ERROR, .reply = "EQUOTA", .len = sizeof("EQUOTA")},
		{.type = XS_ERROR, .reply = "EAGAIN", .len = sizeof("EAGAIN")},
		{.reply = "value", .len = sizeof("value")},
	};
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 4);
	unsigned int len;
	char *v;

	errno = 0;
	ck_assert_ptr_null(xs_read(h, XBT_NULL, "/a", &len));
	ck_assert_int_eq(errno, EACCES);
	/* oxenstored's EQUOTA is not a protocol name: EINVAL, as Xen. */
	ck_assert(!xs_write(h, XBT_NULL, "/a", "x", 1));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert(!xs_transaction_end(h, 5, false));
	ck_assert_int_eq(errno, EAGAIN);
	/* The handle survives errors. */
	v = xs_read(h, XBT_NULL, "/a", &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 6);
	ck_assert_str_eq(v, "value");
	free(v);
	fake_close(&f, h);
}
END_TEST

START_TEST(event_during_request)
{
	static const struct step steps[] = {
		{.event_first = 1, .reply = "v", .len = sizeof("v")},
	};
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 1);
	struct pollfd pfd;
	char *v, **ev;

	pfd.fd = xs_fileno(h);
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	errno = 0;
	ck_assert_ptr_null(xs_check_watch(h));
	ck_assert_int_eq(errno, EAGAIN);
	v = xs_read(h, XBT_NULL, "/a", NULL);
	ck_assert_ptr_nonnull(v);
	free(v);
	/* The event read on the way was queued, and the pipe says so. */
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ev = xs_check_watch(h);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev[XS_WATCH_PATH], "/ev");
	ck_assert_str_eq(ev[XS_WATCH_TOKEN], "tok");
	free(ev);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	fake_close(&f, h);
}
END_TEST

START_TEST(wrong_reply_kills)
{
	static const struct step steps[] = {
		{.type = XS_DIRECTORY, .reply = "v", .len = sizeof("v")},
	};
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 1);

	errno = 0;
	ck_assert_ptr_null(xs_read(h, XBT_NULL, "/a", NULL));
	ck_assert_int_eq(errno, EBADF);
	ck_assert_ptr_null(xs_read(h, XBT_NULL, "/a", NULL));
	ck_assert_int_eq(errno, EBADF);
	fake_close(&f, h);
}
END_TEST

/* Like Xen's library, and because xenbus devices rewrite ids: no check. */
START_TEST(reply_id_not_checked)
{
	static const struct step steps[] = {
		{.reply = "v", .len = sizeof("v"), .bad_id = 1},
	};
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 1);
	char *v = xs_read(h, XBT_NULL, "/a", NULL);

	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, "v");
	free(v);
	fake_close(&f, h);
}
END_TEST

/*
 * DIRECTORY_PART: chunks glued together; a generation change between
 * chunks (the directory changed) restarts from offset 0.
 */
START_TEST(directory_in_parts)
{
	static const struct step steps[] = {
		{.type = XS_ERROR, .reply = "E2BIG", .len = sizeof("E2BIG")},
		{.reply = "5\0a\0bb", .len = sizeof("5\0a\0bb")},
		{.reply = "6\0a\0bb", .len = sizeof("6\0a\0bb")},
		{.reply = "6\0a\0bb", .len = sizeof("6\0a\0bb")},
		{.reply = "6\0c\0", .len = sizeof("6\0c\0")},
	};
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 5);
	unsigned int num;
	char **d = xs_directory(h, XBT_NULL, "/big", &num);

	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(num, 3);
	ck_assert_str_eq(d[0], "a");
	ck_assert_str_eq(d[1], "bb");
	ck_assert_str_eq(d[2], "c");
	free(d);
	/* Offsets asked: 0, 5 (then the restart), 0, 5. */
	ck_assert_mem_eq(f.req[1],
			 "/big\0"
			 "0",
			 7);
	ck_assert_mem_eq(f.req[2],
			 "/big\0"
			 "5",
			 7);
	ck_assert_mem_eq(f.req[3],
			 "/big\0"
			 "0",
			 7);
	ck_assert_mem_eq(f.req[4],
			 "/big\0"
			 "5",
			 7);
	fake_close(&f, h);
}
END_TEST

/* A daemon without DIRECTORY_PART: the big directory is E2BIG. */
START_TEST(directory_part_unsupported)
{
	static const struct step steps[] = {
		{.type = XS_ERROR, .reply = "E2BIG", .len = sizeof("E2BIG")},
		{.type = XS_ERROR, .reply = "ENOSYS", .len = sizeof("ENOSYS")},
	};
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 2);
	unsigned int num;

	errno = 0;
	ck_assert_ptr_null(xs_directory(h, XBT_NULL, "/big", &num));
	ck_assert_int_eq(errno, E2BIG);
	fake_close(&f, h);
}
END_TEST

START_TEST(oversized_kills)
{
	static const struct step steps[] = {
		{.huge = 1},
	};
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 1);

	errno = 0;
	ck_assert_ptr_null(xs_read(h, XBT_NULL, "/a", NULL));
	ck_assert_int_eq(errno, EBADF);
	fake_close(&f, h);
}
END_TEST

START_TEST(short_event_kills)
{
	static const struct step steps[] = {
		{.reply = "v", .len = sizeof("v"), .bad_ev = 1},
	};
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 1);

	errno = 0;
	ck_assert_ptr_null(xs_read(h, XBT_NULL, "/a", NULL));
	ck_assert_int_eq(errno, EBADF);
	fake_close(&f, h);
}
END_TEST

START_TEST(eof_kills_and_wakes_pollers)
{
	static const struct step steps[] = {
		{.reply = "OK", .len = sizeof("OK")},
		{.close = 1},
	};
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 2);
	struct pollfd pfd;
	unsigned int num;

	/* The first watch starts the reader thread. */
	ck_assert(xs_watch(h, "/w", "t"));
	pfd.fd = xs_fileno(h);
	pfd.events = POLLIN;
	errno = 0;
	ck_assert_ptr_null(xs_read(h, XBT_NULL, "/a", NULL));
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(poll(&pfd, 1, -1), 1);
	ck_assert_ptr_null(xs_check_watch(h));
	ck_assert_int_eq(errno, EBADF);
	ck_assert_ptr_null(xs_read_watch(h, &num));
	ck_assert_int_eq(errno, EBADF);
	fake_close(&f, h);
}
END_TEST

START_TEST(too_big_not_sent)
{
	static const struct step steps[] = {
		{.reply = "OK", .len = sizeof("OK")},
	};
	static char big[XENSTORE_PAYLOAD_MAX];
	struct fake f;
	struct xs_handle *h = fake_open(&f, steps, 1);

	errno = 0;
	ck_assert(!xs_write(h, XBT_NULL, "/a", big, sizeof(big)));
	ck_assert_int_eq(errno, E2BIG);
	/* Nothing went out: the connection is still in step. */
	ck_assert(xs_write(h, XBT_NULL, "/a", big, 10));
	fake_close(&f, h);
}
END_TEST

START_TEST(no_daemon)
{
	setenv("XENSTORED_PATH", "/nonexistent/socket", 1);
	errno = 0;
	ck_assert_ptr_null(xs_open(0));
	ck_assert_int_eq(errno, ENOENT);
	xs_close(NULL);
}
END_TEST

/* What a handle repeats after a restart of the daemon (xs_resume.c). */
START_TEST(resume_plans)
{
	struct xs_resume *r = xs_resume_new();
	static const char w[] = "/a\0tok";

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(xs_resume_plan(r, XS_WRITE, 0, true, false),
			 XS_RESUME_SEND);
	ck_assert_int_eq(xs_resume_plan(r, XS_CONTROL, 0, true, false),
			 XS_RESUME_FAIL);
	ck_assert_int_eq(xs_resume_plan(r, XS_CONTROL, 0, false, false),
			 XS_RESUME_SEND);
	/* A transaction opened before the restart is lost. */
	xs_resume_note(r, XS_TRANSACTION_START, 0, "", 1, "7");
	ck_assert_int_eq(xs_resume_plan(r, XS_READ, 7, false, false),
			 XS_RESUME_SEND);
	xs_resume_lose_transactions(r);
	ck_assert_int_eq(xs_resume_plan(r, XS_READ, 7, false, false),
			 XS_RESUME_SEND_NO_TX);
	ck_assert_int_eq(xs_resume_plan(r, XS_WRITE, 7, true, false),
			 XS_RESUME_FAKE_OK);
	ck_assert_int_eq(xs_resume_plan(r, XS_TRANSACTION_END, 7, true, false),
			 XS_RESUME_EAGAIN);
	ck_assert_int_eq(xs_resume_plan(r, XS_TRANSACTION_END, 7, true, true),
			 XS_RESUME_FAKE_OK);
	/* Watches kept once, in order, until unwatched. */
	xs_resume_note(r, XS_WATCH, 0, w, sizeof(w), "OK");
	xs_resume_note(r, XS_WATCH, 0, w, sizeof(w), "OK");
	{
		size_t len;

		ck_assert_ptr_nonnull(xs_resume_watch(r, 0, &len));
		ck_assert_uint_eq(len, sizeof(w));
		ck_assert_ptr_null(xs_resume_watch(r, 1, &len));
		xs_resume_note(r, XS_UNWATCH, 0, w, sizeof(w), "OK");
		ck_assert_ptr_null(xs_resume_watch(r, 0, &len));
	}
	xs_resume_free(r);
}
END_TEST

static Suite *
client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc;

	tc = tcase_create("escape");
	tcase_add_test(tc, escape_table);
	tcase_add_test(tc, unescape_table);
	tcase_add_test(tc, escape_roundtrip);
	suite_add_tcase(s, tc);
	tc = tcase_create("helpers");
	tcase_add_test(tc, subpath);
	tcase_add_test(tc, strings_to_perms);
	tcase_add_test(tc, daemon_paths);
	suite_add_tcase(s, tc);
	tc = tcase_create("engine");
	tcase_add_test(tc, error_names);
	tcase_add_test(tc, event_during_request);
	tcase_add_test(tc, wrong_reply_kills);
	tcase_add_test(tc, reply_id_not_checked);
	tcase_add_test(tc, directory_in_parts);
	tcase_add_test(tc, directory_part_unsupported);
	tcase_add_test(tc, oversized_kills);
	tcase_add_test(tc, short_event_kills);
	tcase_add_test(tc, eof_kills_and_wakes_pollers);
	tcase_add_test(tc, too_big_not_sent);
	tcase_add_test(tc, no_daemon);
	tcase_add_test(tc, resume_plans);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
