/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the tree as requests see it (store.c, ops_node.c,
 * view.c) through the in-process harness: WRITE, READ, MKDIR, RM,
 * DIRECTORY, DIRECTORY_PART, GET/SET_PERMS, the generations they move,
 * and the EACCES/ENOENT choice that hides unreadable nodes.
 */
#include <check.h>
#include <stdio.h>

#include "harness.h"
#include "hcase.h"
#include "leak.h"
#include "store.h"
#include "suites.h"

static struct hpeer *dom0, *guest;

static void
setup(void)
{
	ck_assert_int_eq(harness_init(), 0);
	leak_setup();
	dom0 = hpeer_new(0, true);
	guest = hpeer_guest(1);
	ck_assert_ptr_nonnull(dom0);
	ck_assert_ptr_nonnull(guest);
}

static void
teardown(void)
{
	ck_assert(harness_check());
	hpeer_free(dom0);
	hpeer_free(guest);
	leak_teardown();
}

START_TEST(write_read)
{
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/a", "x"), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/a"), "READ x");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/a", ""), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/a"), "READ");
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/nothing"), "ERROR ENOENT");
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/a/"), "ERROR EINVAL");
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "//a"), "ERROR EINVAL");
}
END_TEST

/* Missing parents are made, empty, in order; MKDIR keeps a value. */
START_TEST(parents)
{
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/a/b/c", "v"), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/a/b"), "READ");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/a/d", "w"), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_DIRECTORY, 0, "/a"), "DIRECTORY b d");
	ck_assert_str_eq(HCALL(dom0, XS_MKDIR, 0, "/a/d"), "MKDIR OK");
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/a/d"), "READ w");
	ck_assert_str_eq(HCALL(dom0, XS_MKDIR, 0, "/a/e"), "MKDIR OK");
	ck_assert_str_eq(HCALL(dom0, XS_DIRECTORY, 0, "/a/e"), "DIRECTORY");
}
END_TEST

START_TEST(rm)
{
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/a/b/c", "v"), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_RM, 0, "/a"), "RM OK");
	ck_assert_ptr_null(store_lookup("/a/b/c"));
	ck_assert_ptr_null(store_lookup("/a"));
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/a/b/c"), "ERROR ENOENT");
	/* Gone already is fine; a missing parent is not. */
	ck_assert_str_eq(HCALL(dom0, XS_RM, 0, "/a"), "RM OK");
	ck_assert_str_eq(HCALL(dom0, XS_RM, 0, "/a/b"), "ERROR ENOENT");
	ck_assert_str_eq(HCALL(dom0, XS_RM, 0, "/"), "ERROR EINVAL");
}
END_TEST

/*
 * A value change moves vgen only; a new child moves its parent's cgen;
 * new permissions move pgen; every change takes a new generation.
 */
START_TEST(generations)
{
	uint64_t v, p, c, g;
	struct node *n;

	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/g", "1"), "WRITE OK");
	n = store_lookup("/g");
	v = node_vgen(n), p = node_pgen(n), c = node_cgen(n);
	g = store_generation();
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/g", "2"), "WRITE OK");
	n = store_lookup("/g");
	ck_assert_uint_gt(node_vgen(n), v);
	ck_assert_uint_eq(node_pgen(n), p);
	ck_assert_uint_eq(node_cgen(n), c);
	ck_assert_uint_gt(store_generation(), g);
	v = node_vgen(n);
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/g/k", ""), "WRITE OK");
	n = store_lookup("/g");
	ck_assert_uint_gt(node_cgen(n), c);
	ck_assert_uint_eq(node_vgen(n), v);
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/g", "n0", "r1"),
			 "SET_PERMS OK");
	n = store_lookup("/g");
	ck_assert_uint_gt(node_pgen(n), p);
	ck_assert_uint_eq(node_vgen(n), v);
}
END_TEST

