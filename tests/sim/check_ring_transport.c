/* SPDX-License-Identifier: MIT */
/*
 * Check suite of libxenstore's shared-ring transport (xenstore-client/
 * xs_ring.c) against a fake daemon in a thread of the test: the page is
 * ordinary memory, the event channel two eventfds.  The fake serves READ
 * (the last value written, or "value-of:<path>"), WRITE, WATCH (one
 * event at once) and can break the page on request (error field, bad
 * index), so the transport's blocking, wake-ups, wrap-around and death
 * are tested without a hypervisor or xenstored.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "frame.h"
#include "ring.h"
#include "xs_ring.h"

enum fake_mode { FAKE_SERVE, FAKE_SET_ERROR, FAKE_BAD_INDEX, FAKE_SILENT };

struct fake {
	struct xenstore_domain_interface page;
	int to_server, to_client, stop;
	pthread_t thread;
	enum fake_mode mode;
	char last[XENSTORE_PAYLOAD_MAX + 1]; /* last value written */
	size_t last_len;
	unsigned requests;
};

static struct fake *fk;

static void
kick(int fd)
{
	uint64_t one = 1;

	ck_assert_int_eq(write(fd, &one, sizeof(one)), sizeof(one));
}

static void
drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) > 0)
		;
}

/* Wait for the client to notify us (or for the test to stop us). */
static bool
server_wait(struct fake *f)
{
	struct pollfd p[2] = {{.fd = f->to_server, .events = POLLIN},
			      {.fd = f->stop, .events = POLLIN}};

	poll(p, 2, 1000);
	drain(f->to_server);
	return !(p[1].revents & POLLIN);
}

static bool
server_send(struct fake *f, uint32_t type, uint32_t req_id, const void *body,
	    size_t len)
{
	struct xsd_sockmsg hdr = {
		.type = type, .req_id = req_id, .len = (uint32_t)len};
	char buf[FRAME_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
	size_t off = 0, total = FRAME_HDR_SIZE + len;
	ssize_t n;

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + FRAME_HDR_SIZE, body, len);
	while (off < total) {
		n = ring_write(&f->page, RING_SERVER, buf + off, total - off);
		if (n < 0)
			return false;
		if (n > 0) {
			off += (size_t)n;
			kick(f->to_client);
		} else if (!server_wait(f)) {
			return false;
		}
	}
	return true;
}

