/* SPDX-License-Identifier: MIT */
/*
 * libxs_test: Debian's libxenstore (Xen 4.17) against a running daemon,
 * named by XENSTORED_PATH.  It owns the checks of the library-level
 * contract that Xen's own clients (xl, libxl, qemu) rely on: node
 * operations and their errno values, permissions, transactions with the
 * EAGAIN retry loop, and watches through xs_fileno/xs_read_watch.  It must
 * pass against Xen's cxenstored (make check-interop) and against ours
 * (tests/integration/interop_libxs.sh); it never includes the project's
 * own client headers.
 *
 * Every check prints "ok N - what" or "not ok N - what: detail" and the
 * exit status is the number of failures (capped at 100).  Everything lives
 * under /libxs-test, removed first and at the end.  Waiting for an event
 * uses poll() with a long timeout as a hang guard only: an event that
 * should come always comes at once, and one that must not come is proved
 * absent by a later sentinel event on the same connection, since a
 * connection's messages are delivered in order.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#define TOP "/libxs-test"
#define HANG_GUARD_MS 10000

static int checks, failures;

static void
report(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (ok) {
		printf("ok %d - %s\n", checks, what);
		return;
	}
	failures++;
	printf("not ok %d - %s: ", checks, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* A call that must succeed (ok true) or fail with errno want. */
static void
expect(bool ok, int want, const char *what)
{
	if (want == 0)
		report(ok, what, "failed: %s", strerror(errno));
	else
		report(!ok && errno == want, what, "%s (errno %s), wanted %s",
		       ok ? "succeeded" : "failed", ok ? "-" : strerror(errno),
		       strerror(want));
}

/* The value of path as a C string (NULL if unreadable), freed by caller. */
static char *
get(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	unsigned int len;

	return xs_read(h, t, path, &len);
}

static void
expect_value(struct xs_handle *h, xs_transaction_t t, const char *path,
	     const char *want, const char *what)
{
	char *v = get(h, t, path);

	if (want == NULL)
		report(v == NULL && errno == ENOENT, what, "read gave %s",
		       v ? v : strerror(errno));
	else
		report(v && strcmp(v, want) == 0, what, "read gave %s",
		       v ? v : strerror(errno));
	free(v);
}

static bool
put(struct xs_handle *h, xs_transaction_t t, const char *path,
    const char *value)
{
	return xs_write(h, t, path, value, strlen(value));
}

/* The children of path joined by spaces, or "ERR <errno name>". */
static char *
listing(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	static char buf[8192];
	unsigned int n, i;
	char **names = xs_directory(h, t, path, &n);
	size_t len = 0;

	if (names == NULL) {
		snprintf(buf, sizeof(buf), "ERR %s", strerror(errno));
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf) - 1; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? " " : "", names[i]);
	free(names);
	return buf;
}

