/* SPDX-License-Identifier: MIT */
/*
 * Bounded waits on xenstore nodes for the device code: the backend's
 * state, its hotplug-status, its closing.  Each re-reads what it waits
 * for whenever a watch on those directories fires (a watch fires once
 * when set, so nothing that happened before is missed), up to a
 * deadline: the toolstack needs "did it happen within N s".  Timeouts
 * are libxl's unless $XSIM_DEVICE_TIMEOUT_MS overrides them all.
 */
#ifndef WAIT_H
#define WAIT_H

#include <stdbool.h>

#include "xenstore.h"

#define WAIT_INIT_MS 10000    /* LIBXL_INIT_TIMEOUT */
#define WAIT_HOTPLUG_MS 40000 /* LIBXL_HOTPLUG_TIMEOUT */
#define WAIT_DESTROY_MS 10000 /* LIBXL_DESTROY_TIMEOUT */

/* ms, or $XSIM_DEVICE_TIMEOUT_MS when set. */
int wait_timeout(int ms);

/* "10 s", "0.3 s": a timeout for messages, into buf. */
const char *wait_secs(char *buf, unsigned len, int ms);

/* dir/key, malloc()ed, or NULL (errno). */
char *wait_read(struct xs_handle *xsh, const char *dir, const char *key);

/* The number in dir/key, or -1. */
int wait_read_int(struct xs_handle *xsh, const char *dir, const char *key);

/* True if path exists. */
bool wait_exists(struct xs_handle *xsh, const char *path);

/*
 * Wait until the backend dir back has state >= 2 (0), is gone (-1,
 * ENOENT) or ms passed (-1, ETIMEDOUT).
 */
int wait_initwait(struct xs_handle *xsh, const char *back, int ms);

/*
 * Wait until back/hotplug-status is not empty; *status gets it
 * (malloc()ed).  0, or -1 with ENOENT (backend gone) or ETIMEDOUT.
 */
int wait_hotplug(struct xs_handle *xsh, const char *back, int ms,
		 char **status);

/* What one device's removal waits for. */
struct wait_close {
	const char *back;
	const char *front; /* NULL: do not wait for the frontend */
};

/*
 * Wait until every device of w[n] is done closing, at most ms in all:
 * its backend directory gone, or its backend Closed (6) with no
 * hotplug-status (no hotplug daemon has a remove script to run); and
 * its frontend, when named, Closed or gone.  done[i] tells which are.
 * 0 if all are, -1 (ETIMEDOUT).
 */
int wait_closed(struct xs_handle *xsh, const struct wait_close *w, bool *done,
		unsigned n, int ms);

/* Now, in ms of the monotonic clock (for deadlines). */
long wait_now_ms(void);

/* Watch path (and below) for wait_nap(); wait_unwatch() ends it. */
void wait_watch(struct xs_handle *xsh, const char *path);
void wait_unwatch(struct xs_handle *xsh, const char *path);

/*
 * Sleep until a watched node changes or the deadline end (wait_now_ms()
 * time) passes, at most a quarter second (for nodes nobody watches).
 */
void wait_nap(struct xs_handle *xsh, long end);

#endif /* WAIT_H */
