/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel's xenbus core: the one xenstore connection shared by
 * the script and the PV device drivers, the thread that reads its watch
 * events and routes them (the script's to the script, the drivers' to the
 * driver thread), and the helpers every driver uses to walk the xenbus
 * states (reference 11.4) and report errors.  Knows nothing about rings,
 * grants or channels: front.c and back.c do.
 *
 * Threads: the script runs on the main thread; the router owns reading
 * watch events; the driver thread runs every driver's event handler, one
 * event at a time, so a driver's tables need no locking.  Requests go
 * through libxenstore from any thread (it serialises them).  Neither side
 * waits for the other: a script blocked in `wait` does not hold up the
 * drivers, and a driver talking to the hypervisor does not hold up the
 * script's events.
 */
#ifndef XENBUS_H
#define XENBUS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct xs_handle;

/* Tokens of the drivers' watches start with this; scripts never see them. */
#define XENBUS_TOKEN_PREFIX "xenbus:"

/* XenbusState (reference 11.1), stored as decimal text in .../state. */
enum xenbus_state {
	XenbusStateUnknown = 0,
	XenbusStateInitialising = 1,
	XenbusStateInitWait = 2,
	XenbusStateInitialised = 3,
	XenbusStateConnected = 4,
	XenbusStateClosing = 5,
	XenbusStateClosed = 6,
};

/*
 * The simulated ring page's header, the "for real" proof of a shared page:
 * the frontend writes its magic and the queue number when it grants the
 * page, the backend checks them through its mapping and answers with its
 * own magic before it notifies the channel and goes Connected; the
 * frontend checks that answer before it goes Connected.
 */
#define XENBUS_RING_FRONT_MAGIC "xsimfe1"
#define XENBUS_RING_BACK_MAGIC "xsimbe1"
struct xenbus_ring_hdr {
	char front_magic[8];
	unsigned front_queue;
	unsigned front_ring; /* 0: vbd's ring or vif's tx, 1: vif's rx */
	char back_magic[8];
	unsigned back_queue;
	unsigned back_ring;
};

/* A driver: its token suffix and its event handler (driver thread). */
struct xenbus_driver {
	const char *name;
	void (*event)(const char *path);
	void (*stop)(void); /* release everything, after the threads ended */
};

/*
 * Start routing h's watch events; self is the domain we run as (our home
 * is /local/domain/<self>).  Call once, before any watch.  0, or -1 with
 * errno.
 */
int xenbus_start(struct xs_handle *h, unsigned self);

/*
 * Register drv (at most 4) and watch path for it; the event for the
 * watch's creation comes too, so a driver finds what exists already.
 * 0, or -1 with errno.
 */
int xenbus_add_driver(const struct xenbus_driver *drv);
int xenbus_watch(const struct xenbus_driver *drv, const char *path);
int xenbus_unwatch(const struct xenbus_driver *drv, const char *path);

/*
 * Stop the drivers: the driver thread (an event being handled finishes
 * first), then every driver's stop; their later events are dropped.  The
 * router goes on serving the script.  For a script that is about to
 * break its own ring, and at exit.  0, or -1 if the driver thread did
 * not finish within 2 s (stuck on a request that gets no reply): it is
 * left running, and the handle must not be closed.
 */
int xenbus_stop_drivers(void);

/*
 * Stop the router too, then the drivers as xenbus_stop_drivers() does
 * (same result).  Safe if never started.
 */
int xenbus_stop(void);

/*
 * The next event of the script's own watches, blocking; as
 * xs_read_watch(): one malloc()ed array, NULL with EBADF once the
 * connection is lost.
 */
char **xenbus_script_event(unsigned *num);

/* --- helpers for the drivers (driver thread) --- */

struct xs_handle *xenbus_xs(void);
unsigned xenbus_self(void);
/* "/local/domain/<self>". */
const char *xenbus_home(void);

/* path's value (malloc()ed), or NULL with errno (ENOENT...). */
char *xenbus_read(const char *path);
/* dir/key's value, or NULL with errno. */
char *xenbus_read_key(const char *dir, const char *key);
/* dir/key as an unsigned decimal: 0, or -1 with errno (EINVAL: not one). */
int xenbus_read_uint(const char *dir, const char *key, unsigned *val);
/* dir/state, XenbusStateUnknown if it cannot be read. */
int xenbus_read_state(const char *dir);
/* Whether path exists (an error other than ENOENT counts as yes). */
bool xenbus_exists(const char *path);

/* One key and value to write under a device directory. */
struct xenbus_kv {
	char key[64];
	char val[64];
};

/*
 * In one transaction retried on EAGAIN: if dir still exists, write each
 * dir/kv[i].key = kv[i].val.  0, or -1 with errno (ENOENT: dir is gone,
 * nothing written; a removed device is never recreated).
 */
int xenbus_write_keys(const char *dir, const struct xenbus_kv *kv, unsigned n);

/* Add a key to kv[*n]; formats the value. */
void xenbus_kv_add(struct xenbus_kv *kv, unsigned *n, const char *key,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Write dir/state = state if dir exists; 0, or -1 with errno (reported on
 * stderr unless ENOENT: the device is gone).
 */
int xenbus_switch_state(const char *dir, int state);

/*
 * Linux's xenbus_dev_fatal convention: write the message to
 * <home>/error/<nodename relative to home>/error and log it on stderr.
 */
void xenbus_dev_error(const char *nodename, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void xenbus_dev_verror(const char *nodename, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Remove the error report of nodename (a new device of the same name). */
void xenbus_clear_error(const char *nodename);

/*
 * Split path below prefix into at most max components (pointers into
 * buf, which must hold path).  Returns how many, or -1 if path is not
 * prefix or below it.
 */
int xenbus_split(const char *path, const char *prefix, char *buf, size_t size,
		 char **comp, int max);

#endif /* XENBUS_H */
