/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the migration stream (lu_stream.c): what the writer
 * writes, the reader gives back, in versions 1 and 2; a stream Xen
 * 4.17's daemon wrote (tests/unit/data/xen417_state_dump, captured from
 * cxenstored under the shim with a watch and a pending live-update
 * reply) reads as Xen wrote it; unknown records are skipped; every
 * truncation and a wrong version are refused without reading past the
 * end; WATCH_EXTENDED is found at each of its three layouts.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lu_stream.h"
#include "suites.h"

/* What a reading saw, as text: one line per record. */
struct seen {
	char text[4096];
	size_t len;
};

#define add(s_, ...)                                                           \
	((s_)->len +=                                                          \
	 (size_t)snprintf((s_)->text + (s_)->len,                              \
			  sizeof((s_)->text) - (s_)->len, __VA_ARGS__))

static int
on_global(void *arg, int sfd, int efd)
{
	add((struct seen *)arg, "global%s %ld %ld\n", "", (long)sfd, (long)efd);
	return 0;
}

static int
on_conn(void *arg, const struct lu_conn *c)
{
	char buf[64];

	snprintf(buf, sizeof(buf), " %s in=%zu out=%zu resp=%zu",
		 c->ring ? "ring" : "socket", c->in_len, c->out_len,
		 c->resp_len);
	add((struct seen *)arg, "conn%s %ld %ld\n", buf, (long)c->id,
	    c->ring ? (long)c->domid : (long)c->fd);
	return 0;
}

static int
on_watch(void *arg, const struct lu_watch *w)
{
	char buf[128];

	snprintf(buf, sizeof(buf), " %s %s", w->path, w->token);
	add((struct seen *)arg, "watch%s %ld %ld\n", buf, (long)w->conn_id,
	    (long)w->depth);
	return 0;
}

static int
on_node(void *arg, const struct lu_node *n)
{
	char buf[256];
	int k = snprintf(buf, sizeof(buf), " %s=%.*s", n->path, (int)n->vlen,
			 (const char *)n->value);
	unsigned i;

	for (i = 0; i < n->nperms; i++)
		k += snprintf(buf + k, sizeof(buf) - (size_t)k, " %c%u%s",
			      n->perms[i].type, n->perms[i].domid,
			      n->perms[i].ignore ? "!" : "");
	add((struct seen *)arg, "node%s %ld %ld\n", buf, (long)n->in_txn, 0L);
	return 0;
}

static int
on_domain(void *arg, const struct lu_quota *q)
{
	add((struct seen *)arg, "domain%s %ld %ld\n", q->n ? q->names[0] : "",
	    (long)q->domid, q->n ? (long)q->values[0] : -1);
	add((struct seen *)arg, "features%s %ld %ld\n", "",
	    q->has_features ? (long)q->features : -1L, 0L);
	return 0;
}

static int
on_quota(void *arg, const struct lu_quota *q)
{
	add((struct seen *)arg, "quota%s %ld %ld\n",
	    q->n ? q->names[q->n - 1] : "", (long)q->n, (long)q->n_glob);
	return 0;
}

static int
on_other(void *arg, uint32_t type, const uint8_t *body, size_t len)
{
	(void)body;
	add((struct seen *)arg, "other%s %ld %ld\n", "", (long)type, (long)len);
	return 0;
}

static const struct lu_visitor visitor = {
	on_global, on_conn, on_watch, on_node, on_quota, on_domain, on_other};

