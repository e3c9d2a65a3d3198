/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for xenstored/guest/watch_rec.c: a guest's watches' side
 * records, and watches whose path and token hash alike.
 */
#include <check.h>
#include <string.h>

#include "record.pb-c.h"
#include "side.h"
#include "suites.h"
#include "watch_rec.h"

/* Every watch collides: what a guest choosing its tokens can do. */
static uint64_t
same_hash(const char *path, const char *token)
{
	(void)path;
	(void)token;
	return 0x1234;
}

static uint64_t (*real_hash)(const char *, const char *);

static void
setup(void)
{
	real_hash = watch_rec_hash;
	watch_rec_hash = same_hash;
}

static void
teardown(void)
{
	watch_rec_hash = real_hash;
	side_clear();
}

/* The tokens of the watch records of domain 1, as a restart reads them. */
struct tokens {
	char seen[8][16];
	unsigned n;
};

static void
note(const char *key, const void *data, size_t len, void *arg)
{
	GuestWatch *w = guest_watch__unpack(NULL, len, data);
	struct tokens *t = arg;

	(void)key;
	ck_assert_ptr_nonnull(w);
	ck_assert_uint_lt(t->n, 8);
	strncpy(t->seen[t->n++], w->token, 15);
	guest_watch__free_unpacked(w, NULL);
}

static bool
has(const struct tokens *t, const char *token)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->seen[i], token) == 0)
			return true;
	return false;
}

static struct tokens
saved(void)
{
	struct tokens t = {0};

	side_foreach(WATCH_REC_PREFIX "1/", note, &t);
	return t;
}

START_TEST(colliding_watches_keep_their_records)
{
	struct tokens t;

	ck_assert_int_eq(watch_rec_put(1, "/a", 0, "ta", -1), 0);
	ck_assert_int_eq(watch_rec_put(1, "/b", 0, "tb", -1), 0);
	ck_assert_int_eq(watch_rec_put(1, "/c", 0, "tc", 2), 0);
	/* The same watch again replaces its own record. */
	ck_assert_int_eq(watch_rec_put(1, "/b", 0, "tb", -1), 0);
	t = saved();
	ck_assert_uint_eq(t.n, 3);
	ck_assert(has(&t, "ta") && has(&t, "tb") && has(&t, "tc"));
}
END_TEST

START_TEST(removal_leaves_the_others_findable)
{
	struct tokens t;

	watch_rec_put(1, "/a", 0, "ta", -1);
	watch_rec_put(1, "/b", 0, "tb", -1);
	watch_rec_put(1, "/c", 0, "tc", -1);
	/* The first: the last moves into its slot, and stays removable. */
	ck_assert_int_eq(watch_rec_drop(1, "/a", "ta"), 0);
	t = saved();
	ck_assert_uint_eq(t.n, 2);
	ck_assert(has(&t, "tb") && has(&t, "tc"));
	ck_assert_int_eq(watch_rec_drop(1, "/c", "tc"), 0);
	/* Never saved: nothing happens. */
	ck_assert_int_eq(watch_rec_drop(1, "/a", "ta"), 0);
	t = saved();
	ck_assert_uint_eq(t.n, 1);
	ck_assert(has(&t, "tb"));
	/* A new one takes the free slot; all still come out. */
	watch_rec_put(1, "/d", 0, "td", -1);
	ck_assert_int_eq(watch_rec_drop(1, "/b", "tb"), 0);
	t = saved();
	ck_assert_uint_eq(t.n, 1);
	ck_assert(has(&t, "td"));
}
END_TEST

START_TEST(other_domains_are_apart)
{
	watch_rec_put(1, "/a", 0, "ta", -1);
	watch_rec_put(2, "/a", 0, "ta", -1);
	ck_assert_int_eq(watch_rec_drop(2, "/a", "ta"), 0);
	ck_assert_uint_eq(saved().n, 1);
}
END_TEST

/* A real hash: the record's key is the one older daemons wrote. */
START_TEST(first_slot_key_is_unchanged)
{
	const void *data;
	size_t len;

	watch_rec_hash = real_hash;
	watch_rec_put(1, "/a", 0, "ta", -1);
	/* FNV-1a 64 of "/a", NUL, "ta", as the key was before chains. */
	ck_assert_int_eq(
		side_get(WATCH_REC_PREFIX "1/2ebaaa45ee8c69e8", &data, &len),
		0);
}
END_TEST

Suite *
watch_rec_suite(void)
{
	Suite *s = suite_create("watch_rec");
	TCase *tc = tcase_create("watch_rec");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, colliding_watches_keep_their_records);
	tcase_add_test(tc, removal_leaves_the_others_findable);
	tcase_add_test(tc, other_domains_are_apart);
	tcase_add_test(tc, first_slot_key_is_unchanged);
	suite_add_tcase(s, tc);
	return s;
}
