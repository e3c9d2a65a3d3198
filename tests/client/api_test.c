/* SPDX-License-Identifier: MIT */
/*
 * libxenstore against a real daemon (XENSTORED_PATH), through the public
 * header only: the calls of newer Xen (features, quotas, watch depth),
 * big directories (DIRECTORY_PART), the threading model (a thread blocked
 * in xs_read_watch while another makes requests; xs_fileno polling;
 * XS_UNWATCH_FILTER), transaction conflicts and xs_transaction_retry.
 * Prints one line per check and exits non-zero at the first failure.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xenstore.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: FAILED: %s (errno %d)\n",      \
				__FILE__, __LINE__, #cond, errno);             \
			exit(1);                                               \
		}                                                              \
	} while (0)

static void
check_basic(struct xs_handle *h)
{
	unsigned int len, num;
	char *v, **d;

	CHECK(xs_write(h, XBT_NULL, "/api/a", "1\0002", 3));
	v = xs_read(h, XBT_NULL, "/api/a", &len);
	CHECK(v != NULL && len == 3 && memcmp(v, "1\0002", 4) == 0);
	free(v);
	errno = 0;
	CHECK(xs_read(h, XBT_NULL, "/api/nope", &len) == NULL);
	CHECK(errno == ENOENT);
	CHECK(xs_mkdir(h, XBT_NULL, "/api/empty"));
	d = xs_directory(h, XBT_NULL, "/api/empty", &num);
	CHECK(d != NULL && num == 0);
	free(d);
	v = xs_get_domain_path(h, 7);
	CHECK(v != NULL && strcmp(v, "/local/domain/7") == 0);
	free(v);
	CHECK(xs_rm(h, XBT_NULL, "/api/empty"));
	CHECK(!xs_restrict(h, 1));
	puts("basic: ok");
}

/* More children than fit in one reply: the library pages through them. */
static void
check_big_directory(struct xs_handle *h)
{
	char path[64], **d;
	unsigned int num, i;
	xs_transaction_t t = xs_transaction_start(h);

	CHECK(t != XBT_NULL);
	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/api/big/child-%04u-padding", i);
		CHECK(xs_write(h, t, path, "", 0));
	}
	CHECK(xs_transaction_end(h, t, false));
	d = xs_directory(h, XBT_NULL, "/api/big", &num);
	CHECK(d != NULL && num == 300);
	for (i = 0; i < num; i++) {
		snprintf(path, sizeof(path), "child-%04u-padding", i);
		CHECK(strcmp(d[i], path) == 0);
	}
	free(d);
	puts("big directory: ok");
}

static void
check_perms(struct xs_handle *h)
{
	struct xs_permissions p[2] = {{0, XS_PERM_NONE}, {3, XS_PERM_READ}},
			      *got;
	unsigned int num;

	CHECK(xs_set_permissions(h, XBT_NULL, "/api/a", p, 2));
	got = xs_get_permissions(h, XBT_NULL, "/api/a", &num);
	CHECK(got != NULL && num == 2 && got[1].id == 3 &&
	      got[1].perms == XS_PERM_READ);
	free(got);
	p[0].perms = 0x40;
	errno = 0;
	CHECK(!xs_set_permissions(h, XBT_NULL, "/api/a", p, 1));
	CHECK(errno == EINVAL);
	puts("perms: ok");
}

static void
check_features_quota(struct xs_handle *h)
{
	unsigned int f, num, v;
	const char **names;

	CHECK(xs_get_features_supported(h, &f));
	names = xs_get_quota_names(h, &num);
	CHECK(names != NULL && num > 0);
	CHECK(xs_get_global_quota(h, names[0], &v));
	CHECK(xs_set_global_quota(h, names[0], v));
	free(names);
	errno = 0;
	CHECK(!xs_get_global_quota(h, "no-such-quota", &v));
	CHECK(errno == EINVAL);
	printf("features %u, quotas: ok\n", f & 4);
}

struct waiter {
	struct xs_handle *h;
	char path[64];
};

static void *
wait_event(void *arg)
{
	struct waiter *w = arg;
	unsigned int num;
	char **ev;

	for (;;) {
		ev = xs_read_watch(w->h, &num);
		if (ev == NULL)
			return NULL;
		if (strcmp(ev[XS_WATCH_TOKEN], "thr") == 0 &&
		    strcmp(ev[XS_WATCH_PATH], "/api/w/x") == 0) {
			snprintf(w->path, sizeof(w->path), "%s",
				 ev[XS_WATCH_PATH]);
			free(ev);
			return NULL;
		}
		free(ev);
	}
}

/* One thread blocks for an event while this one makes requests. */
static void
check_threads(void)
{
	struct xs_handle *h = xs_open(0);
	struct waiter w = {.h = h};
	pthread_t thr;
	char *v;

	CHECK(h != NULL);
	CHECK(xs_watch(h, "/api/w", "thr"));
	pthread_create(&thr, NULL, wait_event, &w);
	v = xs_read(h, XBT_NULL, "/api/a", NULL);
	CHECK(v != NULL);
	free(v);
	CHECK(xs_write(h, XBT_NULL, "/api/w/x", "1", 1));
	pthread_join(thr, NULL);
	CHECK(strcmp(w.path, "/api/w/x") == 0);
	xs_close(h);
	puts("threads: ok");
}

