/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the store's scan (store_scan_*), which keeps its place
 * while the tree changes, and for cleaning up after released domains a
 * slice at a time (release.c) through the in-process harness.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "domain.h"
#include "harness.h"
#include "hcase.h"
#include "leak.h"
#include "release.h"
#include "side.h"
#include "store.h"
#include "suites.h"

static void
setup(void)
{
	ck_assert_int_eq(harness_init(), 0);
	leak_setup();
}

static void
teardown(void)
{
	ck_assert(harness_check());
	leak_teardown();
}

static void
mk(const char *path, unsigned owner, unsigned reader)
{
	struct perm p[2] = {{owner, PERM_NONE}, {reader, PERM_READ}};

	ck_assert_ptr_nonnull(
		store_create(path, p, reader ? 2 : 1, "v", 1, false));
}

/* /t/d<i>/n<j>: i < dirs, j < per; owned by owner, readable by reader. */
static void
make_tree(unsigned dirs, unsigned per, unsigned owner, unsigned reader)
{
	char path[64];
	unsigned i, j;

	mk("/t", 0, 0);
	for (i = 0; i < dirs; i++) {
		snprintf(path, sizeof(path), "/t/d%u", i);
		mk(path, owner, reader);
		for (j = 0; j < per; j++) {
			snprintf(path, sizeof(path), "/t/d%u/n%u", i, j);
			mk(path, owner, reader);
		}
	}
}

/* The paths visited, as one string of "<path>\n". */
struct seen {
	char *text;
	size_t len;
};

static void
note(struct seen *s, const struct node *n)
{
	char path[4096];
	size_t l = node_path(n, path, sizeof(path));

	s->text = realloc(s->text, s->len + l + 2);
	ck_assert_ptr_nonnull(s->text);
	memcpy(s->text + s->len, path, l);
	s->text[s->len + l] = '\n';
	s->len += l + 1;
	s->text[s->len] = '\0';
}

static bool
was_seen(const struct seen *s, const char *path)
{
	char key[4100];

	snprintf(key, sizeof(key), "\n%s\n", path);
	return s->len > 0 && (strncmp(s->text, key + 1, strlen(key + 1)) == 0 ||
			      strstr(s->text, key) != NULL);
}

/*
 * Between every two steps of the scan the tree changes (nodes removed,
 * large subtrees too, nodes moved by a longer value, nodes made): every
 * node there from start to end is visited, none twice.
 */
START_TEST(scan_keeps_its_place)
{
	struct seen s = {NULL, 0};
	struct node *n;
	char path[64];
	unsigned step = 0, i, j, made = 0;
	const char *big = "a value long enough to move the node in memory";

	make_tree(4, 1100, 0, 0);
	store_scan_start();
	while ((n = store_scan_next()) != NULL) {
		char here[4096];

		node_path(n, here, sizeof(here));
		ck_assert_msg(!was_seen(&s, here), "%s visited twice", here);
		note(&s, n);
		step++;
		i = step * 7919 % 4;
		j = step * 104729 % 1100;
		snprintf(path, sizeof(path), "/t/d%u/n%u", i, (j + 1) % 1100);
		if (step % 5 == 0 && (n = store_lookup(path)) != NULL)
			store_rm(n);
		snprintf(path, sizeof(path), "/t/d%u/n%u", (i + 1) % 4, j);
		if (step % 3 == 0 && (n = store_lookup(path)) != NULL)
			store_update(n, big, (uint32_t)strlen(big) - step % 7,
				     NULL, 0);
		/* The node the scan visits next moves. */
		if (step % 97 == 0 && sscanf(here, "/t/d%u/n%u", &i, &j) == 2) {
			snprintf(path, sizeof(path), "/t/d%u/n%u", i, j + 1);
			if ((n = store_lookup(path)) != NULL)
				store_update(n, big, (uint32_t)strlen(big),
					     NULL, 0);
			i = j = 0;
		}
		snprintf(path, sizeof(path), "/t/d%u", i);
		if (step % 11 == 0 && store_lookup(path) != NULL) {
			snprintf(path, sizeof(path), "/t/d%u/new%u", i, made++);
			mk(path, 0, 0);
		}
		if (step == 1500)
			store_rm(store_lookup("/t/d1")); /* the scan is in it */
		if (step == 1501)
			ck_assert(store_reaping());
		if (step % 50 == 0)
			store_reap(100);
	}
	store_reap(SIZE_MAX);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 1100; j++) {
			snprintf(path, sizeof(path), "/t/d%u/n%u", i, j);
			if (store_lookup(path))
				ck_assert_msg(was_seen(&s, path), "%s missed",
					      path);
		}
	free(s.text);
}
END_TEST

static bool
names(const struct node *n, unsigned domid)
{
	unsigned i;

	for (i = 0; i < n->nperms; i++)
		if (node_perms(n)[i].id == domid)
			return true;
	return false;
}

static int
count_naming(struct node *n, void *arg)
{
	unsigned *c = arg;

	if (names(n, c[0]))
		c[1]++;
	return 0;
}

