/* SPDX-License-Identifier: MIT */
/*
 * Bounded polls of the device code (wait.h).  A deadline on the
 * monotonic clock, so a slow poll does not stretch a timeout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wait.h"

#define POLL_MS 20

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

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void
wait_nap(void)
{
	struct timespec ts = {0, POLL_MS * 1000000L};

	nanosleep(&ts, NULL);
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

int
wait_initwait(struct xs_handle *xsh, const char *back, int ms)
{
	long end = now_ms() + ms;
	int state;

	for (;;) {
		state = wait_read_int(xsh, back, "state");
		if (state >= 2)
			return 0;
		if (state < 0 && !wait_exists(xsh, back)) {
			errno = ENOENT;
			return -1;
		}
		if (now_ms() >= end) {
			errno = ETIMEDOUT;
			return -1;
		}
		wait_nap();
	}
}

int
wait_hotplug(struct xs_handle *xsh, const char *back, int ms, char **status)
{
	long end = now_ms() + ms;
	char *v;

	for (;;) {
		v = wait_read(xsh, back, "hotplug-status");
		if (v != NULL && *v != '\0') {
			*status = v;
			return 0;
		}
		free(v);
		if (!wait_exists(xsh, back)) {
			errno = ENOENT;
			return -1;
		}
		if (now_ms() >= end) {
			errno = ETIMEDOUT;
			return -1;
		}
		wait_nap();
	}
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

int
wait_closed(struct xs_handle *xsh, const struct wait_close *w, bool *done,
	    unsigned n, int ms)
{
	long end = now_ms() + ms;
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
		if (now_ms() >= end) {
			errno = ETIMEDOUT;
			return -1;
		}
		wait_nap();
	}
}
