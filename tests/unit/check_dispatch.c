/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the dispatcher (dispatch.c, conn.c's framing) through
 * the in-process harness: unknown types, privileged-only requests from a
 * guest, replies that echo the request's ids, and clients that break the
 * framing, which lose their connection while everyone else goes on.
 */
#include <check.h>
#include <string.h>
#include <talloc.h>

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

/*
 * Server-to-client types, the removed RESTRICT, anything from
 * XS_TYPE_COUNT on: ENOSYS, as Xen's C daemon answers.
 */
START_TEST(unknown_types)
{
	static const uint32_t types[] = {XS_WATCH_EVENT, XS_ERROR, 20,
					 XS_TYPE_COUNT,	 1000,	   0xffff,
					 0xffffffff};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ck_assert_str_eq(hpeer_call(dom0, types[i], 0, "/", NULL),
				 "ERROR ENOSYS");
		ck_assert_str_eq(hpeer_call(guest, types[i], 0, "/", NULL),
				 "ERROR ENOSYS");
	}
	ck_assert(hpeer_alive(dom0));
	ck_assert(hpeer_alive(guest));
}
END_TEST

/* What only the privileged domain may ask: EACCES for a guest. */
START_TEST(privileged_only)
{
	ck_assert_str_eq(HCALL(guest, XS_INTRODUCE, 0, "2", "1", "5"),
			 "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_RELEASE, 0, "1"), "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_RESUME, 0, "1"), "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_SET_TARGET, 0, "1", "2"),
			 "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_IS_DOMAIN_INTRODUCED, 0, "1"),
			 "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_CONTROL, 0, "check"), "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_SET_FEATURE, 0, "1", "0"),
			 "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_GET_QUOTA, 0, "nodes"),
			 "ERROR EACCES");
	ck_assert_str_eq(HCALL(guest, XS_SET_QUOTA, 0, "nodes", "1"),
			 "ERROR EACCES");
	/* dom0 may; a guest still may ask these. */
	ck_assert_str_eq(HCALL(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "1"),
			 "IS_DOMAIN_INTRODUCED T");
	ck_assert_str_eq(HCALL(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "3"),
			 "IS_DOMAIN_INTRODUCED F");
	ck_assert_str_eq(HCALL(guest, XS_GET_DOMAIN_PATH, 0, "7"),
			 "GET_DOMAIN_PATH /local/domain/7");
	ck_assert_str_eq(HCALL(guest, XS_GET_DOMAIN_PATH, 0, "x"),
			 "ERROR EINVAL");
}
END_TEST

/* A reply carries the request's req_id and tx_id back. */
START_TEST(ids_echoed)
{
	static const char path[] = "/";
	struct hmsg m;
	uint32_t t = hpeer_txn_start(dom0);

	hpeer_send(dom0, XS_READ, t, path, sizeof(path));
	ck_assert(hpeer_next(dom0, &m));
	ck_assert_uint_eq(m.hdr.type, XS_READ);
	ck_assert_uint_eq(m.hdr.req_id, 2);
	ck_assert_uint_eq(m.hdr.tx_id, t);
	hpeer_send(dom0, XS_READ, 777, path, sizeof(path));
	ck_assert(hpeer_next(dom0, &m));
	ck_assert_uint_eq(m.hdr.type, XS_ERROR);
	ck_assert_uint_eq(m.hdr.req_id, 3);
	ck_assert_uint_eq(m.hdr.tx_id, 777);
	ck_assert_str_eq(m.body, "ENOENT");
	ck_assert_uint_eq(m.hdr.len, sizeof("ENOENT"));
}
END_TEST

/*
 * Arguments the handler cannot use: EINVAL, and the client stays; an
 * unterminated string or an oversized header breaks the framing: the
 * client goes, nobody else notices.
 */
START_TEST(bad_payloads)
{
	struct xsd_sockmsg big = {XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1};
	struct hpeer *p = hpeer_new(0, true);

	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/", "extra"), "ERROR EINVAL");
	ck_assert_str_eq(hpeer_call(dom0, XS_READ, 0, NULL), "ERROR EINVAL");
	ck_assert_str_eq(HCALL(dom0, XS_TRANSACTION_END, 0, ""),
			 "ERROR EINVAL");
	hpeer_send(guest, XS_READ, 0, "/abc", 4);
	ck_assert_str_eq(hpeer_text(guest), "");
	ck_assert(!hpeer_alive(guest));
	hpeer_send_raw(p, &big, sizeof(big));
	ck_assert(!hpeer_alive(p));
	ck_assert_str_eq(hpeer_text(p), "");
	hpeer_free(p);
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/still", "here"),
			 "WRITE OK");
}
END_TEST

/*
 * Many requests in one write, more than one loop turn's budget (64):
 * every one gets its reply, in order, without waiting for another event
 * (before conn.c's fix the last 8 of 200 waited).
 */