static unsigned
naming(unsigned domid)
{
	unsigned c[2] = {domid, 0};

	store_walk(store_lookup("/"), count_naming, c);
	return c[1];
}

static void
count_record(const char *key, const void *data, size_t len, void *arg)
{
	(void)key;
	(void)data;
	(void)len;
	++*(unsigned *)arg;
}

/* Whether the side record that survives a crash marks domid. */
static bool
marked(unsigned domid)
{
	char key[32];
	unsigned n = 0;

	snprintf(key, sizeof(key), "released/%u", domid);
	side_foreach(key, count_record, &n);
	return n > 0;
}

/*
 * A release only queues the domain: its nodes go, and entries naming
 * it, a slice per step, its record counting them until the end.
 */
START_TEST(release_in_slices)
{
	struct domain *d;
	unsigned steps = 0;

	make_tree(6, 400, 5, 0); /* 2406 nodes of 5 */
	mk("/shared", 0, 5);
	mk("/shared/x", 0, 5);
	d = domain_get(5);
	ck_assert_uint_eq(d->nodes, 2406);
	release_queue(d);
	ck_assert(d->releasing);
	ck_assert(marked(5));
	ck_assert(release_step(300));
	ck_assert_ptr_eq(domain_find(5), d);
	ck_assert_uint_gt(naming(5), 0);
	while (release_step(300))
		steps++;
	ck_assert_uint_ge(steps, 2);
	ck_assert_uint_eq(naming(5), 0);
	ck_assert_ptr_nonnull(store_lookup("/t"));
	ck_assert_ptr_null(store_lookup("/t/d0"));
	ck_assert_ptr_nonnull(store_lookup("/shared/x"));
	ck_assert_ptr_null(domain_find(5));
	ck_assert(!marked(5));
}
END_TEST

/*
 * Nodes made meanwhile: below a node still to be visited they are
 * cleaned too; a node dom0 gives the domain after the scan went by
 * stays, counted by the domain's next record.
 */
START_TEST(release_while_changing)
{
	struct perm mine[2] = {{0, PERM_NONE}, {7, PERM_READ}};
	struct domain *d;

	make_tree(4, 300, 0, 7);
	d = domain_get(7);
	release_queue(d);
	release_step(100);
	/* Behind the scan (it is in /t): given to 7 afterwards. */
	ck_assert_ptr_nonnull(store_create("/tool/a7", (struct perm[]){{7, 0}},
					   1, NULL, 0, false));
	/* Ahead of it: an entry naming 7, as if inherited: cleaned. */
	ck_assert_ptr_nonnull(
		store_create("/t/d3/late", mine, 2, NULL, 0, false));
	release_finish();
	ck_assert_ptr_nonnull(store_lookup("/t/d3/late"));
	ck_assert(!names(store_lookup("/t/d3/late"), 7));
	ck_assert_ptr_nonnull(store_lookup("/tool/a7"));
	ck_assert_uint_eq(naming(7), 1);
	d = domain_find(7);
	ck_assert_ptr_nonnull(d);
	ck_assert(!d->releasing);
	ck_assert_uint_eq(d->nodes, 1);
}
END_TEST

/* Domains released during a batch wait for the next one. */
START_TEST(release_batches)
{
	make_tree(3, 300, 8, 9);
	release_queue(domain_get(8));
	release_step(50);
	release_queue(domain_get(9));
	while (release_step(500))
		;
	ck_assert_uint_eq(naming(8), 0);
	ck_assert_uint_eq(naming(9), 0);
	ck_assert_ptr_null(domain_find(8));
	ck_assert_ptr_null(domain_find(9));
}
END_TEST

/* Release domain 5, clean a slice, persist, die (no close: a SIGKILL). */
static int
die_releasing(const char *db)
{
	if (harness_init_db(db, DB_SYNC_BATCH) != 0)
		return 1;
	make_tree(6, 400, 5, 0);
	if (db_flush())
		return 2;
	release_queue(domain_get(5));
	if (!release_step(300) || db_flush())
		return 3;
	return naming(5) > 0 ? 0 : 4;
}

/* The next start finds the release record and finishes the cleaning. */
static int
finish_after(const char *db)
{
	if (harness_init_db(db, DB_SYNC_BATCH) != 0)
		return 1;
	if (naming(5) == 0)
		return 2;
	if (!marked(5))
		return 5;
	release_restore();
	release_finish();
	if (naming(5) != 0 || marked(5) || db_flush())
		return 3;
	harness_close_db();
	return 0;
}

START_TEST(release_after_crash)
{
	char dir[] = "/tmp/check_release.XXXXXX", db[64];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/tdb", dir);
	ck_assert_int_eq(run_child(die_releasing, db), 0);
	ck_assert_int_eq(run_child(finish_after, db), 0);
}
END_TEST

Suite *
release_suite(void)
{
	Suite *s = suite_create("release");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, scan_keeps_its_place);
	tcase_add_test(tc, release_in_slices);
	tcase_add_test(tc, release_while_changing);
	tcase_add_test(tc, release_batches);
	tcase_add_test(tc, release_after_crash);
	suite_add_tcase(s, tc);
	return s;
}