static void
test_nodes(struct xs_handle *h)
{
	static const char bin[] = {'a', '\0', 'b', '\377', '\n'};
	unsigned int len;
	char *v;

	expect(xs_mkdir(h, XBT_NULL, TOP "/n/dir"), 0, "mkdir");
	expect_value(h, XBT_NULL, TOP "/n/dir", "",
		     "mkdir makes an empty node");
	expect(xs_mkdir(h, XBT_NULL, TOP "/n/dir"), 0,
	       "mkdir of an existing node");
	expect(put(h, XBT_NULL, TOP "/n/dir/z", "1") &&
		       put(h, XBT_NULL, TOP "/n/dir/a", "2") &&
		       put(h, XBT_NULL, TOP "/n/dir/m", "3"),
	       0, "write");
	report(strcmp(listing(h, XBT_NULL, TOP "/n/dir"), "z a m") == 0,
	       "directory lists children in creation order", "got %s",
	       listing(h, XBT_NULL, TOP "/n/dir"));
	report(strcmp(listing(h, XBT_NULL, TOP "/n/dir/z"), "") == 0,
	       "directory of a leaf is empty", "got %s",
	       listing(h, XBT_NULL, TOP "/n/dir/z"));
	report(strcmp(listing(h, XBT_NULL, TOP "/n/none"),
		      "ERR No such file or directory") == 0,
	       "directory of a missing node: ENOENT", "got %s",
	       listing(h, XBT_NULL, TOP "/n/none"));

	expect(xs_write(h, XBT_NULL, TOP "/n/bin", bin, sizeof(bin)), 0,
	       "write binary value");
	v = xs_read(h, XBT_NULL, TOP "/n/bin", &len);
	report(v && len == sizeof(bin) && memcmp(v, bin, len) == 0 &&
		       v[len] == '\0',
	       "read returns the bytes and a terminating NUL", "len %u", len);
	free(v);
	expect(xs_write(h, XBT_NULL, TOP "/n/empty", "", 0), 0,
	       "write empty value");
	v = xs_read(h, XBT_NULL, TOP "/n/empty", &len);
	report(v && len == 0, "read of an empty value", "len %u", len);
	free(v);
	expect(xs_write(h, XBT_NULL, TOP "/n/deep/er/node", "x", 1), 0,
	       "write creates missing parents");
	expect_value(h, XBT_NULL, TOP "/n/deep/er", "",
		     "created parents are empty");

	expect_value(h, XBT_NULL, TOP "/n/none", NULL,
		     "read of a missing node: ENOENT");
	v = get(h, XBT_NULL, TOP "/n//x");
	report(v == NULL && errno == EINVAL, "read of a bad path: EINVAL", "%s",
	       strerror(errno));
	free(v);
	v = get(h, XBT_NULL, "@introduceDomain");
	report(v == NULL && errno == EINVAL, "read of a special path: EINVAL",
	       "%s", strerror(errno));
	free(v);
	expect(put(h, XBT_NULL, TOP "/n/bad.char", "x"), EINVAL,
	       "write of a bad path: EINVAL");
	expect(put(h, XBT_NULL, TOP "/n/trailing/", "x"), EINVAL,
	       "write of a path ending in /: EINVAL");

	expect(put(h, XBT_NULL, "libxs-rel/x", "rel"), 0,
	       "write a relative path");
	expect_value(h, XBT_NULL, "/local/domain/0/libxs-rel/x", "rel",
		     "relative paths are under /local/domain/0");
	expect(xs_rm(h, XBT_NULL, "libxs-rel"), 0, "rm a relative path");

	expect(xs_rm(h, XBT_NULL, TOP "/n/deep"), 0, "rm a subtree");
	expect_value(h, XBT_NULL, TOP "/n/deep/er/node", NULL,
		     "rm removes the whole subtree");
	expect(xs_rm(h, XBT_NULL, TOP "/n/deep"), 0,
	       "rm of a missing node whose parent exists");
	expect(xs_rm(h, XBT_NULL, TOP "/n/deep/er"), ENOENT,
	       "rm of a node whose parent is missing: ENOENT");
	expect(xs_rm(h, XBT_NULL, "/"), EINVAL, "rm of /: EINVAL");
}

static bool
perms_are(struct xs_handle *h, const char *path, const char *want)
{
	struct xs_permissions *p;
	unsigned int n, i;
	char buf[256], one[32];
	bool ok;

	p = xs_get_permissions(h, XBT_NULL, path, &n);
	if (p == NULL) {
		report(false, want, "get_permissions: %s", strerror(errno));
		return false;
	}
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(one, sizeof(one), "%c%u", "nrwb"[p[i].perms & 3],
			 p[i].id);
		strncat(buf, one, sizeof(buf) - strlen(buf) - 2);
		strcat(buf, " ");
	}
	free(p);
	ok = strncmp(buf, want, strlen(want)) == 0 &&
	     strlen(buf) == strlen(want) + 1;
	if (!ok)
		printf("# %s: permissions are \"%s\"\n", path, buf);
	return ok;
}