#define PIPELINED 200
START_TEST(pipelined)
{
	static const char req[] = "/";
	uint8_t buf[PIPELINED * (sizeof(struct xsd_sockmsg) + sizeof(req))];
	struct xsd_sockmsg h = {XS_DIRECTORY, 0, 0, sizeof(req)};
	struct hmsg m;
	size_t off = 0;
	unsigned i;

	for (i = 0; i < PIPELINED; i++) {
		h.req_id = i;
		memcpy(buf + off, &h, sizeof(h));
		memcpy(buf + off + sizeof(h), req, sizeof(req));
		off += sizeof(h) + sizeof(req);
	}
	hpeer_send_raw(dom0, buf, off);
	ck_assert_uint_eq(hpeer_pending(dom0), PIPELINED);
	for (i = 0; i < PIPELINED; i++) {
		ck_assert(hpeer_next(dom0, &m));
		ck_assert_uint_eq(m.hdr.req_id, i);
		ck_assert_uint_eq(m.hdr.type, XS_DIRECTORY);
	}
}
END_TEST

/*
 * RELEASE of a domain that dom0 made the owner of "/" and of a special
 * node: these cannot be removed with the domain's other nodes; they pass
 * back to dom0, so that no node is left owned by a domain the daemon
 * forgot (found by fuzz_dispatch: the node counts no longer added up).
 */
START_TEST(release_root_owner)
{
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/g1", "x"), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/g1", "n1"),
			 "SET_PERMS OK");
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/", "w1", "r2"),
			 "SET_PERMS OK");
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "@releaseDomain", "n1"),
			 "SET_PERMS OK");
	ck_assert_str_eq(HCALL(dom0, XS_RELEASE, 0, "1"), "RELEASE OK");
	ck_assert(!hpeer_alive(guest));
	ck_assert_str_eq(HCALL(dom0, XS_GET_PERMS, 0, "/"), "GET_PERMS w0 r2");
	ck_assert_str_eq(HCALL(dom0, XS_GET_PERMS, 0, "@releaseDomain"),
			 "GET_PERMS n0");
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/g1"), "ERROR ENOENT");
	ck_assert(harness_check());
	/* As in the fixture: domain 1 known again, with its old weight. */
	ck_assert_ptr_nonnull(domain_get(1));
}
END_TEST

/*
 * Memory runs out for a connection (talloc's limit on it): a reply too
 * large for its reserve becomes ENOMEM, a request that cannot be copied
 * gets ENOMEM and is not done, and the connection stays, as a xenstore
 * domain's one ring to dom0 must.
 */
/* talloc's limit is deprecated for use, not for a test's failures. */
static void
limit(struct conn *c, size_t more)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	ck_assert_int_eq(
		talloc_set_memlimit(c, more ? talloc_total_size(c) + more : 0),
		0);
#pragma GCC diagnostic pop
}

START_TEST(out_of_memory_replies)
{
	char big[3000];
	struct conn *c;

	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/big", big), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/big", "n0", "r1"),
			 "SET_PERMS OK");
	ck_assert_str_eq(HCALL(dom0, XS_MKDIR, 0, "/local/domain/1"),
			 "MKDIR OK");
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/local/domain/1", "n1"),
			 "SET_PERMS OK");
	ck_assert_str_eq(HCALL(guest, XS_WRITE, 0, "x", "1"), "WRITE OK");
	c = hpeer_conn(guest);
	limit(c, 1024);
	ck_assert_str_eq(HCALL(guest, XS_READ, 0, "/big"), "ERROR ENOMEM");
	ck_assert(hpeer_alive(guest));
	ck_assert_str_eq(HCALL(guest, XS_WRITE, 0, "y", big), "ERROR ENOMEM");
	ck_assert(hpeer_alive(guest));
	ck_assert_str_eq(HCALL(dom0, XS_READ, 0, "/local/domain/1/y"),
			 "ERROR ENOENT");
	limit(c, 0);
	ck_assert_str_eq(HCALL(guest, XS_READ, 0, "x"), "READ 1");
}
END_TEST

Suite *
dispatch_suite(void)
{
	Suite *s = suite_create("dispatch");

	harness_add(s, "unknown_types", unknown_types, setup, teardown);
	harness_add(s, "privileged_only", privileged_only, setup, teardown);
	harness_add(s, "ids_echoed", ids_echoed, setup, teardown);
	harness_add(s, "bad_payloads", bad_payloads, setup, teardown);
	harness_add(s, "pipelined", pipelined, setup, teardown);
	harness_add(s, "release_root_owner", release_root_owner, setup,
		    teardown);
	harness_add(s, "out_of_memory_replies", out_of_memory_replies, setup,
		    teardown);
	return s;
}