/* DIRECTORY_PART: the list's generation, whole names from an offset. */
START_TEST(directory_part)
{
	char want[64];

	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/d/aa", ""), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/d/b", ""), "WRITE OK");
	snprintf(want, sizeof(want), "DIRECTORY_PART %llu aa b ",
		 (unsigned long long)node_cgen(store_lookup("/d")));
	ck_assert_str_eq(HCALL(dom0, XS_DIRECTORY_PART, 0, "/d", "0"), want);
	snprintf(want, sizeof(want), "DIRECTORY_PART %llu b ",
		 (unsigned long long)node_cgen(store_lookup("/d")));
	ck_assert_str_eq(HCALL(dom0, XS_DIRECTORY_PART, 0, "/d", "3"), want);
	snprintf(want, sizeof(want), "DIRECTORY_PART %llu ",
		 (unsigned long long)node_cgen(store_lookup("/d")));
	ck_assert_str_eq(HCALL(dom0, XS_DIRECTORY_PART, 0, "/d", "99"), want);
	ck_assert_str_eq(HCALL(dom0, XS_DIRECTORY_PART, 0, "/d"),
			 "ERROR EINVAL");
}
END_TEST

/*
 * A guest reads only what it may; a refusal and a missing node below a
 * node it may not read both say EACCES, so nothing leaks.
 */
START_TEST(perms_hide)
{
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/secret/k", "v"),
			 "WRITE OK");
	ck_assert_str_eq(HCALL(guest, XS_READ, 0, "/secret/k"), "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_READ, 0, "/secret/none"),
			 "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_WRITE, 0, "/secret/k", "x"),
			 "ERROR EACCES");
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/secret", "n0", "r1"),
			 "SET_PERMS OK");
	ck_assert_str_eq(HCALL(guest, XS_READ, 0, "/secret/none"),
			 "ERROR ENOENT");
	ck_assert_str_eq(HCALL(guest, XS_GET_PERMS, 0, "/secret"),
			 "GET_PERMS n0 r1");
	/* k kept the permissions it was created with. */
	ck_assert_str_eq(HCALL(guest, XS_READ, 0, "/secret/k"), "ERROR EACCES");
}
END_TEST

/* A guest creating in its home owns what it creates; others cannot. */
START_TEST(perms_owner)
{
	ck_assert_str_eq(HCALL(dom0, XS_MKDIR, 0, "/local/domain/1"),
			 "MKDIR OK");
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/local/domain/1", "n1"),
			 "SET_PERMS OK");
	ck_assert_str_eq(HCALL(guest, XS_WRITE, 0, "data/x", "1"), "WRITE OK");
	ck_assert_str_eq(HCALL(guest, XS_GET_PERMS, 0, "data/x"),
			 "GET_PERMS n1");
	ck_assert_str_eq(HCALL(guest, XS_READ, 0, "/local/domain/1/data/x"),
			 "READ 1");
	/* Giving the node away is not the owner's to do. */
	ck_assert_str_eq(HCALL(guest, XS_SET_PERMS, 0, "data/x", "n2"),
			 "ERROR EPERM");
	ck_assert_str_eq(HCALL(guest, XS_SET_PERMS, 0, "data/x", "n1", "r2"),
			 "SET_PERMS OK");
	ck_assert_str_eq(HCALL(guest, XS_SET_PERMS, 0, "data/x", "bogus"),
			 "ERROR EINVAL");
}
END_TEST

Suite *
store_suite(void)
{
	Suite *s = suite_create("store");

	harness_add(s, "write_read", write_read, setup, teardown);
	harness_add(s, "parents", parents, setup, teardown);
	harness_add(s, "rm", rm, setup, teardown);
	harness_add(s, "generations", generations, setup, teardown);
	harness_add(s, "directory_part", directory_part, setup, teardown);
	harness_add(s, "perms_hide", perms_hide, setup, teardown);
	harness_add(s, "perms_owner", perms_owner, setup, teardown);
	return s;
}