static void
test_perms(struct xs_handle *h)
{
	struct xs_permissions p[3] = {
		{.id = 0, .perms = XS_PERM_NONE},
		{.id = 3, .perms = XS_PERM_READ},
		{.id = 5, .perms = XS_PERM_READ | XS_PERM_WRITE},
	};
	struct xs_permissions owner = {.id = 4, .perms = XS_PERM_READ};
	struct xs_permissions *got;
	unsigned int n;

	put(h, XBT_NULL, TOP "/p/node", "v");
	report(perms_are(h, TOP "/p/node", "n0"), "default permissions: n0",
	       "see above");
	expect(xs_set_permissions(h, XBT_NULL, TOP "/p/node", p, 3), 0,
	       "set_permissions");
	report(perms_are(h, TOP "/p/node", "n0 r3 b5"),
	       "get_permissions returns what was set", "see above");
	got = xs_get_permissions(h, XBT_NULL, TOP "/p/node", &n);
	report(got && n == 3 && got[1].id == 3 &&
		       got[1].perms == XS_PERM_READ &&
		       got[2].perms == (XS_PERM_READ | XS_PERM_WRITE),
	       "get_permissions as structures", "n %u", n);
	free(got);
	put(h, XBT_NULL, TOP "/p/node/child/grand", "v");
	report(perms_are(h, TOP "/p/node/child", "n0 r3 b5"),
	       "new nodes inherit the parent's list", "see above");
	expect(xs_set_permissions(h, XBT_NULL, TOP "/p/node", &owner, 1), 0,
	       "set_permissions with another owner");
	report(perms_are(h, TOP "/p/node", "r4"), "owner changed", "see above");
	expect_value(
		h, XBT_NULL, TOP "/p/node", "v",
		"the privileged client still reads a node it does not own");
	owner.id = 0x7ff0;
	expect(xs_set_permissions(h, XBT_NULL, TOP "/p/node", &owner, 1),
	       ENOENT, "owner DOMID_SELF does not exist: ENOENT");
	owner.id = 0x7ff5;
	expect(xs_set_permissions(h, XBT_NULL, TOP "/p/node", &owner, 1),
	       ENOENT, "owner DOMID_ANY does not exist: ENOENT");
	expect(xs_set_permissions(h, XBT_NULL, TOP "/p/none", p, 1), ENOENT,
	       "set_permissions of a missing node: ENOENT");
	expect(xs_get_permissions(h, XBT_NULL, TOP "/p/none", &n) != NULL,
	       ENOENT, "get_permissions of a missing node: ENOENT");
	expect(xs_set_permissions(h, XBT_NULL, TOP "/p//x", p, 1), EINVAL,
	       "set_permissions of a bad path: EINVAL");
	/*
	 * Special nodes take SET_PERMS; GET_PERMS of them is EINVAL in Xen
	 * 4.17 and answered by newer Xen and by us (docs/differences.md).
	 */
	expect(xs_set_permissions(h, XBT_NULL, "@releaseDomain", p, 2), 0,
	       "set_permissions of a special node");
	expect(xs_set_permissions(h, XBT_NULL, "@releaseDomain", p, 1), 0,
	       "reset a special node");
}

/* One read-modify-write of a counter in a transaction, retried on EAGAIN;
 * before the first commit another connection changes the counter. */
static void
test_retry(struct xs_handle *h, struct xs_handle *other)
{
	xs_transaction_t t;
	int attempts = 0;
	char *v, buf[16];
	bool done;

	put(h, XBT_NULL, TOP "/t/counter", "10");
	do {
		attempts++;
		t = xs_transaction_start(h);
		if (t == XBT_NULL)
			break;
		v = get(h, t, TOP "/t/counter");
		snprintf(buf, sizeof(buf), "%d", v ? atoi(v) + 1 : -1);
		free(v);
		if (attempts == 1)
			put(other, XBT_NULL, TOP "/t/counter", "20");
		put(h, t, TOP "/t/counter", buf);
		done = xs_transaction_end(h, t, false);
	} while (!done && errno == EAGAIN && attempts < 10);
	report(done && attempts == 2,
	       "conflicting commit fails with EAGAIN, the retry commits",
	       "attempts %d, %s", attempts, done ? "done" : strerror(errno));
	expect_value(h, XBT_NULL, TOP "/t/counter", "21",
		     "the retry saw the other connection's write");
}