static void
serve(struct fake *f, const struct xsd_sockmsg *hdr, const char *body)
{
	char reply[XENSTORE_PAYLOAD_MAX];
	size_t plen;
	int n;

	f->requests++;
	switch (hdr->type) {
	case XS_READ:
		if (f->last_len > 0) {
			server_send(f, XS_READ, hdr->req_id, f->last,
				    f->last_len);
		} else {
			n = snprintf(reply, sizeof(reply), "value-of:%s", body);
			server_send(f, XS_READ, hdr->req_id, reply, (size_t)n);
		}
		break;
	case XS_WRITE:
		plen = strlen(body) + 1;
		f->last_len = hdr->len - plen;
		memcpy(f->last, body + plen, f->last_len);
		server_send(f, XS_WRITE, hdr->req_id, "OK", 3);
		break;
	case XS_WATCH:
		server_send(f, XS_WATCH, hdr->req_id, "OK", 3);
		/* body is "path\0token\0": exactly an event's payload. */
		server_send(f, XS_WATCH_EVENT, 0, body, hdr->len);
		break;
	default:
		server_send(f, XS_ERROR, hdr->req_id, "ENOSYS", 7);
	}
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	char in[FRAME_HDR_SIZE + XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg hdr;
	size_t have = 0;
	ssize_t n, whole;

	for (;;) {
		/* Look before sleeping: server_send() may have eaten a kick. */
		n = ring_read(&f->page, RING_SERVER, in + have,
			      sizeof(in) - 1 - have);
		if (n <= 0) {
			if (!server_wait(f))
				break;
			continue;
		}
		have += (size_t)n;
		kick(f->to_client); /* room in the request ring */
		while ((whole = frame_scan(in, have, &hdr)) > 0) {
			in[whole] = '\0';
			if (f->mode == FAKE_SET_ERROR) {
				f->page.error = XENSTORE_ERROR_PROTO;
				kick(f->to_client);
			} else if (f->mode == FAKE_BAD_INDEX) {
				f->page.rsp_prod = f->page.rsp_cons + 5000;
				kick(f->to_client);
			} else if (f->mode == FAKE_SERVE) {
				serve(f, &hdr, in + FRAME_HDR_SIZE);
			}
			have -= (size_t)whole;
			memmove(in, in + whole, have);
		}
	}
	return NULL;
}

static int
c_notify(void *arg)
{
	uint64_t one = 1;

	return write(((struct fake *)arg)->to_server, &one, sizeof(one)) ==
			       sizeof(one)
		       ? 0
		       : -1;
}

static int
c_fd(void *arg)
{
	return ((struct fake *)arg)->to_client;
}

static int
c_ack(void *arg)
{
	uint64_t n;

	return read(((struct fake *)arg)->to_client, &n, sizeof(n)) > 0 ? 1 : 0;
}

static const struct xs_ring_evtchn client_ev = {
	.notify = c_notify,
	.fd = c_fd,
	.ack = c_ack,
};

static struct xs_handle *
open_fake(void)
{
	struct xs_ring_evtchn ev = client_ev;
	struct xs_handle *h;

	ev.arg = fk;
	h = xs_ring_open(&fk->page, &ev, 0);
	ck_assert_ptr_nonnull(h);
	return h;
}

static void
setup(void)
{
	fk = calloc(1, sizeof(*fk));
	ck_assert_ptr_nonnull(fk);
	fk->to_server = eventfd(0, EFD_NONBLOCK);
	fk->to_client = eventfd(0, EFD_NONBLOCK);
	fk->stop = eventfd(0, EFD_NONBLOCK);
	ck_assert(fk->to_server >= 0 && fk->to_client >= 0 && fk->stop >= 0);
	/* Indexes need not start at 0: start near the 2^32 wrap. */
	fk->page.req_cons = fk->page.req_prod = 0xfffffc00u;
	fk->page.rsp_cons = fk->page.rsp_prod = 0xfffffe00u;
	ck_assert_int_eq(pthread_create(&fk->thread, NULL, fake_main, fk), 0);
}

static void
teardown(void)
{
	kick(fk->stop);
	pthread_join(fk->thread, NULL);
	close(fk->to_server);
	close(fk->to_client);
	close(fk->stop);
	free(fk);
	fk = NULL;
}

START_TEST(test_read_write)
{
	struct xs_handle *h = open_fake();
	unsigned len;
	char *v = xs_read(h, XBT_NULL, "/a/b", &len);

	ck_assert_str_eq(v, "value-of:/a/b");
	ck_assert_uint_eq(len, strlen("value-of:/a/b"));
	free(v);
	ck_assert(xs_write(h, XBT_NULL, "/a/b", "hello", 5));
	v = xs_read(h, XBT_NULL, "/a/b", &len);
	ck_assert_str_eq(v, "hello");
	free(v);
	xs_close(h);
}
END_TEST

/* A 4000-byte value fills the request ring four times, and the reply. */
START_TEST(test_big_values_wrap)
{
	struct xs_handle *h = open_fake();
	char big[4000], *v;
	unsigned len, i, round;

	for (round = 0; round < 20; round++) {
		for (i = 0; i < sizeof(big); i++)
			big[i] = (char)('a' + (i + round) % 26);
		ck_assert(xs_write(h, XBT_NULL, "/big", big, sizeof(big)));
		v = xs_read(h, XBT_NULL, "/big", &len);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(len, sizeof(big));
		ck_assert(memcmp(v, big, sizeof(big)) == 0);
		free(v);
	}
	xs_close(h);
}
END_TEST

/* After a watch the reader thread reads; senders must still wake it. */
START_TEST(test_watch_then_requests)
{
	struct xs_handle *h = open_fake();
	char **ev, big[3000], *v;
	unsigned num, i;

	ck_assert(xs_watch(h, "/w", "tok"));
	ev = xs_read_watch(h, &num);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(num, 2);
	ck_assert_str_eq(ev[XS_WATCH_PATH], "/w");
	ck_assert_str_eq(ev[XS_WATCH_TOKEN], "tok");
	free(ev);
	memset(big, 'x', sizeof(big));
	for (i = 0; i < 200; i++) {
		ck_assert(xs_write(h, XBT_NULL, "/p", big,
				   (unsigned)(i % 2 ? sizeof(big) : 10)));
		v = xs_read(h, XBT_NULL, "/p", NULL);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(strlen(v), i % 2 ? sizeof(big) : 10);
		free(v);
	}
	xs_close(h);
}
END_TEST

START_TEST(test_unknown_op_is_an_error)
{
	struct xs_handle *h = open_fake();

	ck_assert(!xs_mkdir(h, XBT_NULL, "/x"));
	ck_assert_int_eq(errno, ENOSYS);
	xs_close(h);
}
END_TEST

/* The daemon gives up on us through the page's error field. */
START_TEST(test_error_field_kills_handle)
{
	struct xs_handle *h = open_fake();

	fk->mode = FAKE_SET_ERROR;
	ck_assert_ptr_null(xs_read(h, XBT_NULL, "/a", NULL));
	ck_assert_int_eq(errno, EBADF);
	ck_assert_ptr_null(xs_read(h, XBT_NULL, "/a", NULL));
	ck_assert_int_eq(errno, EBADF);
	xs_close(h);
}
END_TEST

START_TEST(test_bad_index_kills_handle)
{
	struct xs_handle *h = open_fake();

	fk->mode = FAKE_BAD_INDEX;
	ck_assert_ptr_null(xs_read(h, XBT_NULL, "/a", NULL));
	ck_assert_int_eq(errno, EBADF);
	xs_close(h);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct xs_ring_evtchn ev = client_ev;

	ev.ack = NULL;
	errno = 0;
	ck_assert_ptr_null(xs_ring_open(&fk->page, &ev, 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(xs_ring_open(NULL, &client_ev, 0));
}
END_TEST

static Suite *
ring_transport_suite(void)
{
	Suite *s = suite_create("ring_transport");
	TCase *tc = tcase_create("fake daemon");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_read_write);
	tcase_add_test(tc, test_big_values_wrap);
	tcase_add_test(tc, test_watch_then_requests);
	tcase_add_test(tc, test_unknown_op_is_an_error);
	tcase_add_test(tc, test_error_field_kills_handle);
	tcase_add_test(tc, test_bad_index_kills_handle);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ring_transport_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