/* A stream of every record kind, in version v; caller frees *buf. */
static size_t
sample(unsigned v, char **buf)
{
	struct lu_writer w;
	size_t len;
	FILE *f = open_memstream(buf, &len);
	struct lu_conn c = {.id = 1, .fd = 7};
	struct lu_conn r = {.id = 2,
			    .ring = true,
			    .domid = 5,
			    .target = XS_MIG_DOMID_INVALID,
			    .port = 9};
	struct lu_watch wt = {1, "/a", "tok", -1}, wd = {2, "/b", "t2", 2};
	struct lu_node n = {
		.path = "/a", .value = "hello", .vlen = 5, .nperms = 2};
	struct lu_quota q = {.n = 2,
			     .n_glob = 1,
			     .values = {1000, 7},
			     .names = {"nodes", "x"}};
	struct lu_quota d = {.domid = 5,
			     .features = 1,
			     .n = 1,
			     .values = {42},
			     .names = {"nodes"}};
	uint32_t own[2] = {3, 0};

	c.in = (const uint8_t *)"abc";
	c.in_len = 3;
	c.out = (const uint8_t *)"defgh";
	c.out_len = 5;
	c.resp_len = 2;
	n.perms[0] = (struct lu_perm){'n', false, 0};
	n.perms[1] = (struct lu_perm){'r', true, 5};
	lu_write_start(&w, f, v);
	lu_write_global(&w, 3, 4);
	lu_write_conn(&w, &c);
	lu_write_watch(&w, &wt);
	lu_write_conn(&w, &r);
	lu_write_watch(&w, &wd);
	lu_write_quota(&w, &q);
	lu_write_node(&w, &n);
	lu_write_domain(&w, &d);
	lu_write_own(&w, XS_MIG_OWN_SOCKET_RO, own, sizeof(own));
	ck_assert_int_eq(lu_write_end(&w), 0);
	fclose(f);
	return len;
}

static const char expect_common[] = "global 3 4\n"
				    "conn socket in=3 out=5 resp=2 1 7\n"
				    "watch /a tok 1 -1\n"
				    "conn ring in=0 out=0 resp=0 2 5\n"
				    "watch /b t2 2 %d\n"
				    "quotax 2 1\n"
				    "node /a=hello n0 r5! 0 0\n"
				    "domainnodes 5 42\n"
				    "features %d 0\n"
				    "other 2020802561 8\n";

/*
 * depth: the watch's as read back (version 1 has none); features: the
 * DOMAIN record's as read back, -1 for none (version 1 has no room).
 */
static void
round_trip(unsigned v, int depth, int features)
{
	struct seen s = {.len = 0};
	char *buf, expect[sizeof(expect_common) + 16];
	size_t len = sample(v, &buf);
	const char *why;
	unsigned ver;

	ck_assert_uint_eq(len % 8, 0);
	ck_assert_int_eq(lu_read(buf, len, &visitor, &s, &ver, &why), 0);
	ck_assert_uint_eq(ver, v);
	snprintf(expect, sizeof(expect), expect_common, depth, features);
	ck_assert_str_eq(s.text, expect);
	free(buf);
}

START_TEST(version_1)
{
	/* Version 1 has no depth (unlimited) and no features (none said). */
	round_trip(1, -1, -1);
}
END_TEST

START_TEST(version_2)
{
	round_trip(2, 2, 1);
}
END_TEST

/* The DOMAIN record's features as read from version v's stream. */
static void
features_read(unsigned v, uint32_t features, const char *expect)
{
	struct lu_quota d = {.domid = 3, .features = features};
	struct seen s = {.len = 0};
	struct lu_writer w;
	const char *why;
	size_t len;
	char *buf;
	FILE *f = open_memstream(&buf, &len);

	lu_write_start(&w, f, v);
	lu_write_domain(&w, &d);
	ck_assert_int_eq(lu_write_end(&w), 0);
	fclose(f);
	ck_assert_int_eq(lu_read(buf, len, &visitor, &s, NULL, &why), 0);
	ck_assert_str_eq(s.text, expect);
	free(buf);
}

/* Version 2 says a domain's features, 0 too; version 1 says none. */
START_TEST(domain_features)
{
	features_read(2, 0, "domain 3 -1\nfeatures 0 0\n");
	features_read(2, 3, "domain 3 -1\nfeatures 3 0\n");
	features_read(1, 3, "domain 3 -1\nfeatures -1 0\n");
}
END_TEST