static void
test_transactions(struct xs_handle *h, struct xs_handle *other)
{
	xs_transaction_t t, t2;

	put(h, XBT_NULL, TOP "/t/a", "old");
	put(h, XBT_NULL, TOP "/t/b", "old");

	t = xs_transaction_start(h);
	report(t != XBT_NULL, "transaction_start", "%s", strerror(errno));
	expect(put(h, t, TOP "/t/a", "new") && put(h, t, TOP "/t/new/x", "1"),
	       0, "writes in a transaction");
	expect_value(h, t, TOP "/t/a", "new",
		     "the transaction reads its write");
	expect_value(h, XBT_NULL, TOP "/t/a", "old",
		     "outside, the write is not visible before commit");
	expect_value(other, XBT_NULL, TOP "/t/new/x", NULL,
		     "another connection does not see created nodes");
	expect(xs_rm(h, t, TOP "/t/b"), 0, "rm in a transaction");
	expect_value(h, t, TOP "/t/b", NULL, "the transaction sees its rm");
	expect_value(h, XBT_NULL, TOP "/t/b", "old",
		     "outside, b is still there");
	expect(xs_transaction_end(h, t, false), 0, "commit");
	expect_value(other, XBT_NULL, TOP "/t/a", "new",
		     "committed write visible");
	expect_value(other, XBT_NULL, TOP "/t/new/x", "1",
		     "committed creation visible");
	expect_value(other, XBT_NULL, TOP "/t/b", NULL, "committed rm visible");
	expect(xs_transaction_end(h, t, false), ENOENT,
	       "ending a finished transaction: ENOENT");
	expect(put(h, t, TOP "/t/a", "late"), ENOENT,
	       "using a finished transaction: ENOENT");

	t = xs_transaction_start(h);
	put(h, t, TOP "/t/a", "aborted");
	expect(xs_transaction_end(h, t, true), 0, "abort");
	expect_value(h, XBT_NULL, TOP "/t/a", "new",
		     "an abort changes nothing");

	/* A node read in a transaction and changed outside: conflict. */
	t = xs_transaction_start(h);
	free(get(h, t, TOP "/t/a"));
	put(other, XBT_NULL, TOP "/t/a", "outside");
	put(h, t, TOP "/t/c", "1");
	expect(xs_transaction_end(h, t, false), EAGAIN,
	       "read node changed outside: commit fails with EAGAIN");
	expect_value(h, XBT_NULL, TOP "/t/c", NULL,
		     "a failed commit changes nothing");

	/* A node read in a transaction and removed outside: conflict. */
	t = xs_transaction_start(h);
	free(get(h, t, TOP "/t/a"));
	xs_rm(other, XBT_NULL, TOP "/t/a");
	put(h, t, TOP "/t/c", "1");
	expect(xs_transaction_end(h, t, false), EAGAIN,
	       "read node removed outside: commit fails with EAGAIN");

	/* Two transactions on existing, unrelated nodes both commit. */
	put(h, XBT_NULL, TOP "/t/x", "0");
	put(h, XBT_NULL, TOP "/t/y", "0");
	t = xs_transaction_start(h);
	t2 = xs_transaction_start(other);
	free(get(h, t, TOP "/t/x"));
	free(get(other, t2, TOP "/t/y"));
	put(h, t, TOP "/t/x", "1");
	put(other, t2, TOP "/t/y", "1");
	expect(xs_transaction_end(h, t, false), 0, "disjoint transaction 1");
	expect(xs_transaction_end(other, t2, false), 0,
	       "disjoint transaction 2");

	/* Concurrent transactions on one handle are independent. */
	t = xs_transaction_start(h);
	t2 = xs_transaction_start(h);
	report(t != XBT_NULL && t2 != XBT_NULL && t != t2,
	       "two open transactions on one connection", "ids %u %u", t, t2);
	put(h, t, TOP "/t/x", "t1");
	expect_value(h, t2, TOP "/t/x", "1", "transactions are isolated");
	expect(xs_transaction_end(h, t2, true), 0, "abort the second");
	expect(xs_transaction_end(h, t, false), 0, "commit the first");
	expect_value(h, XBT_NULL, TOP "/t/x", "t1", "first one's write");

	test_retry(h, other);
}

