/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the tree as requests see it (store.c, ops_node.c,
 * view.c) through the in-process harness: WRITE, READ, MKDIR, RM,
 * DIRECTORY, DIRECTORY_PART, GET/SET_PERMS, the generations they move,
 * and the EACCES/ENOENT choice that hides unreadable nodes.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tdb.h>
#include <unistd.h>

#include "harness.h"
#include "hcase.h"
#include "leak.h"
#include "db.h"
#include "domain.h"
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

/* Nodes /big/d<i>/n<j>, i < dirs, j < per; owner 1 from /big down. */
static void
make_big(unsigned dirs, unsigned per)
{
	struct perm guest1 = {1, PERM_NONE};
	char path[64];
	unsigned i, j;

	ck_assert_ptr_nonnull(store_create("/big", &guest1, 1, NULL, 0, false));
	for (i = 0; i < dirs; i++) {
		snprintf(path, sizeof(path), "/big/d%u", i);
		ck_assert_ptr_nonnull(
			store_create(path, &guest1, 1, NULL, 0, false));
		for (j = 0; j < per; j++) {
			snprintf(path, sizeof(path), "/big/d%u/n%u", i, j);
			ck_assert_ptr_nonnull(
				store_create(path, &guest1, 1, "v", 1, false));
		}
	}
}

/*
 * A large subtree goes in steps: unreachable at once, its nodes freed
 * and counted out of their owner by store_reap, the watches below it
 * fired as they go; its path can be made again meanwhile.
 */
START_TEST(rm_in_steps)
{
	struct perm owner = {0, PERM_NONE};
	size_t before = store_count(), steps = 0;
	unsigned nodes = domain_find(1)->nodes;

	make_big(10, 200); /* 2011 nodes */
	ck_assert_uint_eq(domain_find(1)->nodes, nodes + 2011);
	ck_assert_str_eq(HCALL(dom0, XS_WATCH, 0, "/big/d3/n7", "deep"),
			 "WATCH OK");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /big/d3/n7 deep");
	store_rm(store_lookup("/big"));
	ck_assert_ptr_null(store_lookup("/big"));
	ck_assert_ptr_null(store_lookup("/big/d3"));
	ck_assert_ptr_null(store_lookup("/big/d3/n7"));
	ck_assert_uint_eq(store_count(), before + 2011);
	ck_assert_uint_eq(domain_find(1)->nodes, nodes + 2010);
	/* The same paths again, while the old nodes are still there. */
	ck_assert_ptr_nonnull(store_create("/big", &owner, 1, NULL, 0, false));
	ck_assert_ptr_nonnull(
		store_create("/big/d3", &owner, 1, NULL, 0, false));
	ck_assert_ptr_nonnull(
		store_create("/big/d3/n7", &owner, 1, "new", 3, false));
	while (store_reap(100))
		steps++;
	ck_assert_uint_ge(steps, 19);
	harness_flush();
	/* The new node's creation, then the old one's removal, once. */
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /big/d3/n7 deep");
	ck_assert_str_eq(hpeer_text(dom0), "WATCH_EVENT /big/d3/n7 deep");
	ck_assert_str_eq(hpeer_text(dom0), "");
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/big/d3/n7"), "READ new");
	ck_assert_str_eq(HCALL(dom0, XS_DIRECTORY, 0, "/big"), "DIRECTORY d3");
	ck_assert_uint_eq(store_count(), before + 3);
	ck_assert_uint_eq(domain_find(1)->nodes, nodes);
}
END_TEST

/* The consistency check counts what is still to be freed. */
START_TEST(rm_check_midway)
{
	make_big(10, 200);
	store_rm(store_lookup("/big"));
	ck_assert(store_reap(700));
	ck_assert(harness_check());
}
END_TEST

/* Make /big and /keep, remove /big, die part-way through freeing it. */
static int
die_reaping(const char *db)
{
	struct perm owner = {0, PERM_NONE};

	if (harness_init_db(db, DB_SYNC_BATCH) != 0)
		return 1;
	make_big(10, 200);
	if (!store_create("/keep", &owner, 1, "k", 1, false) || db_flush())
		return 2;
	store_rm(store_lookup("/big"));
	if (!store_reap(700) || db_flush())
		return 3;
	return 0; /* no close: a SIGKILL */
}

/* Load: /big is gone, /keep is there; the store passes the check. */
static int
load_after(const char *db)
{
	struct node *n;

	if (harness_init_db(db, DB_SYNC_BATCH) != 0)
		return 1;
	if (store_lookup("/big") || store_lookup("/big/d3") ||
	    store_lookup("/big/d9/n199"))
		return 2;
	n = store_lookup("/keep");
	if (n == NULL || n->vlen != 1)
		return 3;
	if (!harness_check())
		return 4;
	harness_close_db();
	return 0;
}

static int
count_big(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data, void *arg)
{
	(void)tdb;
	(void)data;
	if (key.dsize >= 4 && memcmp(key.dptr, "/big", 4) == 0)
		++*(unsigned *)arg;
	return 0;
}

/*
 * A daemon that stops part-way through freeing a large subtree leaves
 * records of nodes whose top is gone: the next start drops them (and
 * folds their records away) instead of refusing the database.
 */
