/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for transactions (txn.c, txn_commit.c, ops_session.c)
 * through the in-process harness: isolation, conflicts (EAGAIN) and the
 * changes that are not conflicts, create and delete in one transaction,
 * the events a commit owes, and transaction ids that name nothing.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "hcase.h"
#include "leak.h"
#include "store.h"
#include "suites.h"

static struct hpeer *a, *b;

static void
setup(void)
{
	ck_assert_int_eq(harness_init(), 0);
	leak_setup();
	a = hpeer_new(0, true);
	b = hpeer_new(0, true);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
}

static void
teardown(void)
{
	ck_assert_uint_eq(hpeer_pending(a), 0);
	ck_assert_uint_eq(hpeer_pending(b), 0);
	ck_assert(harness_check());
	hpeer_free(a);
	hpeer_free(b);
	leak_teardown();
}

/*
 * A failed commit makes the node it failed on hot (txn_sched.h), and the
 * daemon remembers it; a transaction that then reads it and ends without
 * changing it shows it is not contended, and it is forgotten, so that the
 * leak fixture finds the memory it started with.
 */
static void
cool_down(const char *path)
{
	uint32_t t = hpeer_txn_start(a);

	ck_assert_uint_ne(t, 0);
	hpeer_call(a, XS_DIRECTORY, t, path, NULL); /* whatever they say */
	hpeer_call(a, XS_READ, t, path, NULL);
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, t, "F"),
			 "TRANSACTION_END OK");
}

/* Nobody sees a transaction's changes before its commit; it sees them. */
START_TEST(isolation)
{
	uint32_t t = hpeer_txn_start(a);

	ck_assert_uint_ne(t, 0);
	ck_assert_str_eq(HCALL(a, XS_WRITE, t, "/i/x", "1"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_READ, t, "/i/x"), "READ 1");
	ck_assert_str_eq(HCALL(a, XS_READ, 0, "/i/x"), "ERROR ENOENT");
	ck_assert_str_eq(HCALL(b, XS_DIRECTORY, 0, "/i"), "ERROR ENOENT");
	ck_assert_ptr_null(store_lookup("/i"));
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, t, "T"),
			 "TRANSACTION_END OK");
	ck_assert_str_eq(HCALL(b, XS_READ, 0, "/i/x"), "READ 1");
	/* Ended: the id names nothing any more. */
	ck_assert_str_eq(HCALL(a, XS_READ, t, "/i/x"), "ERROR ENOENT");
}
END_TEST

/* What a transaction read changed under it: EAGAIN, nothing applied. */
START_TEST(conflict)
{
	uint32_t t;

	ck_assert_str_eq(HCALL(a, XS_WRITE, 0, "/c", "0"), "WRITE OK");
	t = hpeer_txn_start(a);
	ck_assert_str_eq(HCALL(a, XS_READ, t, "/c"), "READ 0");
	ck_assert_str_eq(HCALL(b, XS_WRITE, 0, "/c", "b"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_WRITE, t, "/c", "a"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_WRITE, t, "/other", "a"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, t, "T"), "ERROR EAGAIN");
	ck_assert_str_eq(HCALL(b, XS_READ, 0, "/c"), "READ b");
	ck_assert_str_eq(HCALL(b, XS_READ, 0, "/other"), "ERROR ENOENT");
	cool_down("/c");
}
END_TEST

/*
 * Adding different children to one directory, or writing an existing
 * node without reading it, is no conflict: both transactions commit.
 */
