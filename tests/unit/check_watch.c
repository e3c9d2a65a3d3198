/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for watches (watch.c, ops_session.c) through the in-process
 * harness: the first event, events for changes at or below the watched
 * path, relative paths, what a watcher may not read, removals,
 * UNWATCH, RESET_WATCHES and the special watches.
 */
#include <check.h>

#include "domain.h"
#include "harness.h"
#include "hcase.h"
#include "leak.h"
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
	/* The guest's home, which it owns. */
	ck_assert_str_eq(HCALL(dom0, XS_MKDIR, 0, "/local/domain/1"),
			 "MKDIR OK");
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/local/domain/1", "n1"),
			 "SET_PERMS OK");
}

static void
teardown(void)
{
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	ck_assert_uint_eq(hpeer_pending(guest), 0);
	ck_assert(harness_check());
	hpeer_free(dom0);
	hpeer_free(guest);
	leak_teardown();
}

START_TEST(first_event)
{
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "/nowhere", "tok"),
			 "WATCH OK");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /nowhere tok");
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "/nowhere", "tok"),
			 "ERROR EEXIST");
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "/nowhere"), "ERROR EINVAL");
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "bad//path", "t"),
			 "ERROR EINVAL");
}
END_TEST

/* A change fires watches on the node and on each of its ancestors. */
START_TEST(ancestors)
{
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "/a", "A"), "WATCH OK");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /a A");
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "/a/b/c/d", "D"), "WATCH OK");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /a/b/c/d D");
	/* The caller's own events come before its reply, as in Xen. */
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/a/b/c", "1"),
			 "WATCH_EVENT /a/b/c A");
	ck_assert_str_eq(hpeer_text(dom0), "WRITE OK");
	ck_assert_str_eq(hpeer_text(dom0), "");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/ab", "1"), "WRITE OK");
	ck_assert_str_eq(hpeer_text(dom0), "");
}
END_TEST

/* A watch set with a relative path reports paths relative to home. */
START_TEST(relative)
{
	ck_assert_str_eq(HCALL(guest, XS_WATCH, 0, "data", "rel"), "WATCH OK");
	ck_assert_str_eq(hpeer_text(guest), "WATCH_EVENT data rel");
	ck_assert_str_eq(
		HCALL(dom0, XS_WRITE, 0, "/local/domain/1/data/x", "1"),
		"WRITE OK");
	ck_assert_str_eq(hpeer_text(guest), "WATCH_EVENT data/x rel");
	ck_assert_str_eq(
		HCALL(guest, XS_WATCH, 0, "/local/domain/1/data", "abs"),
		"WATCH OK");
	ck_assert_str_eq(hpeer_text(guest),
			 "WATCH_EVENT /local/domain/1/data abs");
	ck_assert_str_eq(HCALL(guest, XS_UNWATCH, 0, "data", "rel"),
			 "UNWATCH OK");
	ck_assert_str_eq(HCALL(guest, XS_WRITE, 0, "data", "2"),
			 "WATCH_EVENT /local/domain/1/data abs");
	ck_assert_str_eq(hpeer_text(guest), "WRITE OK");
}
END_TEST

/* An event reaches a watcher only if it may read the node (XSA-115). */
START_TEST(perms_filter)
{
	ck_assert_str_eq(HCALL(guest, XS_WATCH, 0, "/", "root"), "WATCH OK");
	ck_assert_str_eq(hpeer_text(guest), "WATCH_EVENT / root");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/private", "p"), "WRITE OK");
	ck_assert_str_eq(hpeer_text(guest), "");
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/private", "n0", "r1"),
			 "SET_PERMS OK");
	ck_assert_str_eq(hpeer_text(guest), "WATCH_EVENT /private root");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/private", "q"), "WRITE OK");
	ck_assert_str_eq(hpeer_text(guest), "WATCH_EVENT /private root");
	/* Taking the right away is seen: it could read it before. */
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/private", "n0"),
			 "SET_PERMS OK");
	ck_assert_str_eq(hpeer_text(guest), "WATCH_EVENT /private root");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/private", "r"), "WRITE OK");
	ck_assert_str_eq(hpeer_text(guest), "");
}
END_TEST