START_TEST(rm_steps_leftovers)
{
	char dir[] = "/tmp/check_store.XXXXXX", db[64];
	struct tdb_context *tdb;
	unsigned big = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/tdb", dir);
	ck_assert_int_eq(run_child(die_reaping, db), 0);
	ck_assert_int_eq(run_child(load_after, db), 0);
	tdb = tdb_open(db, 0, TDB_DEFAULT, O_RDONLY, 0);
	ck_assert_ptr_nonnull(tdb);
	tdb_traverse_read(tdb, count_big, &big);
	tdb_close(tdb);
	ck_assert_uint_eq(big, 0);
	ck_assert_int_eq(run_child(load_after, db), 0);
}
END_TEST

/* A small subtree goes at once, deepest first: nothing is left to reap. */
START_TEST(rm_small_at_once)
{
	size_t before = store_count();

	make_big(2, 10);
	store_rm(store_lookup("/big"));
	ck_assert_uint_eq(store_count(), before);
	ck_assert(!store_reap(1));
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

static void
send_part(uint32_t tx, const char *path, const char *off)
{
	char buf[128];
	size_t pl = strlen(path) + 1, ol = strlen(off) + 1;

	memcpy(buf, path, pl);
	memcpy(buf + pl, off, ol);
	hpeer_send(dom0, XS_DIRECTORY_PART, tx, buf, pl + ol);
	harness_flush();
}

/* Read path's list part by part (in transaction tx): its length. */
static size_t
read_parts(uint32_t tx, const char *path, char *out, size_t cap)
{
	struct hmsg m;
	char off[16];
	size_t len = 0, glen, n;

	for (;;) {
		snprintf(off, sizeof(off), "%zu", len);
		send_part(tx, path, off);
		ck_assert(hpeer_next(dom0, &m));
		ck_assert_uint_eq(m.hdr.type, XS_DIRECTORY_PART);
		ck_assert_uint_le(m.hdr.len, XENSTORE_PAYLOAD_MAX);
		glen = strlen(m.body) + 1;
		n = m.hdr.len - glen;
		if (n > 0 && m.body[m.hdr.len - 1] == '\0' &&
		    (n == 1 || m.body[m.hdr.len - 2] == '\0'))
			n--; /* the end's extra NUL */
		ck_assert_uint_le(len + n, cap);
		memcpy(out + len, m.body + glen, n);
		len += n;
		if (m.hdr.len - glen > n)
			return len;
		ck_assert_uint_gt(n, 0);
	}
}

/*
 * A list far over the payload limit: DIRECTORY says E2BIG, and
 * DIRECTORY_PART reads it whole, part by part, in and out of a
 * transaction, even when a child's value moves it in memory between two
 * parts.
 */
START_TEST(long_list)
{
	static char want[64 * 1024], got[64 * 1024];
	char path[64];
	size_t wlen = 0, l;
	uint32_t tx;
	unsigned i;

	ck_assert_str_eq(HCALL(dom0, XS_MKDIR, 0, "/l"), "MKDIR OK");
	for (i = 0; i < 3000; i++) {
		l = (size_t)snprintf(path, sizeof(path), "/l/%0*u", 1 + i % 9,
				     i) -
		    3;
		ck_assert_ptr_nonnull(store_create(
			path, store_lookup("/")->data, 1, NULL, 0, true));
		memcpy(want + wlen, path + 3, l + 1);
		wlen += l + 1;
	}
	ck_assert_str_eq(HCALL(dom0, XS_DIRECTORY, 0, "/l"), "ERROR E2BIG");
	ck_assert_uint_eq(read_parts(0, "/l", got, sizeof(got)), wlen);
	ck_assert(memcmp(got, want, wlen) == 0);
	tx = hpeer_txn_start(dom0);
	ck_assert_uint_ne(tx, 0);
	ck_assert_uint_eq(read_parts(tx, "/l", got, sizeof(got)), wlen);
	ck_assert(memcmp(got, want, wlen) == 0);
	ck_assert_str_eq(HCALL(dom0, XS_TRANSACTION_END, tx, "F"),
			 "TRANSACTION_END OK");
	/* The child a part began at moves: the next parts still match. */
	send_part(0, "/l", "0");
	ck_assert_str_ne(hpeer_text(dom0), "");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/l/0", "a longer value"),
			 "WRITE OK");
	/* Its old block goes to a node of the same size elsewhere. */
	ck_assert_ptr_nonnull(
		store_create("/m", store_lookup("/")->data, 1, NULL, 0, true));
	ck_assert_uint_eq(read_parts(0, "/l", got, sizeof(got)), wlen);
	ck_assert(memcmp(got, want, wlen) == 0);
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
	TCase *tc;

	harness_add(s, "write_read", write_read, setup, teardown);
	harness_add(s, "parents", parents, setup, teardown);
	harness_add(s, "rm", rm, setup, teardown);
	harness_add(s, "rm_in_steps", rm_in_steps, setup, teardown);
	tc = tcase_create("rm_steps_leftovers"); /* daemons of its own */
	tcase_add_test(tc, rm_steps_leftovers);
	suite_add_tcase(s, tc);
	harness_add(s, "rm_check_midway", rm_check_midway, setup, teardown);
	harness_add(s, "rm_small_at_once", rm_small_at_once, setup, teardown);
	harness_add(s, "generations", generations, setup, teardown);
	harness_add(s, "directory_part", directory_part, setup, teardown);
	harness_add(s, "long_list", long_list, setup, teardown);
	harness_add(s, "perms_hide", perms_hide, setup, teardown);
	harness_add(s, "perms_owner", perms_owner, setup, teardown);
	return s;
}