START_TEST(no_false_conflict)
{
	uint32_t ta, tb;

	ck_assert_str_eq(HCALL(a, XS_MKDIR, 0, "/dir"), "MKDIR OK");
	ck_assert_str_eq(HCALL(a, XS_MKDIR, 0, "/blind"), "MKDIR OK");
	ta = hpeer_txn_start(a);
	tb = hpeer_txn_start(b);
	ck_assert_str_eq(HCALL(a, XS_WRITE, ta, "/dir/a", "1"), "WRITE OK");
	ck_assert_str_eq(HCALL(b, XS_WRITE, tb, "/dir/b", "2"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_WRITE, ta, "/blind", "a"), "WRITE OK");
	ck_assert_str_eq(HCALL(b, XS_WRITE, tb, "/blind", "b"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, ta, "T"),
			 "TRANSACTION_END OK");
	ck_assert_str_eq(HCALL(b, XS_TRANSACTION_END, tb, "T"),
			 "TRANSACTION_END OK");
	ck_assert_str_eq(HCALL(a, XS_DIRECTORY, 0, "/dir"), "DIRECTORY a b");
	ck_assert_str_eq(HCALL(a, XS_READ, 0, "/blind"), "READ b");
}
END_TEST

/* Both creating the same node: the second saw it absent, and fails. */
START_TEST(create_race)
{
	uint32_t ta = hpeer_txn_start(a), tb = hpeer_txn_start(b);

	ck_assert_str_eq(HCALL(a, XS_WRITE, ta, "/new", "a"), "WRITE OK");
	ck_assert_str_eq(HCALL(b, XS_WRITE, tb, "/new", "b"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, ta, "T"),
			 "TRANSACTION_END OK");
	ck_assert_str_eq(HCALL(b, XS_TRANSACTION_END, tb, "T"), "ERROR EAGAIN");
	ck_assert_str_eq(HCALL(a, XS_READ, 0, "/new"), "READ a");
	cool_down("/new");
}
END_TEST

/* A listing read in a transaction is an observation: a new child fails it. */
START_TEST(directory_observed)
{
	uint32_t t;

	ck_assert_str_eq(HCALL(a, XS_MKDIR, 0, "/dir"), "MKDIR OK");
	t = hpeer_txn_start(a);
	ck_assert_str_eq(HCALL(a, XS_DIRECTORY, t, "/dir"), "DIRECTORY");
	ck_assert_str_eq(HCALL(b, XS_WRITE, 0, "/dir/new", ""), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_WRITE, t, "/dir/mine", ""), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, t, "T"), "ERROR EAGAIN");
	cool_down("/dir");
}
END_TEST

/* A node made and removed in one transaction leaves nothing behind. */
START_TEST(create_delete)
{
	uint32_t t = hpeer_txn_start(a);

	ck_assert_str_eq(HCALL(a, XS_WRITE, t, "/cd/x/y", "1"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_RM, t, "/cd"), "RM OK");
	ck_assert_str_eq(HCALL(a, XS_READ, t, "/cd/x/y"), "ERROR ENOENT");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, t, "T"),
			 "TRANSACTION_END OK");
	ck_assert_ptr_null(store_lookup("/cd"));
	ck_assert_ptr_null(store_lookup("/cd/x"));
	ck_assert_str_eq(HCALL(a, XS_READ, 0, "/cd"), "ERROR ENOENT");
}
END_TEST

/* Watches fire at commit, in the order of the changes; not on abort. */
START_TEST(commit_events)
{
	uint32_t t;

	ck_assert_str_eq(HCALL(b, XS_WATCH, 0, "/e", "w"), "WATCH OK");
	ck_assert_str_eq(hpeer_text(b), "WATCH_EVENT /e w");
	t = hpeer_txn_start(a);
	ck_assert_str_eq(HCALL(a, XS_WRITE, t, "/e/1", "x"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_WRITE, t, "/e/2", "y"), "WRITE OK");
	ck_assert_str_eq(hpeer_text(b), "");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, t, "T"),
			 "TRANSACTION_END OK");
	ck_assert_str_eq(hpeer_text(b), "WATCH_EVENT /e/1 w");
	ck_assert_str_eq(hpeer_text(b), "WATCH_EVENT /e/2 w");
	ck_assert_str_eq(hpeer_text(b), "");
	t = hpeer_txn_start(a);
	ck_assert_str_eq(HCALL(a, XS_WRITE, t, "/e/3", "z"), "WRITE OK");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, t, "F"),
			 "TRANSACTION_END OK");
	ck_assert_str_eq(hpeer_text(b), "");
	ck_assert_ptr_null(store_lookup("/e/3"));
}
END_TEST