/* The next event on h, waiting at most the hang guard; NULL if none. */
static char **
next_event(struct xs_handle *h)
{
	struct pollfd pfd = {.fd = xs_fileno(h), .events = POLLIN};
	char **ev;

	for (;;) {
		ev = xs_check_watch(h);
		if (ev != NULL || errno != EAGAIN)
			return ev;
		if (poll(&pfd, 1, HANG_GUARD_MS) <= 0)
			return NULL;
	}
}

static void
expect_event(struct xs_handle *h, const char *path, const char *token,
	     const char *what)
{
	char **ev = next_event(h);

	report(ev && strcmp(ev[XS_WATCH_PATH], path) == 0 &&
		       strcmp(ev[XS_WATCH_TOKEN], token) == 0,
	       what, "got %s %s, wanted %s %s", ev ? ev[XS_WATCH_PATH] : "none",
	       ev ? ev[XS_WATCH_TOKEN] : "-", path, token);
	free(ev);
}

/* Two events on path with tokens a and b, in either order: the order of
 * the watches of one connection is not part of the protocol. */
static void
expect_events2(struct xs_handle *h, const char *path, const char *a,
	       const char *b, const char *what)
{
	char **e1 = next_event(h), **e2 = e1 ? next_event(h) : NULL;
	bool ok = e1 && e2 && strcmp(e1[XS_WATCH_PATH], path) == 0 &&
		  strcmp(e2[XS_WATCH_PATH], path) == 0 &&
		  ((strcmp(e1[XS_WATCH_TOKEN], a) == 0 &&
		    strcmp(e2[XS_WATCH_TOKEN], b) == 0) ||
		   (strcmp(e1[XS_WATCH_TOKEN], b) == 0 &&
		    strcmp(e2[XS_WATCH_TOKEN], a) == 0));

	report(ok, what, "got %s %s, %s %s", e1 ? e1[XS_WATCH_PATH] : "none",
	       e1 ? e1[XS_WATCH_TOKEN] : "-", e2 ? e2[XS_WATCH_PATH] : "none",
	       e2 ? e2[XS_WATCH_TOKEN] : "-");
	free(e1);
	free(e2);
}

/* No event is pending on h: after a round trip, nothing is queued. */
static void
expect_quiet(struct xs_handle *h, const char *what)
{
	char **ev;

	free(get(h, XBT_NULL, "/"));
	ev = xs_check_watch(h);
	report(ev == NULL && errno == EAGAIN, what, "got %s %s",
	       ev ? ev[XS_WATCH_PATH] : strerror(errno),
	       ev ? ev[XS_WATCH_TOKEN] : "");
	free(ev);
}

