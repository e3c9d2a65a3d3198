/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for transport/ring.c: both ends over one page in memory,
 * wrap-around, partial reads and writes, and refusal of bad indexes.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "leak.h"
#include "ring.h"
#include "suites.h"

static struct xenstore_domain_interface *page;

static void
page_setup(void)
{
	page = calloc(1, sizeof(*page));
	ck_assert_ptr_nonnull(page);
}

static void
page_teardown(void)
{
	free(page);
	page = NULL;
}

START_TEST(round_trip_both_directions)
{
	char buf[16];

	ck_assert(!ring_can_read(page, RING_SERVER));
	ck_assert_int_eq(ring_write(page, RING_CLIENT, "hello", 5), 5);
	ck_assert_uint_eq(page->req_prod, 5);
	ck_assert(ring_can_read(page, RING_SERVER));
	ck_assert(!ring_can_read(page, RING_CLIENT));
	ck_assert_int_eq(ring_read(page, RING_SERVER, buf, sizeof(buf)), 5);
	ck_assert_mem_eq(buf, "hello", 5);
	ck_assert_uint_eq(page->req_cons, 5);

	ck_assert_int_eq(ring_write(page, RING_SERVER, "ok", 2), 2);
	ck_assert_uint_eq(page->rsp_prod, 2);
	ck_assert_int_eq(ring_read(page, RING_CLIENT, buf, 1), 1);
	ck_assert_int_eq(ring_read(page, RING_CLIENT, buf + 1, 8), 1);
	ck_assert_mem_eq(buf, "ok", 2);
	ck_assert_int_eq(ring_read(page, RING_CLIENT, buf, 8), 0);
}
END_TEST

START_TEST(wraps_around_index_and_buffer)
{
	char in[8] = "abcdefg", out[8] = {0};

	/* 2 bytes before the end of the buffer and of the 32-bit space. */
	page->req_cons = page->req_prod = 0xfffffffeU;
	ck_assert_int_eq(ring_write(page, RING_CLIENT, in, 7), 7);
	ck_assert_uint_eq(page->req_prod, 5);
	ck_assert_mem_eq(page->req + 1022, "ab", 2);
	ck_assert_mem_eq(page->req, "cdefg", 5);
	ck_assert_int_eq(ring_read(page, RING_SERVER, out, 7), 7);
	ck_assert_str_eq(out, "abcdefg");
	ck_assert_uint_eq(page->req_cons, 5);
}
END_TEST

START_TEST(full_ring_takes_partial_writes)
{
	static char big[XENSTORE_RING_SIZE + 100];
	char buf[200];

	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(ring_write(page, RING_SERVER, big, sizeof(big)),
			 XENSTORE_RING_SIZE);
	ck_assert(!ring_can_write(page, RING_SERVER));
	ck_assert_int_eq(ring_write(page, RING_SERVER, big, 1), 0);
	ck_assert_int_eq(ring_read(page, RING_CLIENT, buf, 100), 100);
	ck_assert(ring_can_write(page, RING_SERVER));
	ck_assert_int_eq(ring_write(page, RING_SERVER, big, sizeof(big)), 100);
}
END_TEST

START_TEST(bad_indexes_refused)
{
	char buf[8];

	ck_assert(ring_idx_ok(0, XENSTORE_RING_SIZE));
	ck_assert(!ring_idx_ok(0, XENSTORE_RING_SIZE + 1));
	ck_assert(ring_idx_ok(0xffffff00U, 0xffffff00U + XENSTORE_RING_SIZE));
	ck_assert(!ring_idx_ok(5, 4)); /* consumer ahead of producer */

	page->req_cons = 10;
	page->req_prod = 10 + XENSTORE_RING_SIZE + 1;
	errno = 0;
	ck_assert(ring_can_read(page, RING_SERVER));
	ck_assert_int_eq(ring_read(page, RING_SERVER, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_uint_eq(page->req_cons, 10);
	errno = 0;
	ck_assert_int_eq(ring_write(page, RING_CLIENT, "a", 1), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_uint_eq(page->req_prod, 10 + XENSTORE_RING_SIZE + 1);

	page->rsp_cons = 7;
	page->rsp_prod = 3;
	ck_assert(ring_can_write(page, RING_SERVER));
	ck_assert_int_eq(ring_write(page, RING_SERVER, "a", 1), -1);
	ck_assert_int_eq(ring_read(page, RING_CLIENT, buf, 1), -1);
}
END_TEST

START_TEST(reset_zeroes_indexes)
{
	page->req_cons = 3;
	page->rsp_prod = 9;
	page->server_features = 2;
	ring_reset(page);
	ck_assert_uint_eq(page->req_cons, 0);
	ck_assert_uint_eq(page->rsp_prod, 0);
	ck_assert_uint_eq(page->server_features, 2);
}
END_TEST

START_TEST(peek_leaves_space_until_consumed)
{
	char buf[16];

	ck_assert_int_eq(ring_write(page, RING_CLIENT, "abcdef", 6), 6);
	ck_assert_int_eq(ring_peek(page, RING_SERVER, 0, buf, 4), 4);
	ck_assert_mem_eq(buf, "abcd", 4);
	ck_assert_int_eq(ring_peek(page, RING_SERVER, 4, buf, 16), 2);
	ck_assert_mem_eq(buf, "ef", 2);
	ck_assert_int_eq(ring_peek(page, RING_SERVER, 6, buf, 16), 0);
	/* Nothing given back: the client sees the space still taken. */
	ck_assert_uint_eq(page->req_cons, 0);
	ck_assert_int_eq(ring_space(page, RING_CLIENT), XENSTORE_RING_SIZE - 6);
	ck_assert_int_eq(ring_consume(page, RING_SERVER, 4), 0);
	ck_assert_uint_eq(page->req_cons, 4);
	ck_assert_int_eq(ring_space(page, RING_CLIENT), XENSTORE_RING_SIZE - 2);
}
END_TEST

START_TEST(peek_and_consume_refuse_outside_the_ring)
{
	char buf[4];

	ck_assert_int_eq(ring_write(page, RING_CLIENT, "abcdef", 6), 6);
	ck_assert_int_eq(ring_consume(page, RING_SERVER, 2), 0);
	/* Before the consumer, past the producer: refused. */
	errno = 0;
	ck_assert_int_eq(ring_peek(page, RING_SERVER, 1, buf, 4), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_int_eq(ring_peek(page, RING_SERVER, 7, buf, 4), -1);
	ck_assert_int_eq(ring_consume(page, RING_SERVER, 7), -1);
	ck_assert_int_eq(ring_consume(page, RING_SERVER, 1), -1);
	ck_assert_uint_eq(page->req_cons, 2);
	/* A peer's nonsense indexes. */
	page->req_prod = 5000;
	ck_assert_int_eq(ring_peek(page, RING_SERVER, 2, buf, 4), -1);
	ck_assert_int_eq(ring_space(page, RING_CLIENT), -1);
}
END_TEST

Suite *
ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("ring");

	tcase_add_checked_fixture(tc, leak_setup, leak_teardown);
	tcase_add_checked_fixture(tc, page_setup, page_teardown);
	tcase_add_test(tc, round_trip_both_directions);
	tcase_add_test(tc, wraps_around_index_and_buffer);
	tcase_add_test(tc, full_ring_takes_partial_writes);
	tcase_add_test(tc, bad_indexes_refused);
	tcase_add_test(tc, reset_zeroes_indexes);
	tcase_add_test(tc, peek_leaves_space_until_consumed);
	tcase_add_test(tc, peek_and_consume_refuse_outside_the_ring);
	suite_add_tcase(s, tc);
	return s;
}
