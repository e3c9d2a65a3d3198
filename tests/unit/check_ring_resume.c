/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for a ring picked up after a crash (ring_conn_resume and
 * guest/ring_resume.c): the state a daemon killed between writing a
 * read's reply and moving req_cons past the read leaves, built on a page
 * in memory, and what the next daemon skips and queues; with the ring's
 * cursor (ring_cursor.h) when the reads since the record span more than
 * a ring.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <talloc.h>
#include <unistd.h>

#include "conn.h"
#include "domain.h"
#include "frame.h"
#include "ring.h"
#include "ring_conn.h"
#include "ring_cursor.h"
#include "ring_resume.h"
#include "suites.h"

static struct xenstore_domain_interface *page;
static struct domain dom;

static void
setup(void)
{
	page = calloc(1, sizeof(*page));
	ck_assert_ptr_nonnull(page);
	memset(&dom, 0, sizeof(dom));
	dom.domid = 5;
	dom.intf = page;
	dom.port = -1;
}

static void
teardown(void)
{
	free(page);
	page = NULL;
}

/* Put a frame of type with body on the side's ring; its length. */
static size_t
put(enum ring_side side, uint32_t type, const char *body)
{
	struct xsd_sockmsg hdr = {.type = type, .len = (uint32_t)strlen(body)};

	ck_assert_int_eq(ring_write(page, side, &hdr, sizeof(hdr)),
			 (ssize_t)sizeof(hdr));
	ck_assert_int_eq(ring_write(page, side, body, hdr.len),
			 (ssize_t)hdr.len);
	return sizeof(hdr) + hdr.len;
}

/* Resume a connection of dom from a record; the output it queued. */
static uint64_t
resume(XENSTORE_RING_IDX req_end, XENSTORE_RING_IDX rsp_base, const void *out,
       size_t len)
{
	struct conn *c = ring_conn_new(&dom, false);
	uint64_t queued;

	ck_assert_ptr_nonnull(c);
	ring_conn_resume(c, &(struct ring_record){req_end, rsp_base, out, len,
						  NULL, 0, 0});
	queued = c->out_total;
	talloc_free(c);
	return queued;
}

/* Killed between the READ's reply and req_cons: the READ is skipped. */
START_TEST(read_answered_but_not_given_back)
{
	size_t a = put(RING_CLIENT, XS_READ, "/a");

	put(RING_CLIENT, XS_READ, "/b");
	put(RING_SERVER, XS_WATCH_EVENT, "/w\0t");
	put(RING_SERVER, XS_READ, "va");
	ck_assert_uint_eq(resume(0, 0, NULL, 0), 0);
	ck_assert_uint_eq(page->req_cons, a);
}
END_TEST

/* The replies after the saved output answer requests after req_end. */
START_TEST(skips_from_req_end)
{
	size_t w = put(RING_CLIENT, XS_WRITE, "/x\0v");
	size_t a = put(RING_CLIENT, XS_READ, "/a");
	size_t ok = put(RING_SERVER, XS_WRITE, "OK");

	put(RING_CLIENT, XS_READ, "/b");
	put(RING_SERVER, XS_READ, "va");
	/* The record saved the WRITE; its "OK" is what it owed. */
	ck_assert_uint_eq(resume((XENSTORE_RING_IDX)w, 0, page->rsp, ok), 0);
	ck_assert_uint_eq(page->req_cons, w + a);
}
END_TEST

/* Output still owed: nothing past it is on the ring, nothing skipped. */
START_TEST(owed_output_queued)
{
	static const char out[] = "0123456789abcdef";
	size_t w = put(RING_CLIENT, XS_WRITE, "/x\0v");

	put(RING_CLIENT, XS_READ, "/a");
	ck_assert_int_eq(ring_write(page, RING_SERVER, out, 6), 6);
	ck_assert_uint_eq(resume((XENSTORE_RING_IDX)w, 0, out, 16), 10);
	ck_assert_uint_eq(page->req_cons, w);
}
END_TEST

/* A guest that wrote garbage after the replies hurts only itself. */
START_TEST(garbage_bounded)
{
	struct xsd_sockmsg huge = {.type = XS_READ, .len = 0xfffffff0u};
	unsigned i;

	for (i = 0; i < 8; i++)
		put(RING_CLIENT, XS_READ, "/a");
	put(RING_SERVER, XS_READ, "va");
	ring_write(page, RING_SERVER, &huge, sizeof(huge));
	ck_assert_uint_eq(ring_resume_replies(page, 0, page->rsp_prod), 1);
	/* Far more replies than requests: only those there are skipped. */
	ck_assert_uint_eq(ring_resume_skip(page, 0, page->req_prod, 1000),
			  page->req_prod);
	/* Indexes a ring apart or more: nothing is read. */
	ck_assert_uint_eq(ring_resume_replies(page, 0, 5000), 0);
	ck_assert_uint_eq(ring_resume_skip(page, 0, 5000, 3), 0);
	resume(0, 0, NULL, 0);
	ck_assert_uint_eq(page->req_cons, 18);
}
END_TEST

