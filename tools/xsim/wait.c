/* SPDX-License-Identifier: MIT */
/*
 * Bounded waits of the device code (wait.h).  A deadline on the
 * monotonic clock, so a slow step does not stretch a timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wait.h"

#define WAIT_TOKEN "xsim-wait"
/* The longest nap: a backstop for nodes outside the watched paths. */
#define NAP_MAX_MS 250

int
wait_timeout(int ms)
{
	const char *s = getenv("XSIM_DEVICE_TIMEOUT_MS");
	long v;

	if (s == NULL || *s == '\0')
		return ms;
	v = strtol(s, NULL, 10);
	return v > 0 && v < 3600000 ? (int)v : ms;
}

const char *
wait_secs(char *buf, unsigned len, int ms)
{
	snprintf(buf, len, "%g s", ms / 1000.0);
	return buf;
}

long
wait_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void
wait_watch(struct xs_handle *xsh, const char *path)
{
	/* Without the watch, naps end at NAP_MAX_MS: slower, still right. */
	if (path != NULL)
		xs_watch(xsh, path, WAIT_TOKEN);
}

void
wait_unwatch(struct xs_handle *xsh, const char *path)
{
	if (path != NULL)
		xs_unwatch(xsh, path, WAIT_TOKEN);
}

void
wait_nap(struct xs_handle *xsh, long end)
{
	long left = end - wait_now_ms();
	struct pollfd pfd = {.fd = xs_fileno(xsh), .events = POLLIN};
	char **ev;

	if (left <= 0)
		return;
	if (pfd.fd < 0 ||
	    poll(&pfd, 1, left < NAP_MAX_MS ? (int)left : NAP_MAX_MS) <= 0)
		return;
	while ((ev = xs_check_watch(xsh)) != NULL)
		free(ev);
}

char *
wait_read(struct xs_handle *xsh, const char *dir, const char *key)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_read(xsh, XBT_NULL, path, NULL);
}

int
wait_read_int(struct xs_handle *xsh, const char *dir, const char *key)
{
	char *v = wait_read(xsh, dir, key);
	int r = v != NULL && *v != '\0' ? atoi(v) : -1;

	free(v);
	return r;
}

bool
wait_exists(struct xs_handle *xsh, const char *path)
{
	unsigned n;
	char **ents = xs_directory(xsh, XBT_NULL, path, &n);

	free(ents);
	return ents != NULL;
}

/* What a wait on one backend looks for: true once it is there. */
typedef bool backend_seen(struct xs_handle *xsh, const char *back, char **out);

static bool
initwait_seen(struct xs_handle *xsh, const char *back, char **out)
{
	(void)out;
	return wait_read_int(xsh, back, "state") >= 2;
}

static bool
hotplug_seen(struct xs_handle *xsh, const char *back, char **out)
{
	char *v = wait_read(xsh, back, "hotplug-status");

	if (v != NULL && *v != '\0') {
		*out = v;
		return true;
	}
	free(v);
	return false;
}

/* Nap on a watch of back until seen() sees it, back goes, or ms pass. */
static int
backend_wait(struct xs_handle *xsh, const char *back, int ms,
	     backend_seen *seen, char **out)
{
	long end = wait_now_ms() + ms;
	int err = 0;

	wait_watch(xsh, back);
	while (!seen(xsh, back, out)) {
		if (!wait_exists(xsh, back))
			err = ENOENT;
		else if (wait_now_ms() >= end)
			err = ETIMEDOUT;
		if (err)
			break;
		wait_nap(xsh, end);
	}
	wait_unwatch(xsh, back);
	errno = err;
	return err ? -1 : 0;
}

int
wait_initwait(struct xs_handle *xsh, const char *back, int ms)
{
	return backend_wait(xsh, back, ms, initwait_seen, NULL);
}

int
wait_hotplug(struct xs_handle *xsh, const char *back, int ms, char **status)
{
	return backend_wait(xsh, back, ms, hotplug_seen, status);
}

/*
 * The backend is done: its directory is gone, or it is Closed and no
 * hotplug daemon took it (no hotplug-status).  One that did runs its
 * remove script and then deletes the directory (docs/hotplug.md), so
 * that is what to wait for: a device attached again at the same path
 * before that would meet the old one's removal.
 */
static bool
back_closed(struct xs_handle *xsh, const char *back)
{
	int state = wait_read_int(xsh, back, "state");
	char *hs;

	if (state < 0)
		return !wait_exists(xsh, back);
	if (state != 6)
		return false;
	hs = wait_read(xsh, back, "hotplug-status");
	free(hs);
	return hs == NULL;
}

/* A live frontend is done once Closed (its pages and channels freed). */
static bool
front_closed(struct xs_handle *xsh, const char *front)
{
	int state = wait_read_int(xsh, front, "state");

	return state == 6 || (state < 0 && !wait_exists(xsh, front));
}

static int
closed_loop(struct xs_handle *xsh, const struct wait_close *w, bool *done,
	    unsigned n, int ms)
{
	long end = wait_now_ms() + ms;
	unsigned i, left;

	for (;;) {
		for (i = 0, left = 0; i < n; i++) {
			if (!done[i])
				done[i] = back_closed(xsh, w[i].back) &&
					  (w[i].front == NULL ||
					   front_closed(xsh, w[i].front));
			left += !done[i];
		}
		if (left == 0)
			return 0;
		if (wait_now_ms() >= end) {
			errno = ETIMEDOUT;
			return -1;
		}
		wait_nap(xsh, end);
	}
}

int
wait_closed(struct xs_handle *xsh, const struct wait_close *w, bool *done,
	    unsigned n, int ms)
{
	unsigned i;
	int r, err;

	for (i = 0; i < n; i++) {
		wait_watch(xsh, w[i].back);
		if (w[i].front != NULL)
			wait_watch(xsh, w[i].front);
	}
	r = closed_loop(xsh, w, done, n, ms);
	err = errno;
	for (i = 0; i < n; i++) {
		wait_unwatch(xsh, w[i].back);
		if (w[i].front != NULL)
			wait_unwatch(xsh, w[i].front);
	}
	errno = err;
	return r;
}