static void
check_poll_and_filter(void)
{
	struct xs_handle *h = xs_open(XS_UNWATCH_FILTER);
	struct pollfd pfd;
	char **ev;

	CHECK(h != NULL);
	pfd.fd = xs_fileno(h);
	pfd.events = POLLIN;
	CHECK(pfd.fd >= 0);
	CHECK(xs_watch(h, "/api/p", "tok"));
	/* The initial event makes the pipe readable. */
	CHECK(poll(&pfd, 1, -1) == 1);
	ev = xs_check_watch(h);
	CHECK(ev != NULL && strcmp(ev[XS_WATCH_PATH], "/api/p") == 0);
	free(ev);
	errno = 0;
	CHECK(xs_check_watch(h) == NULL && errno == EAGAIN);
	/* Queued events of a removed watch are dropped with the filter. */
	CHECK(xs_write(h, XBT_NULL, "/api/p/q", "1", 1));
	CHECK(xs_unwatch(h, "/api/p", "tok"));
	CHECK(xs_write(h, XBT_NULL, "/api/sync", "1", 1));
	errno = 0;
	CHECK(xs_check_watch(h) == NULL && errno == EAGAIN);
	CHECK(poll(&pfd, 1, 0) == 0);
	errno = 0;
	CHECK(!xs_unwatch(h, "/api/p", "tok") && errno == ENOENT);
	xs_close(h);
	puts("poll and unwatch filter: ok");
}

static void
check_depth(struct xs_handle *h)
{
	unsigned int f;
	bool ok;

	CHECK(xs_get_features_supported(h, &f));
	ok = xs_watch_depth(h, "/api/d", "d", 1);
	CHECK(ok == ((f & 4) != 0));
	if (!ok)
		CHECK(errno == ENOSYS);
	CHECK(xs_watch_try_depth(h, "/api/d2", "d2", 0));
	puts("watch depth: ok");
}

/* Increment /api/n; a second handle writes it in between, once. */
struct incr {
	struct xs_handle *other;
	int runs;
};

static bool
increment(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct incr *in = arg;
	char *v, buf[16];
	int n;

	v = xs_read(h, t, "/api/n", NULL);
	if (v == NULL)
		return false;
	n = atoi(v);
	free(v);
	if (in->runs++ == 0)
		CHECK(xs_write(in->other, XBT_NULL, "/api/n", "100", 3));
	snprintf(buf, sizeof(buf), "%d", n + 1);
	return xs_write(h, t, "/api/n", buf, (unsigned int)strlen(buf));
}

static bool
fail_enoent(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	(void)arg;
	return xs_read(h, t, "/api/none", NULL) != NULL;
}

static void
check_retry(struct xs_handle *h)
{
	struct incr in = {.other = xs_open(0)};
	char *v;

	CHECK(in.other != NULL);
	CHECK(xs_write(h, XBT_NULL, "/api/n", "1", 1));
	CHECK(xs_transaction_retry(h, increment, &in, 0));
	CHECK(in.runs == 2);
	v = xs_read(h, XBT_NULL, "/api/n", NULL);
	CHECK(v != NULL && strcmp(v, "101") == 0);
	free(v);
	errno = 0;
	CHECK(!xs_transaction_retry(h, fail_enoent, NULL, 3));
	CHECK(errno == ENOENT);
	xs_close(in.other);
	puts("transaction retry: ok");
}

/* Several threads share one handle whose reader thread is running. */
struct worker {
	struct xs_handle *h;
	int id;
};

static void *
hammer(void *arg)
{
	struct worker *w = arg;
	char path[64], val[32], *v;
	unsigned int len;
	int i;

	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/api/conc/%d", w->id);
		snprintf(val, sizeof(val), "%d-%d", w->id, i);
		CHECK(xs_write(w->h, XBT_NULL, path, val, strlen(val)));
		v = xs_read(w->h, XBT_NULL, path, &len);
		CHECK(v != NULL && strcmp(v, val) == 0);
		free(v);
	}
	return NULL;
}

static void
check_concurrency(void)
{
	struct xs_handle *h = xs_open(0);
	struct worker w[4];
	pthread_t thr[4];
	unsigned int num, events = 0;
	char **ev;
	int i;

	CHECK(h != NULL);
	CHECK(xs_watch(h, "/api/conc", "c"));
	for (i = 0; i < 4; i++) {
		w[i].h = h;
		w[i].id = i;
		pthread_create(&thr[i], NULL, hammer, &w[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(thr[i], NULL);
	/* Every write fired the watch: 1 initial event + 800. */
	CHECK(xs_write(h, XBT_NULL, "/api/conc/end", "", 0));
	for (;;) {
		ev = xs_read_watch(h, &num);
		CHECK(ev != NULL);
		events++;
		if (strcmp(ev[XS_WATCH_PATH], "/api/conc/end") == 0) {
			free(ev);
			break;
		}
		free(ev);
	}
	CHECK(events == 802);
	xs_close(h);
	puts("concurrency: ok");
}

/* After fork the child drops its copy; the parent goes on. */
static void
check_fork(struct xs_handle *h)
{
	int status;
	pid_t pid = fork();
	char *v;

	CHECK(pid >= 0);
	if (pid == 0) {
		xs_daemon_destroy_postfork(h);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	v = xs_read(h, XBT_NULL, "/api/a", NULL);
	CHECK(v != NULL);
	free(v);
	puts("fork: ok");
}

int
main(void)
{
	struct xs_handle *h = xs_open(0);

	CHECK(h != NULL);
	check_basic(h);
	check_big_directory(h);
	check_perms(h);
	check_features_quota(h);
	check_threads();
	check_poll_and_filter();
	check_depth(h);
	check_retry(h);
	check_concurrency();
	check_fork(h);
	CHECK(xs_rm(h, XBT_NULL, "/api"));
	xs_close(h);
	return 0;
}