static void
test_watches(struct xs_handle *h, struct xs_handle *other)
{
	struct xs_permissions p = {.id = 0, .perms = XS_PERM_READ};
	xs_transaction_t t;

	report(xs_fileno(h) >= 0, "xs_fileno", "%s", strerror(errno));
	put(h, XBT_NULL, TOP "/w/a", "1");
	expect(xs_watch(h, TOP "/w", "tok"), 0, "watch");
	expect_event(h, TOP "/w", "tok", "watch fires once at once");
	expect_quiet(h, "and only once");
	expect(xs_watch(h, TOP "/w", "tok"), EEXIST,
	       "same path and token again: EEXIST");
	expect(xs_watch(h, TOP "/w", "tok2"), 0, "same path, another token");
	expect_event(h, TOP "/w", "tok2", "initial event of the second");

	put(other, XBT_NULL, TOP "/w/a", "2");
	expect_events2(h, TOP "/w/a", "tok", "tok2",
		       "a write below fires both watches");
	expect(xs_unwatch(h, TOP "/w", "tok2"), 0, "unwatch");
	expect(xs_unwatch(h, TOP "/w", "tok2"), ENOENT,
	       "unwatch of an unknown watch: ENOENT");

	put(other, XBT_NULL, TOP "/w/b/c", "1");
	expect_event(h, TOP "/w/b/c", "tok", "creating a subtree fires once");
	expect_quiet(h, "no event for implicitly created parents");
	put(other, XBT_NULL, TOP "/unrelated", "1");
	expect_quiet(h, "no event for a write elsewhere");

	expect(xs_watch(h, TOP "/w/b/c", "exact"), 0, "watch a leaf");
	expect_event(h, TOP "/w/b/c", "exact", "its initial event");
	xs_rm(other, XBT_NULL, TOP "/w/b");
	expect_event(h, TOP "/w/b/c", "exact",
		     "rm of an ancestor fires the removed node's watch");
	expect_event(h, TOP "/w/b", "tok",
		     "and the watch above the removed node");
	xs_unwatch(h, TOP "/w/b/c", "exact");

	xs_set_permissions(other, XBT_NULL, TOP "/w/a", &p, 1);
	expect_event(h, TOP "/w/a", "tok", "set_permissions fires");

	t = xs_transaction_start(other);
	put(other, t, TOP "/w/a", "3");
	expect_quiet(h, "no event before the commit");
	xs_transaction_end(other, t, false);
	expect_event(h, TOP "/w/a", "tok", "the commit fires");
	t = xs_transaction_start(other);
	put(other, t, TOP "/w/a", "4");
	xs_transaction_end(other, t, true);
	expect_quiet(h, "an abort fires nothing");

	expect(xs_watch(h, "libxs-rel", "rel"), 0, "watch a relative path");
	expect_event(h, "libxs-rel", "rel", "initial event is relative");
	put(other, XBT_NULL, "/local/domain/0/libxs-rel/x", "1");
	expect_event(h, "libxs-rel/x", "rel", "events are relative too");
	xs_unwatch(h, "libxs-rel", "rel");
	xs_rm(h, XBT_NULL, "libxs-rel");

	expect(xs_watch(h, "@introduceDomain", "intro"), 0,
	       "watch @introduceDomain");
	expect_event(h, "@introduceDomain", "intro", "its initial event");
	xs_unwatch(h, "@introduceDomain", "intro");
	expect(xs_watch(h, TOP "/bad//path", "t"), EINVAL,
	       "watch of a bad path: EINVAL");
	expect(xs_unwatch(h, TOP "/w", "tok"), 0, "unwatch the last");
	put(other, XBT_NULL, TOP "/w/a", "5");
	expect_quiet(h, "no events after unwatch");
}

static void
test_domains(struct xs_handle *h)
{
	char *p = xs_get_domain_path(h, 7);

	report(p && strcmp(p, "/local/domain/7") == 0, "get_domain_path",
	       "got %s", p ? p : strerror(errno));
	free(p);
	report(xs_is_domain_introduced(h, 0), "dom0 is introduced", "%s",
	       strerror(errno));
	report(!xs_is_domain_introduced(h, 7), "dom7 is not introduced", "-");
}

/* Enough children that DIRECTORY gives E2BIG and the library falls back
 * to DIRECTORY_PART. */
static void
test_big_directory(struct xs_handle *h)
{
	char path[128];
	unsigned int n, i;
	char **names;
	bool ok = true;
	xs_transaction_t t = xs_transaction_start(h);

	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path),
			 TOP "/big/a-long-child-name-to-fill-the-reply-%03u",
			 i);
		ok = ok && put(h, t, path, "");
	}
	ok = xs_transaction_end(h, t, false) && ok;
	report(ok, "create 300 children", "%s", strerror(errno));
	names = xs_directory(h, XBT_NULL, TOP "/big", &n);
	ok = names && n == 300;
	for (i = 0; ok && i < n; i++) {
		snprintf(path, sizeof(path),
			 "a-long-child-name-to-fill-the-reply-%03u", i);
		ok = strcmp(names[i], path) == 0;
	}
	report(ok, "directory of 12 kB of names, in order", "got %u names",
	       names ? n : 0);
	free(names);
}

int
main(void)
{
	struct xs_handle *h = xs_open(0), *other = xs_open(0);

	if (h == NULL || other == NULL) {
		fprintf(stderr, "libxs_test: xs_open: %s\n", strerror(errno));
		return 100;
	}
	xs_rm(h, XBT_NULL, TOP);
	test_nodes(h);
	test_perms(h);
	test_transactions(h, other);
	test_watches(h, other);
	test_domains(h);
	test_big_directory(h);
	expect(xs_rm(h, XBT_NULL, TOP), 0, "clean up");
	xs_close(other);
	xs_close(h);
	printf("%d checks, %d failed\n", checks, failures);
	return failures > 100 ? 100 : failures;
}