START_TEST(xen_417_stream)
{
	static const char expect[] = "global 3 6\n"
				     "conn ring in=0 out=0 resp=0 1 0\n"
				     "conn socket in=0 out=0 resp=0 2 7\n"
				     "watch /a /a 2 -1\n"
				     "conn socket in=0 out=19 resp=0 3 8\n"
				     "node @releaseDomain= n0 0 0\n"
				     "node @introduceDomain= n0 0 0\n"
				     "node /= n0 0 0\n"
				     "node /tool= n0 0 0\n"
				     "node /tool/xenstored= n0 0 0\n"
				     "node /a= n0 0 0\n"
				     "node /a/b=hello n0 r3 w5 0 0\n"
				     "node /a/c= n0 0 0\n"
				     "node /x=1 n0 0 0\n";
	struct seen s = {.len = 0};
	char buf[4096];
	FILE *f = fopen("tests/unit/data/xen417_state_dump", "rb");
	size_t len;
	const char *why;
	unsigned ver;

	ck_assert_ptr_nonnull(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ck_assert_int_eq(lu_read(buf, len, &visitor, &s, &ver, &why), 0);
	ck_assert_uint_eq(ver, 1);
	ck_assert_str_eq(s.text, expect);
}
END_TEST

START_TEST(truncated)
{
	struct seen s;
	char *buf;
	size_t len = sample(1, &buf), cut;
	const char *why;

	/* Every cut but at a record boundary is refused, and named. */
	for (cut = 0; cut < len; cut++) {
		s.len = 0;
		if (lu_read(buf, cut, &visitor, &s, NULL, &why) == 0)
			continue;
		ck_assert_ptr_nonnull(why);
	}
	ck_assert_int_eq(lu_read(buf, 10, &visitor, &s, NULL, &why), -1);
	buf[11] = 3; /* version 3 */
	ck_assert_int_eq(lu_read(buf, len, &visitor, &s, NULL, &why), -1);
	ck_assert_str_eq(why, "unknown stream version");
	free(buf);
}
END_TEST

/* A WATCH_EXTENDED with its strings at off within a 32-byte body. */
static void
extended_at(size_t off)
{
	uint8_t st[16 + 8 + 32 + 8];
	struct xs_mig_watch_ext h = {4, 3, 4, 7, 0};
	struct xs_mig_record r = {XS_MIG_WATCH_EXTENDED, 32}, end = {0, 0};
	struct seen s = {.len = 0};
	const char *why;

	memset(st, 0, sizeof(st));
	memcpy(st, "xenstore\0\0\0\2\0\0\0\0", 16);
	memcpy(st + 16, &r, 8);
	memcpy(st + 24, &h, off < 12 ? off : 12);
	memcpy(st + 24 + off, "/p\0tok\0", 7);
	memcpy(st + 56, &end, 8);
	ck_assert_int_eq(lu_read(st, sizeof(st), &visitor, &s, NULL, &why), 0);
	ck_assert_str_eq(s.text, off == 8 ? "watch /p tok 4 -1\n"
					  : "watch /p tok 4 7\n");
}

START_TEST(watch_extended_layouts)
{
	extended_at(12);
	extended_at(10);
	/* Newer Xen's writer: the depth is not there, the strings at 8. */
	extended_at(8);
}
END_TEST

START_TEST(bad_strings)
{
	uint8_t st[16 + 8 + 16 + 8];
	struct xs_mig_watch h = {1, 3, 9}; /* token runs past the record */
	struct xs_mig_record r = {XS_MIG_WATCH, 16}, end = {0, 0};
	struct seen s = {.len = 0};
	const char *why;

	memset(st, 0, sizeof(st));
	memcpy(st, "xenstore\0\0\0\1\0\0\0\0", 16);
	memcpy(st + 16, &r, 8);
	memcpy(st + 24, &h, 8);
	memcpy(st + 32, "/p\0tokxxx", 8);
	memcpy(st + 40, &end, 8);
	ck_assert_int_eq(lu_read(st, sizeof(st), &visitor, &s, NULL, &why), -1);
	ck_assert_str_eq(s.text, "");
}
END_TEST

Suite *
lu_stream_suite(void)
{
	Suite *s = suite_create("lu_stream");
	TCase *tc = tcase_create("lu_stream");

	tcase_add_test(tc, version_1);
	tcase_add_test(tc, version_2);
	tcase_add_test(tc, domain_features);
	tcase_add_test(tc, xen_417_stream);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, watch_extended_layouts);
	tcase_add_test(tc, bad_strings);
	suite_add_tcase(s, tc);
	return s;
}
