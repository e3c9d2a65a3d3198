/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for held commits (hold.c, with conn.c's held replies and
 * ops_stream.c's "hold" and "verdict") through the in-process harness on
 * a database: a commit under the agent's prefixes waits for its verdict
 * and so do the client's later requests, "ok" and "lost" answer it, what
 * is not held (plain writes, /vm, the agent's own, a guest's), the
 * bounded wait and the agent going (EIO: never OK without a verdict), a
 * verdict on a range of groups, the client going, and what a live update
 * waits for and gives up.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "harness.h"
#include "hcase.h"
#include "hold.h"
#include "leak.h"
#include "suites.h"

static char dir[64];
static char db[128];
static struct hpeer *dom0, *agent;

#define CTL(p, ...) HCALL(p, XS_CONTROL, 0, "stream", __VA_ARGS__)

static void
setup(void)
{
	strcpy(dir, "/tmp/check-hold.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/tdb", dir);
	ck_assert_int_eq(harness_init_db(db, 1), 0);
	dom0 = hpeer_new(0, true);
	agent = hpeer_new(0, true);
	ck_assert_ptr_nonnull(dom0);
	ck_assert_ptr_nonnull(agent);
	ck_assert_str_eq(CTL(agent, "register", "/pool", "/vm"), "DEBUG 0 0");
	ck_assert_str_eq(CTL(agent, "hold", "/pool"), "DEBUG OK");
	leak_setup();
}

static void
teardown(void)
{
	char cmd[128];

	hpeer_free(dom0);
	if (agent)
		hpeer_free(agent);
	harness_flush();
	leak_teardown();
	harness_close_db();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A transaction on p writing path = value, its commit sent: tx. */
static uint32_t
commit(struct hpeer *p, const char *path, const char *value)
{
	uint32_t tx = hpeer_txn_start(p);

	ck_assert_uint_ne(tx, 0);
	ck_assert_str_eq(HCALL(p, XS_WRITE, tx, path, value), "WRITE OK");
	hpeer_send(p, XS_TRANSACTION_END, tx, "T", 2);
	return tx;
}

/* The first line of group seq's first page. */
static const char *
head(unsigned long seq)
{
	static char line[64];
	char s[24];
	const char *t;

	snprintf(s, sizeof(s), "%lu", seq);
	t = CTL(agent, "read", s);
	ck_assert_msg(strncmp(t, "DEBUG ", 6) == 0, "reply %s", t);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(t + 6, "\n"), t + 6);
	return line;
}

START_TEST(verdict_ok)
{
	struct xsd_sockmsg hdr;
	struct hpeer *other;
	char out[64];
	size_t n;

	commit(dom0, "/pool/n", "1");
	/* Applied at once, its reply held; the client's next request waits. */
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	hpeer_send(dom0, XS_READ, 0, "/pool/n", 8);
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	ck_assert_str_eq(head(1), "1 h 2");
	/*
	 * The held OK is queued output, which a guest's saved record
	 * carries (a live update waits for the verdict: give_up below).
	 */
	n = conn_output_copy(hpeer_conn(dom0), out, sizeof(out));
	ck_assert_uint_eq(n, sizeof(hdr) + 3);
	memcpy(&hdr, out, sizeof(hdr));
	ck_assert_uint_eq(hdr.type, XS_TRANSACTION_END);
	ck_assert_str_eq(out + sizeof(hdr), "OK");
	/* Another client is not held up, and reads the new value. */
	other = hpeer_new(0, true);
	ck_assert_str_eq(HCALL(other, XS_READ, 0, "/pool/n"), "READ 1");
	hpeer_free(other);
	/* Only the agent gives verdicts. */
	ck_assert_str_eq(CTL(dom0, "verdict", "1", "ok"), "");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	ck_assert_str_eq(CTL(agent, "verdict", "1", "ok"), "DEBUG OK");
	ck_assert_str_eq(hpeer_text(dom0), "TRANSACTION_END OK");
	ck_assert_str_eq(hpeer_text(dom0), "READ 1");
	ck_assert_str_eq(hpeer_text(dom0), "ERROR EACCES");
	ck_assert_str_eq(head(1), "1 - 2");
	/* A verdict nobody waits for, and nonsense. */
	ck_assert_str_eq(CTL(agent, "verdict", "1", "lost"), "DEBUG OK");
	ck_assert_str_eq(CTL(agent, "verdict", "1", "maybe"), "ERROR EINVAL");
	ck_assert_str_eq(CTL(agent, "verdict", "x", "ok"), "ERROR EINVAL");
	ck_assert(harness_check());
}
END_TEST

START_TEST(verdict_lost)
{
	commit(dom0, "/pool/n", "1");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	ck_assert_str_eq(CTL(agent, "verdict", "1", "lost"), "DEBUG OK");
	ck_assert_str_eq(hpeer_text(dom0), "ERROR EAGAIN");
	/* The connection reads on: the retry commits and is held again. */
	commit(dom0, "/pool/n", "2");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	ck_assert_str_eq(head(2), "2 h 1");
	ck_assert_str_eq(CTL(agent, "verdict", "2", "ok"), "DEBUG OK");
	ck_assert_str_eq(hpeer_text(dom0), "TRANSACTION_END OK");
}
END_TEST

START_TEST(not_held)
{
	struct hpeer *guest;
	uint32_t tx;

	/* A plain write, a commit under /vm only, the agent's own commit. */
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/pool/w", "1"), "WRITE OK");
	commit(dom0, "/vm/u/name", "g");
	ck_assert_str_eq(hpeer_text(dom0), "TRANSACTION_END OK");
	commit(agent, "/pool/a", "1");
	ck_assert_str_eq(hpeer_text(agent), "TRANSACTION_END OK");
	/* A commit that changed nothing, and one outside the prefixes. */
	tx = hpeer_txn_start(dom0);
	ck_assert_str_eq(HCALL(dom0, XS_READ, tx, "/pool/w"), "READ 1");
	ck_assert_str_eq(HCALL(dom0, XS_TRANSACTION_END, tx, "T"),
			 "TRANSACTION_END OK");
	commit(dom0, "/local/x", "1");
	ck_assert_str_eq(hpeer_text(dom0), "TRANSACTION_END OK");
	/* A guest allowed to write under /pool never waits on the network. */
	ck_assert_str_eq(HCALL(dom0, XS_SET_PERMS, 0, "/pool/w", "b1"),
			 "SET_PERMS OK");
	guest = hpeer_guest(1);
	ck_assert_ptr_nonnull(guest);
	commit(guest, "/pool/w", "2");
	ck_assert_str_eq(hpeer_text(guest), "TRANSACTION_END OK");
	hpeer_free(guest);
	ck_assert_str_eq(head(1), "1 - 2");
	ck_assert_str_eq(head(2), "2 - 3");
	ck_assert_str_eq(head(3), "3 a 1");
	ck_assert_str_eq(head(5), "5 - 1");
	/* Only the registered agent may ask for verdicts. */
	ck_assert_str_eq(CTL(dom0, "hold", "/pool"), "ERROR EACCES");
	/* Asking for none: nothing is held any more. */
	ck_assert_str_eq(CTL(agent, "hold"), "DEBUG OK");
	commit(dom0, "/pool/n", "1");
	ck_assert_str_eq(hpeer_text(dom0), "TRANSACTION_END OK");
}
END_TEST

START_TEST(bounded_wait)
{
	hold_set_wait(50);
	commit(dom0, "/pool/n", "1");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	usleep(150 * 1000);
	harness_flush();
	/* Never OK without etcd's word: its fate is not known yet. */
	ck_assert_str_eq(hpeer_text(dom0), "ERROR EIO");
	/* The group stays, for the agent to publish; late verdicts are moot. */
	ck_assert_str_eq(head(1), "1 - 2");
	ck_assert_str_eq(CTL(agent, "verdict", "1", "lost"), "DEBUG OK");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
}
END_TEST

START_TEST(agent_gone)
{
	struct hpeer *next;

	commit(dom0, "/pool/n", "1");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	hpeer_free(agent);
	agent = NULL;
	harness_flush();
	ck_assert_str_eq(hpeer_text(dom0), "ERROR EIO");
	/* No agent: nothing is held. */
	commit(dom0, "/pool/n", "2");
	ck_assert_str_eq(hpeer_text(dom0), "TRANSACTION_END OK");
	/* A new agent must ask again. */
	next = hpeer_new(0, true);
	ck_assert_str_eq(CTL(next, "register", "/pool", "/vm"), "DEBUG 1 2");
	commit(dom0, "/pool/n", "3");
	ck_assert_str_eq(hpeer_text(dom0), "TRANSACTION_END OK");
	ck_assert_str_eq(CTL(next, "hold", "/pool"), "DEBUG OK");
	commit(dom0, "/pool/n", "4");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	hpeer_free(next);
	harness_flush();
	ck_assert_str_eq(hpeer_text(dom0), "ERROR EIO");
}
END_TEST

/* A fenced agent's "lost" covers every group it will not publish. */
START_TEST(verdict_range)
{
	struct hpeer *other = hpeer_new(0, true);

	commit(dom0, "/pool/n", "1");
	commit(other, "/pool/m", "1");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	ck_assert_uint_eq(hpeer_pending(other), 0);
	ck_assert_str_eq(CTL(agent, "verdict", "2", "1", "lost"),
			 "ERROR EINVAL");
	ck_assert_str_eq(CTL(agent, "verdict", "1", "2", "lost"), "DEBUG OK");
	ck_assert_str_eq(hpeer_text(dom0), "ERROR EAGAIN");
	ck_assert_str_eq(hpeer_text(other), "ERROR EAGAIN");
	hpeer_free(other);
}
END_TEST

/*
 * What a live update waits for (lu.c): the held commit's age, the agent
 * whose transactions must not wait behind it; with -F, EIO for each.
 */
START_TEST(give_up)
{
	commit(dom0, "/pool/n", "1");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
	ck_assert_int_ne(hold_since(hpeer_conn(dom0)), 0);
	ck_assert_int_eq(hold_since(hpeer_conn(agent)), 0);
	ck_assert(hold_for(hpeer_conn(agent)));
	ck_assert(!hold_for(hpeer_conn(dom0)));
	hold_give_up("test");
	harness_flush();
	ck_assert_str_eq(hpeer_text(dom0), "ERROR EIO");
	ck_assert_int_eq(hold_since(hpeer_conn(dom0)), 0);
	ck_assert(!hold_for(hpeer_conn(agent)));
	/* A late verdict is moot. */
	ck_assert_str_eq(CTL(agent, "verdict", "1", "ok"), "DEBUG OK");
	ck_assert_uint_eq(hpeer_pending(dom0), 0);
}
END_TEST

/* The client going while held: nothing is left behind (leak fixture). */
START_TEST(client_gone)
{
	struct hpeer *c = hpeer_new(0, true);

	commit(c, "/pool/n", "1");
	ck_assert_uint_eq(hpeer_pending(c), 0);
	hpeer_free(c);
	harness_flush();
	ck_assert_str_eq(CTL(agent, "verdict", "1", "ok"), "DEBUG OK");
	ck_assert_str_eq(head(1), "1 - 2");
	ck_assert(harness_check());
}
END_TEST

Suite *
hold_suite(void)
{
	Suite *s = suite_create("hold");

	harness_add(s, "verdict_ok", verdict_ok, setup, teardown);
	harness_add(s, "verdict_lost", verdict_lost, setup, teardown);
	harness_add(s, "not_held", not_held, setup, teardown);
	harness_add(s, "bounded_wait", bounded_wait, setup, teardown);
	harness_add(s, "agent_gone", agent_gone, setup, teardown);
	harness_add(s, "verdict_range", verdict_range, setup, teardown);
	harness_add(s, "client_gone", client_gone, setup, teardown);
	harness_add(s, "give_up", give_up, setup, teardown);
	return s;
}
