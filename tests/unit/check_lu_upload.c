/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the checks of a xenstore domain's kernel upload
 * (xenstored/lu/lu_upload.c): -b's size, -d's chunk as Xen's tool sends
 * it (the bytes raw, NULs and all, a NUL after them), and what counts as
 * a xenstored image.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "leak.h"
#include "lu_int.h"
#include "suites.h"

START_TEST(sizes)
{
	ck_assert_uint_eq(lu_upload_size("890920", SIZE_MAX), 890920);
	ck_assert_uint_eq(lu_upload_size("2048", 2048), 2048);
	ck_assert_uint_eq(lu_upload_size("2049", 2048), 0);
	ck_assert_uint_eq(lu_upload_size("0", SIZE_MAX), 0);
	ck_assert_uint_eq(lu_upload_size("", SIZE_MAX), 0);
	ck_assert_uint_eq(lu_upload_size("12ab", SIZE_MAX), 0);
	ck_assert_uint_eq(lu_upload_size("-5", SIZE_MAX), 0);
	ck_assert_uint_eq(lu_upload_size(" 5", SIZE_MAX), 0);
	ck_assert_uint_eq(lu_upload_size("99999999999999999999999", SIZE_MAX),
			  0);
}
END_TEST

START_TEST(xen_chunk)
{
	/* Xen's tool: "-d\0<len>\0" + len bytes + "\0", after the command. */
	static const char msg[] = "live-update\0-d\0005\0a\0b\0c\0";
	const char *data = NULL;
	size_t n;

	ck_assert_int_eq(lu_upload_chunk(msg, sizeof(msg) - 1, &data, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_ptr_eq(data, msg + 17);
	ck_assert_int_eq(memcmp(data, "a\0b\0c", 5), 0);
	/* Without the trailing NUL the bytes are still all there. */
	ck_assert_int_eq(lu_upload_chunk(msg, sizeof(msg) - 2, &data, &n), 0);
}
END_TEST

START_TEST(bad_chunks)
{
	static const char longer[] = "live-update\0-d\0009\0abc\0";
	static const char zero[] = "live-update\0-d\0000\0\0";
	static const char word[] = "live-update\0-d\0x\0abc\0";
	static const char other[] = "live-update\0-b\0003\0abc\0";
	static const char cut[] = "live-update\0-d\0003";
	const char *data;
	size_t n;

	ck_assert_int_eq(lu_upload_chunk(longer, sizeof(longer) - 1, &data, &n),
			 EINVAL);
	ck_assert_int_eq(lu_upload_chunk(zero, sizeof(zero) - 1, &data, &n),
			 EINVAL);
	ck_assert_int_eq(lu_upload_chunk(word, sizeof(word) - 1, &data, &n),
			 EINVAL);
	ck_assert_int_eq(lu_upload_chunk(other, sizeof(other) - 1, &data, &n),
			 EINVAL);
	ck_assert_int_eq(lu_upload_chunk(cut, sizeof(cut) - 1, &data, &n),
			 EINVAL);
	ck_assert_int_eq(lu_upload_chunk("", 0, &data, &n), EINVAL);
}
END_TEST

START_TEST(images)
{
	static const char ours[] = "\177ELF\2\1\1\0...--check-state...";
	static const char script[] = "#!/bin/sh\n# --check-state\n";
	static const char other[] = "\177ELF\2\1\1\0 /bin/true";

	ck_assert(lu_upload_is_xenstored(ours, sizeof(ours) - 1));
	ck_assert(!lu_upload_is_xenstored(script, sizeof(script) - 1));
	ck_assert(!lu_upload_is_xenstored(other, sizeof(other) - 1));
	ck_assert(!lu_upload_is_xenstored(ours, 4));
	ck_assert(!lu_upload_is_xenstored(ours, 20));
}
END_TEST

Suite *
lu_upload_suite(void)
{
	Suite *s = suite_create("lu_upload");
	TCase *tc = tcase_create("lu_upload");

	tcase_add_checked_fixture(tc, leak_setup, leak_teardown);
	tcase_add_test(tc, sizes);
	tcase_add_test(tc, xen_chunk);
	tcase_add_test(tc, bad_chunks);
	tcase_add_test(tc, images);
	suite_add_tcase(s, tc);
	return s;
}