/* Ids that name no transaction of the caller's, and misplaced ENDs. */
START_TEST(bad_ids)
{
	uint32_t t = hpeer_txn_start(a);

	ck_assert_str_eq(HCALL(a, XS_READ, 12345, "/"), "ERROR ENOENT");
	ck_assert_str_eq(HCALL(a, XS_WRITE, 0xffffffff, "/x", "1"),
			 "ERROR ENOENT");
	/* Another connection's transaction is not ours to use. */
	ck_assert_str_eq(HCALL(b, XS_WRITE, t, "/x", "1"), "ERROR ENOENT");
	ck_assert_str_eq(HCALL(b, XS_TRANSACTION_END, t, "T"), "ERROR ENOENT");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_START, t, ""), "ERROR EBUSY");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, 0, "T"), "ERROR ENOENT");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, t, "yes"),
			 "ERROR EINVAL");
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, t, "F"),
			 "TRANSACTION_END OK");
	ck_assert_ptr_null(store_lookup("/x"));
}
END_TEST

/* A guest may hold its transactions quota open, and no more. */
START_TEST(quota)
{
	struct hpeer *g = hpeer_guest(1);
	char want[32];
	unsigned i;

	for (i = 1; i <= 10; i++) {
		snprintf(want, sizeof(want), "TRANSACTION_START %u", i);
		ck_assert_str_eq(HCALL(g, XS_TRANSACTION_START, 0, ""), want);
	}
	ck_assert_str_eq(HCALL(g, XS_TRANSACTION_START, 0, ""), "ERROR ENOSPC");
	ck_assert_str_eq(HCALL(g, XS_TRANSACTION_END, 3, "F"),
			 "TRANSACTION_END OK");
	ck_assert_str_eq(HCALL(g, XS_TRANSACTION_START, 0, ""),
			 "TRANSACTION_START 11");
	hpeer_free(g);
}
END_TEST

/*
 * A commit the store's arena has no room for fails whole with ENOMEM:
 * none of its nodes is made, the value it changed keeps its old one.
 */
START_TEST(no_room)
{
	char path[32], value[40];
	uint32_t tx;
	unsigned i;

	ck_assert_str_eq(HCALL(a, XS_WRITE, 0, "/r/old", "1"), "WRITE OK");
	tx = hpeer_txn_start(a);
	ck_assert_uint_ne(tx, 0);
	/* A value of a size no block on a free list has. */
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	ck_assert_str_eq(HCALL(a, XS_WRITE, tx, "/r/old", value), "WRITE OK");
	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "/r/new%u", i);
		ck_assert_str_eq(HCALL(a, XS_WRITE, tx, path, value),
				 "WRITE OK");
	}
	store_limit_arena(10 * store_block_size(1, sizeof(value) - 1, 4));
	ck_assert_str_eq(HCALL(a, XS_TRANSACTION_END, tx, "T"), "ERROR ENOMEM");
	ck_assert_str_eq(HCALL(a, XS_READ, 0, "/r/old"), "READ 1");
	ck_assert_str_eq(HCALL(a, XS_DIRECTORY, 0, "/r"), "DIRECTORY old");
	store_limit_arena(SIZE_MAX);
}
END_TEST

Suite *
txn_suite(void)
{
	Suite *s = suite_create("txn");

	harness_add(s, "isolation", isolation, setup, teardown);
	harness_add(s, "conflict", conflict, setup, teardown);
	harness_add(s, "no_false_conflict", no_false_conflict, setup, teardown);
	harness_add(s, "create_race", create_race, setup, teardown);
	harness_add(s, "directory_observed", directory_observed, setup,
		    teardown);
	harness_add(s, "create_delete", create_delete, setup, teardown);
	harness_add(s, "commit_events", commit_events, setup, teardown);
	harness_add(s, "bad_ids", bad_ids, setup, teardown);
	harness_add(s, "quota", quota, setup, teardown);
	harness_add(s, "no_room", no_room, setup, teardown);
	return s;
}
