/* SPDX-License-Identifier: MIT */
/* Unit tests for transport/frame.c. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "frame.h"
#include "leak.h"
#include "suites.h"

START_TEST(scan_needs_whole_message)
{
	unsigned char buf[FRAME_HDR_SIZE + 4];
	struct xsd_sockmsg h = {XS_READ, 7, 0, 4}, out;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), "/a\0", 4);
	ck_assert_int_eq(frame_scan(buf, 10, &out), 0);
	ck_assert_int_eq(frame_scan(buf, sizeof(buf) - 1, &out), 0);
	ck_assert_int_eq(frame_scan(buf, sizeof(buf), &out), sizeof(buf));
	ck_assert_uint_eq(out.req_id, 7);
}
END_TEST

START_TEST(scan_refuses_oversized)
{
	struct xsd_sockmsg h = {XS_WRITE, 0, 0, XENSTORE_PAYLOAD_MAX + 1}, out;

	errno = 0;
	ck_assert_int_eq(frame_scan(&h, sizeof(h), &out), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	h.len = XENSTORE_PAYLOAD_MAX;
	ck_assert_int_eq(frame_scan(&h, sizeof(h), &out), 0);
}
END_TEST

START_TEST(payload_termination)
{
	struct xsd_sockmsg h = {XS_READ, 0, 0, 3};

	ck_assert(frame_payload_ok(&h, "ab"));
	ck_assert(!frame_payload_ok(&h, "abc"));
	h.type = XS_WRITE;
	ck_assert(frame_payload_ok(&h, "a\0b"));
	ck_assert(!frame_payload_ok(&h, "abc"));
	h.type = 999;
	ck_assert(frame_payload_ok(&h, "abc"));
	h.type = XS_READ;
	h.len = 0;
	ck_assert(frame_payload_ok(&h, ""));
}
END_TEST

START_TEST(strings)
{
	const char *vec[2];

	ck_assert_uint_eq(frame_count_strings("a\0b\0c", 5), 2);
	ck_assert_uint_eq(frame_get_strings("a\0bb\0c\0", 7, vec, 2), 3);
	ck_assert_str_eq(vec[1], "bb");
	ck_assert(frame_one_string("abc", 4));
	ck_assert(!frame_one_string("a\0c", 4));
	ck_assert(!frame_one_string("", 0));
}
END_TEST

START_TEST(errors_and_numbers)
{
	unsigned d;
	unsigned long v;

	ck_assert_str_eq(frame_error_name(ENOENT), "ENOENT");
	ck_assert_str_eq(frame_error_name(EBADF), "EINVAL");
	ck_assert_int_eq(frame_error_errno("EAGAIN"), EAGAIN);
	ck_assert_int_eq(frame_error_errno("EQUOTA"), EINVAL);
	ck_assert_int_eq(frame_parse_domid("65535", &d), 0);
	ck_assert_int_eq(frame_parse_domid("65536", &d), -1);
	ck_assert_int_eq(frame_parse_domid("1x", &d), -1);
	ck_assert_int_eq(frame_parse_domid("", &d), -1);
	ck_assert_int_eq(frame_parse_uint("18446744073709551616", ~0UL, &v),
			 -1);
	ck_assert_str_eq(frame_type_name(XS_WRITE), "WRITE");
	ck_assert_str_eq(frame_type_name(20), "INVALID");
}
END_TEST

Suite *
frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("frame");

	tcase_add_checked_fixture(tc, leak_setup, leak_teardown);
	tcase_add_test(tc, scan_needs_whole_message);
	tcase_add_test(tc, scan_refuses_oversized);
	tcase_add_test(tc, payload_termination);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, errors_and_numbers);
	suite_add_tcase(s, tc);
	return s;
}
