/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the change stream (stream.c, ops_stream.c) through the
 * in-process harness on a database in a temporary directory: what makes
 * one group, which changes are the agent's, pages of a large group,
 * numbering across restarts, a turn the store never got undone at open,
 * and trimming after acknowledgements.  Restarts run in child processes,
 * as the daemon's state is global.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "hcase.h"
#include "suites.h"

static char dir[64];
static char db[128];
static struct hpeer *dom0, *agent;

#define CTL(p, ...) HCALL(p, XS_CONTROL, 0, "stream", __VA_ARGS__)

static void
setup(void)
{
	strcpy(dir, "/tmp/check-stream.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/tdb", dir);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
open_db(void)
{
	ck_assert_int_eq(harness_init_db(db, 1), 0);
	dom0 = hpeer_new(0, true);
	agent = hpeer_new(0, true);
	ck_assert_ptr_nonnull(dom0);
	ck_assert_ptr_nonnull(agent);
}

static void
close_db(void)
{
	hpeer_free(dom0);
	hpeer_free(agent);
	harness_close_db();
}

/* Run fn in a child process (a daemon's life); it must exit 0. */
static void
in_child(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The whole of group seq, its pages joined, as text. */
static const char *
read_all(struct hpeer *p, unsigned long seq)
{
	static char all[65536];
	char s[24], i[24], o[24];
	const char *t, *more;
	size_t len = 0;

	snprintf(s, sizeof(s), "%lu", seq);
	t = CTL(p, "read", s);
	for (;;) {
		ck_assert_msg(strncmp(t, "DEBUG ", 6) == 0, "reply %s", t);
		t += 6;
		more = strstr(t, "> ");
		if (len)
			t = strchr(t, '\n') + 1; /* the header once */
		ck_assert(len + strlen(t) < sizeof(all));
		strcpy(all + len, t);
		len += more ? (size_t)(more - t) : strlen(t);
		all[len] = '\0';
		if (more == NULL)
			return all;
		ck_assert_int_eq(sscanf(more, "> %23s %23s", i, o), 2);
		t = CTL(p, "read", s, i, o);
	}
}

static void
reg(void)
{
	ck_assert_str_eq(CTL(agent, "register", "/pool", "/vm"), "DEBUG 0 0");
}

START_TEST(groups)
{
	uint32_t tx;

	open_db();
	/* Before anyone registers, nothing is kept. */
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/pool/early", "x"),
			 "WRITE OK");
	reg();
	/* One request, one group: the parents it made come first. */
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/pool/a/b", "1"),
			 "WRITE OK");
	/* Outside the prefixes: nothing.  /poolside is not /pool. */
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/local/x", "1"), "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, 0, "/poolside", "1"),
			 "WRITE OK");
	/* A transaction: one group for its commit, none before. */
	tx = hpeer_txn_start(dom0);
	ck_assert_uint_ne(tx, 0);
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, tx, "/pool/t1", "x"),
			 "WRITE OK");
	ck_assert_str_eq(HCALL(dom0, XS_WRITE, tx, "/vm/u/name", "g"),
			 "WRITE OK");
	ck_assert_str_eq(CTL(agent, "bounds"), "DEBUG 1 1");
	ck_assert_str_eq(HCALL(dom0, XS_TRANSACTION_END, tx, "T"),
			 "TRANSACTION_END OK");
	/* A removal is its top only: the subtree goes with it. */
	ck_assert_str_eq(HCALL(dom0, XS_RM, 0, "/pool/a"), "RM OK");
	/* The agent's own change is marked. */
	ck_assert_str_eq(HCALL(agent, XS_WRITE, 0, "/pool/t1", "y"),
			 "WRITE OK");
	ck_assert_str_eq(CTL(agent, "bounds"), "DEBUG 1 4");

	ck_assert_str_eq(read_all(agent, 1), "1 - 2\n"
					     "W /pool/a 0 0 0\n\n"
					     "W /pool/a/b 1 0 1\n1\n"
					     ".\n");
	ck_assert_str_eq(read_all(agent, 2), "2 - 4\n"
					     "W /vm 0 0 0\n\n"
					     "W /pool/t1 1 0 1\nx\n"
					     "W /vm/u 0 0 0\n\n"
					     "W /vm/u/name 1 0 1\ng\n"
					     ".\n");
	ck_assert_str_eq(read_all(agent, 3), "3 - 1\n"
					     "R /pool/a\n"
					     ".\n");
	ck_assert_str_eq(read_all(agent, 4), "4 a 1\n"
					     "W /pool/t1 1 0 1\ny\n"
					     ".\n");
	ck_assert_str_eq(CTL(agent, "read", "5"), "ERROR ENOENT");
	ck_assert_str_eq(CTL(agent, "read", "0"), "ERROR ENOSPC");
	ck_assert_str_eq(CTL(agent, "read", "x"), "ERROR EINVAL");
	/* One agent at a time; a guest may not ask at all. */
	ck_assert_str_eq(CTL(dom0, "register", "/pool"), "ERROR EBUSY");
	ck_assert_str_eq(CTL(agent, "register", "pool"), "ERROR EINVAL");
	close_db();
}
END_TEST