/* Resume from a record at req_end 0 with tag; req_cons afterwards. */
static XENSTORE_RING_IDX
resume_tagged(uint32_t tag)
{
	struct conn *c = ring_conn_new(&dom, false);

	ck_assert_ptr_nonnull(c);
	ring_conn_resume(c, &(struct ring_record){.tag = tag});
	ck_assert_uint_eq(c->out_total, 0);
	talloc_free(c);
	return page->req_cons;
}

/*
 * n READs answered one by one, each reply read by the guest; each given
 * back after its cursor moved (tag 7), but the last if killed.  The end
 * of the last.
 */
static XENSTORE_RING_IDX
reads(unsigned n, bool killed)
{
	XENSTORE_RING_IDX end = page->req_prod;
	unsigned i;

	for (i = 0; i < n; i++) {
		end += (XENSTORE_RING_IDX)put(RING_CLIENT, XS_READ, "/a");
		put(RING_SERVER, XS_READ, "va");
		ck_assert_int_eq(
			ring_consume(page, RING_CLIENT, page->rsp_prod), 0);
		ring_cursor_move(dom.domid, 7, end, page->rsp_prod);
		if (!killed || i + 1 < n)
			ck_assert_int_eq(ring_consume(page, RING_SERVER, end),
					 0);
	}
	return end;
}

/*
 * Killed between a read's reply and req_cons, 100 reads (1800 bytes)
 * after the record: the guest wrote over the requests after req_end, yet
 * the cursor says where the answered ones end.  A cursor of another
 * connection (another tag) is not taken.
 */
START_TEST(cursor_past_a_ring)
{
	char path[] = "/tmp/ring-cursor.XXXXXX";
	int fd = mkstemp(path);
	XENSTORE_RING_IDX end, last;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ring_cursor_open(path), 0);
	unlink(path);
	end = reads(100, true);
	ck_assert_uint_lt(page->req_cons, end);
	ck_assert_uint_eq(resume_tagged(7), end);
	last = reads(1, true);
	ck_assert_uint_eq(resume_tagged(8), end);
	ck_assert_uint_eq(resume_tagged(7), last);
	ring_cursor_close();
}
END_TEST

/*
 * Output a live update hands back counts in out_total like any: a ring's
 * marks are positions in it.  A reply queued behind it and written half
 * (the ring had room for the handed-back bytes and half the reply) must
 * not give its request back.
 */
START_TEST(restored_output_counted)
{
	static char back[10] = "0123456789", reply[20] = "r";
	static const char junk[1004] = "";
	struct conn *c = ring_conn_new(&dom, false);
	struct xsd_sockmsg hdr = {.type = XS_READ, .len = 2};
	struct iovec iov[2] = {{back, sizeof(back)}, {reply, sizeof(reply)}};

	ck_assert_ptr_nonnull(c);
	put(RING_CLIENT, XS_READ, "/a");
	ck_assert_int_eq(ring_write(page, RING_SERVER, junk, sizeof(junk)),
			 (ssize_t)sizeof(junk));
	ck_assert_int_eq(conn_restore(c, NULL, 0, (const uint8_t *)back,
				      sizeof(back), 0),
			 0);
	conn_queue_raw(c, reply, sizeof(reply));
	c->transport->answered(c, &hdr);
	ck_assert_uint_eq(c->out_total, sizeof(back) + sizeof(reply));
	ck_assert_int_eq(c->transport->writev(c, iov, 2), 20);
	ck_assert_uint_eq(page->req_cons, 0);
	talloc_free(c);
}
END_TEST

Suite *
ring_resume_suite(void)
{
	Suite *s = suite_create("ring_resume");
	TCase *tc = tcase_create("ring_resume");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_answered_but_not_given_back);
	tcase_add_test(tc, skips_from_req_end);
	tcase_add_test(tc, owed_output_queued);
	tcase_add_test(tc, garbage_bounded);
	tcase_add_test(tc, cursor_past_a_ring);
	tcase_add_test(tc, restored_output_counted);
	suite_add_tcase(s, tc);
	return s;
}
