/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the committed tree's path index (store.c,
 * store_index.c): across many growths, with lookups, adds, moves
 * (updates that change a node's size) and removals of nodes and whole
 * subtrees made while a growth is under way, the index answers as a
 * plain reference array does; and no single change moves more than a
 * few buckets, so no request pays for rehashing the whole store.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "leak.h"
#include "store.h"
#include "suites.h"
#include "watch.h"

/* Slots: /d<slot % DIRS>/n<slot>; 150k nodes need 8 growths from 1024. */
#define DIRS 1024
#define SLOTS 150000
/* What one change may move: store_index.c's STEP_BUCKETS. */
#define MAX_STEP 4

static const struct perm owner = {0, PERM_NONE};

/* The reference: which slots exist, and the version of their value. */
static unsigned char present[SLOTS];
static unsigned version[SLOTS];
static size_t npresent;

/* What the growths went through while the test made its changes. */
struct seen {
	struct store_index_stats last;
	unsigned long adds, finds, moves, removals, subtrees; /* mid-growth */
	unsigned long subtree_growth; /* the growth a subtree went during */
};

static void
setup(void)
{
	leak_setup();
	ck_assert_int_eq(domain_init(), 0);
	ck_assert_int_eq(watch_init(), 0);
	ck_assert_int_eq(store_init(), 0);
	ck_assert_int_eq(store_create_base(0), 0);
	memset(present, 0, sizeof(present));
	memset(version, 0, sizeof(version));
	npresent = 0;
}

static void
teardown(void)
{
	domain_exit();
	leak_teardown();
}

static void
slot_path(unsigned slot, char *buf, size_t cap)
{
	snprintf(buf, cap, "/d%u/n%u", slot % DIRS, slot);
}

/* Values of three sizes, so that updates move nodes to other blocks. */
static size_t
slot_value(unsigned slot, char *buf, size_t cap)
{
	return (size_t)snprintf(buf, cap, "v%u.%u%.*s", slot, version[slot],
				(int)(version[slot] % 3) * 7,
				"xxxxxxxxxxxxxxxxxxxxx");
}

/*
 * ck_assert marks each passing check with a write to Check's pipe: too
 * slow for millions of checks.  This fails the same way, writes nothing
 * when it passes.
 */
#define want(expr)                                                             \
	do {                                                                   \
		if (!(expr))                                                   \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #expr);  \
	} while (0)

static bool
growing(void)
{
	struct store_index_stats st;

	store_index_stats(&st);
	return st.old_buckets != 0;
}

/*
 * After an operation that added or removed `changes` nodes: a growth
 * under way advanced by a few buckets a node at most, and the new table
 * is always twice the old one.
 */
static void
check_steps(struct seen *s, unsigned long changes)
{
	struct store_index_stats st;

	store_index_stats(&st);
	if (st.old_buckets) {
		want(st.buckets == st.old_buckets * 2);
		if (s->last.old_buckets && st.growths == s->last.growths)
			want(st.moved <= s->last.moved + MAX_STEP * changes);
		else
			want(st.moved <= MAX_STEP * changes);
	}
	s->last = st;
}

static void
check_step(struct seen *s)
{
	check_steps(s, 1);
}

static void
check_slot(unsigned slot)
{
	char path[64], buf[64];
	const struct node *n;
	size_t len;

	slot_path(slot, path, sizeof(path));
	n = store_lookup(path);
	if (!present[slot]) {
		want(n == NULL);
		return;
	}
	want(n != NULL);
	len = slot_value(slot, buf, sizeof(buf));
	want(n->vlen == len);
	want(memcmp(node_value(n), buf, len) == 0);
}

static void
check_all(void)
{
	unsigned slot;

	for (slot = 0; slot < SLOTS; slot++)
		check_slot(slot);
	/* "/", /tool, /tool/xenstored, two special nodes, the directories */
	ck_assert_uint_eq(store_count(), 5 + DIRS + npresent);
}

static void
add(unsigned slot)
{
	char path[64], v[64];
	size_t len;

	version[slot]++;
	len = slot_value(slot, v, sizeof(v));
	slot_path(slot, path, sizeof(path));
	want(store_create(path, &owner, 1, v, len, false) != NULL);
	present[slot] = 1;
	npresent++;
}

static void
update(unsigned slot)
{
	char path[64], v[64];
	size_t len;

	slot_path(slot, path, sizeof(path));
	version[slot]++;
	len = slot_value(slot, v, sizeof(v));
	want(store_update(store_lookup(path), v, len, NULL, 0) == 0);
}

static void
remove_slot(unsigned slot)
{
	char path[64];

	slot_path(slot, path, sizeof(path));
	store_rm(store_lookup(path));
	present[slot] = 0;
	npresent--;
}

/*
 * Remove /d<dir> and all its nodes, and make it again; returns how many
 * nodes that removed and added.
 */
static unsigned long
remove_dir(unsigned dir)
{
	unsigned long changes = 2;
	char path[16];
	unsigned slot;

	snprintf(path, sizeof(path), "/d%u", dir);
	store_rm(store_lookup(path));
	for (slot = dir; slot < SLOTS; slot += DIRS)
		if (present[slot]) {
			present[slot] = 0;
			npresent--;
			changes++;
		}
	ck_assert_ptr_nonnull(store_create(path, &owner, 1, NULL, 0, false));
	return changes;
}

/* Make the directories /d<i>; their own growths are not checked. */
static void
make_dirs(struct seen *s)
{
	char path[16];
	unsigned i;

	for (i = 0; i < DIRS; i++) {
		snprintf(path, sizeof(path), "/d%u", i);
		ck_assert_ptr_nonnull(
			store_create(path, &owner, 1, NULL, 0, false));
	}
	store_index_stats(&s->last);
}

/* One random operation on the store and on the reference. */
static void
random_op(uint64_t *rng, struct seen *s)
{
	unsigned long changes = 1;
	unsigned slot, r;
	bool mid = growing();

	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	slot = (unsigned)(*rng % SLOTS);
	r = (unsigned)((*rng >> 32) % 100);
	if (r < 55 && !present[slot]) {
		add(slot);
		s->adds += mid;
	} else if (r < 70 && present[slot]) {
		update(slot);
		s->moves += mid;
	} else if (r < 85 && present[slot]) {
		remove_slot(slot);
		s->removals += mid;
	} else if (mid && s->subtree_growth != s->last.growths &&
		   s->last.moved > 0) {
		/* Once in each growth, once some buckets have moved. */
		changes = remove_dir(slot % DIRS);
		s->subtree_growth = s->last.growths;
		s->subtrees++;
	} else {
		check_slot(slot);
		s->finds += mid;
	}
	check_steps(s, changes);
}

START_TEST(grows_in_steps)
{
	struct seen s = {0};
	uint64_t rng = 88172645463325252ull;
	unsigned i;

	make_dirs(&s);
	for (i = 0; i < 600000; i++) {
		random_op(&rng, &s);
		if (i % 100000 == 0)
			check_all();
	}
	check_all();
	store_index_stats(&s.last);
	/* 1024 buckets to 128k or more: at least 7 growths. */
	ck_assert_uint_ge(s.last.growths, 7);
	ck_assert_uint_gt(s.adds, 1000);
	ck_assert_uint_gt(s.finds, 1000);
	ck_assert_uint_gt(s.moves, 1000);
	ck_assert_uint_gt(s.removals, 1000);
	ck_assert_uint_ge(s.subtrees, 7);
}
END_TEST

/* Removing most of the store mid-growth still ends the growth. */
START_TEST(shrink_while_growing)
{
	struct seen s = {0};
	unsigned slot;

	make_dirs(&s);
	for (slot = 0; !growing() || s.last.growths < 4; slot++) {
		ck_assert_uint_lt(slot, SLOTS);
		add(slot);
		check_step(&s);
	}
	while (growing()) {
		ck_assert_uint_gt(npresent, 0);
		remove_slot(--slot);
		check_step(&s);
	}
	check_all();
}
END_TEST

/* A load sizes the index at once; later growths are in steps again. */
START_TEST(reserve_then_grow)
{
	struct store_index_stats st;
	struct seen s = {0};
	unsigned slot;

	ck_assert_int_eq(store_reserve(5000), 0);
	store_index_stats(&st);
	ck_assert_uint_eq(st.buckets, 8192);
	ck_assert_uint_eq(st.old_buckets, 0);
	make_dirs(&s);
	ck_assert_uint_eq(s.last.growths, st.growths);
	for (slot = 0; slot < 20000; slot++) {
		add(slot);
		check_step(&s);
	}
	check_all();
	store_index_stats(&st);
	ck_assert_uint_ge(st.buckets, 16384);
}
END_TEST

Suite *
store_index_suite(void)
{
	Suite *s = suite_create("store_index");
	TCase *tc = tcase_create("index");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* 600k operations take seconds, more under sanitizers. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, grows_in_steps);
	tcase_add_test(tc, shrink_while_growing);
	tcase_add_test(tc, reserve_then_grow);
	suite_add_tcase(s, tc);
	return s;
}