/* Large values and many changes come in pages and join up whole. */
START_TEST(pages)
{
	static char big[3001], expect[65536];
	char path[32], *e = expect;
	uint32_t tx;
	int i;

	open_db();
	reg();
	memset(big, 'v', sizeof(big) - 1);
	tx = hpeer_txn_start(dom0);
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "/pool/big%d", i);
		ck_assert_str_eq(HCALL(dom0, XS_WRITE, tx, path, big),
				 "WRITE OK");
	}
	ck_assert_str_eq(HCALL(dom0, XS_TRANSACTION_END, tx, "T"),
			 "TRANSACTION_END OK");
	/* /pool itself, made implicitly, then the six. */
	e += sprintf(e, "1 - 7\n/pool=\n");
	for (i = 0; i < 6; i++) {
		/* Pages split values: join the pieces to compare. */
		e += sprintf(e, "/pool/big%d=%s\n", i, big);
	}
	{
		const char *t = read_all(agent, 1);
		char got[65536], *g = got, p[64];
		unsigned vlen, off, n;
		const char *nl = strchr(t, '\n');

		g += sprintf(g, "%.*s", (int)(nl - t + 1), t);
		t = nl + 1;
		while (*t == 'W') {
			ck_assert_int_eq(sscanf(t, "W %63s %u %u %u", p, &vlen,
						&off, &n),
					 4);
			t = strchr(t, '\n') + 1;
			if (off == 0)
				g += sprintf(g, "%s=", p);
			memcpy(g, t, n);
			g += n;
			t += n + 1;
			if (off + n == vlen)
				*g++ = '\n';
		}
		*g = '\0';
		ck_assert_str_eq(t, ".\n");
		ck_assert_msg(strcmp(got, expect) == 0,
			      "pages joined differ: %.60s...", got);
	}
	close_db();
}
END_TEST

static void
life1(void)
{
	open_db();
	reg();
	HCALL(dom0, XS_WRITE, 0, "/pool/a", "1");
	HCALL(dom0, XS_WRITE, 0, "/pool/b", "2");
	close_db();
}

static void
life2(void)
{
	open_db();
	/* Registered before: kept while nobody was connected. */
	HCALL(dom0, XS_WRITE, 0, "/pool/c", "3");
	ck_assert_str_eq(CTL(agent, "register", "/pool", "/vm"), "DEBUG 1 3");
	ck_assert_str_eq(read_all(agent, 2), "2 - 1\nW /pool/b 1 0 1\n2\n.\n");
	ck_assert_str_eq(read_all(agent, 3), "3 - 1\nW /pool/c 1 0 1\n3\n.\n");
	close_db();
}

START_TEST(restart)
{
	in_child(life1);
	in_child(life2);
}
END_TEST

static void
save_db(void)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "cp %s %s.saved && cp %s.journal %s.journal.saved", db, db, db,
		 db);
	ck_assert_int_eq(system(cmd), 0);
}

static void
restore_db(void)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "mv %s.saved %s && mv %s.journal.saved %s.journal", db, db, db,
		 db);
	ck_assert_int_eq(system(cmd), 0);
}

static void
ahead(void)
{
	open_db();
	HCALL(dom0, XS_WRITE, 0, "/pool/b", "lost");
	close_db();
}

static void
after(void)
{
	open_db();
	/* Group 3 never reached the store: undone, its number reused. */
	ck_assert_str_eq(CTL(agent, "bounds"), "DEBUG 1 2");
	HCALL(dom0, XS_WRITE, 0, "/pool/d", "4");
	ck_assert_str_eq(CTL(agent, "bounds"), "DEBUG 1 3");
	ck_assert_str_eq(read_all(agent, 3), "3 - 1\nW /pool/d 1 0 1\n4\n.\n");
	close_db();
}

/* A turn in the stream that the database never got is cut at open. */
START_TEST(stream_ahead)
{
	in_child(life1);
	save_db();
	in_child(ahead);
	restore_db();
	in_child(after);
}
END_TEST

/* Acknowledged groups go, in batches; the last one always stays. */
START_TEST(trim)
{
	char v[16];
	int i;

	open_db();
	reg();
	for (i = 0; i < 300; i++) {
		snprintf(v, sizeof(v), "%d", i);
		HCALL(dom0, XS_WRITE, 0, "/pool/n", v);
	}
	ck_assert_str_eq(CTL(agent, "ack", "301"), "ERROR EINVAL");
	ck_assert_str_eq(CTL(agent, "ack", "100"), "DEBUG OK");
	ck_assert_str_eq(CTL(agent, "bounds"), "DEBUG 1 300");
	ck_assert_str_eq(CTL(agent, "ack", "300"), "DEBUG OK");
	ck_assert_str_eq(CTL(agent, "bounds"), "DEBUG 300 300");
	ck_assert_str_eq(CTL(agent, "read", "299"), "ERROR ENOSPC");
	ck_assert_str_eq(read_all(agent, 300),
			 "300 - 1\nW /pool/n 3 0 3\n299\n.\n");
	close_db();
}
END_TEST

Suite *
stream_suite(void)
{
	Suite *s = suite_create("stream");

	harness_add(s, "groups", groups, setup, teardown);
	harness_add(s, "pages", pages, setup, teardown);
	harness_add(s, "restart", restart, setup, teardown);
	harness_add(s, "stream_ahead", stream_ahead, setup, teardown);
	harness_add(s, "trim", trim, setup, teardown);
	return s;
}