/* RM fires on every removed node that is watched, and on ancestors. */
START_TEST(rm_subtree)
{
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/t/a/b", "1"), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "/t/a/b", "B"), "WATCH OK");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /t/a/b B");
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "/t", "T"), "WATCH OK");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /t T");
	ck_assert_str_eq(HCALL(dom0, XS_RM, 0, "/t/a"), "WATCH_EVENT /t/a/b B");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /t/a T");
	ck_assert_str_eq(hpeer_text(dom0), "RM OK");
	ck_assert_str_eq(hpeer_text(dom0), "");
}
END_TEST

START_TEST(unwatch)
{
	ck_assert_str_eq(HCALL(dom0, XS_UNWATCH, 0, "/u", "t"), "ERROR ENOENT");
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "/u", "t"), "WATCH OK");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /u t");
	ck_assert_str_eq(HCALL(dom0, XS_UNWATCH, 0, "/u", "other"),
			 "ERROR ENOENT");
	ck_assert_str_eq(HCALL(dom0, XS_UNWATCH, 0, "/u", "t"), "UNWATCH OK");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/u", "1"), "WRITE OK");
	ck_assert_str_eq(hpeer_text(dom0), "");
}
END_TEST

/* RESET_WATCHES drops the caller's watches and its transactions. */
START_TEST(reset_watches)
{
	uint32_t tx;

	ck_assert_str_eq(HCALL(guest, XS_WATCH, 0, "data", "w"), "WATCH OK");
	ck_assert_str_eq(hpeer_text(guest), "WATCH_EVENT data w");
	tx = hpeer_txn_start(guest);
	ck_assert_uint_ne(tx, 0);
	ck_assert_str_eq(HCALL(guest, XS_RESET_WATCHES, 0, ""),
			 "RESET_WATCHES OK");
	ck_assert_str_eq(HCALL(guest, XS_WRITE, 0, "data", "1"), "WRITE OK");
	ck_assert_str_eq(hpeer_text(guest), "");
	ck_assert_str_eq(HCALL(guest, XS_READ, tx, "data"), "ERROR ENOENT");
}
END_TEST

/* A guest's arrival and departure reach dom0's special watches. */
START_TEST(special)
{
	struct hpeer *g2;

	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "@introduceDomain", "i"),
			 "WATCH OK");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT @introduceDomain i");
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "@releaseDomain", "r"),
			 "WATCH OK");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT @releaseDomain r");
	ck_assert_str_eq(HCALL(guest, XS_WATCH, 0, "@introduceDomain", "g"),
			 "WATCH OK");
	ck_assert_str_eq(hpeer_text(guest), "WATCH_EVENT @introduceDomain g");
	g2 = hpeer_guest(2);
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT @introduceDomain i");
	/* @introduceDomain is dom0's only: the guest hears nothing. */
	ck_assert_str_eq(hpeer_text(guest), "");
	ck_assert_str_eq(HCALL(dom0, XS_RELEASE, 0, "2"),
			 "WATCH_EVENT @releaseDomain r");
	ck_assert_str_eq(hpeer_text(dom0), "RELEASE OK");
	ck_assert(!hpeer_alive(g2));
	ck_assert_str_eq(HCALL(dom0, XS_RELEASE, 0, "2"), "ERROR ENOENT");
	hpeer_free(g2);
	/* RELEASE forgot domain 2: known again, it weighs what it did. */
	ck_assert_ptr_nonnull(domain_get(2));
}
END_TEST

Suite *
watch_suite(void)
{
	Suite *s = suite_create("watch");

	harness_add(s, "first_event", first_event, setup, teardown);
	harness_add(s, "ancestors", ancestors, setup, teardown);
	harness_add(s, "relative", relative, setup, teardown);
	harness_add(s, "perms_filter", perms_filter, setup, teardown);
	harness_add(s, "rm_subtree", rm_subtree, setup, teardown);
	harness_add(s, "unwatch", unwatch, setup, teardown);
	harness_add(s, "reset_watches", reset_watches, setup, teardown);
	harness_add(s, "special", special, setup, teardown);
	return s;
}
