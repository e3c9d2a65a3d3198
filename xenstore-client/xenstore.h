/* SPDX-License-Identifier: MIT */
/*
 * The public API of libxenstore: talking to a xenstore daemon over a unix
 * socket (or, later, a shared ring) with the function names, types and
 * semantics of Xen's <xenstore.h>, so that programs written for Xen's
 * library build against this header and run with this library unchanged.
 * This header owns the declarations only; it must stay self-contained
 * (no other project header is installed).
 *
 * Contract of every call, stated once here:
 *
 * Errors.  A call that fails returns false, NULL, XBT_NULL or -1 and sets
 * errno.  A call that succeeds sets errno to 0 if it asked the daemon
 * something, and otherwise leaves it alone, as Xen's library does when
 * it reads its replies itself; programs read errno after a success
 * (test-xenstore).  Xen's leaves errno alone after a request answered
 * while its reader thread runs (after the first xs_watch()); ours sets
 * 0 there too.  Errors sent by the daemon arrive as the errno of the
 * same name (ENOENT, EACCES, EAGAIN...); a name this library does not
 * know becomes EINVAL.  A request whose payload would exceed 4096 bytes
 * fails with E2BIG before anything is sent.  When the connection is lost
 * (the daemon closed it, or sent something malformed) the handle is dead:
 * every later request fails with EBADF, watches are gone, and the handle
 * must be closed and opened again; the library never reconnects by
 * itself.
 *
 * Memory.  Every string or array returned is one malloc()ed block that
 * the caller releases with a single free(), including the strings an
 * array points to.  Arguments are never retained after a call returns.
 *
 * Threads.  A handle may be used from several threads: requests are
 * serialised, one at a time per handle.  Until the first xs_watch() the
 * requesting thread reads the replies itself; from then on a reader thread
 * owned by the handle (all signals blocked) reads the connection, queues
 * watch events and hands replies to the waiting requester, so one thread
 * can block in xs_read_watch() while others make requests.  xs_fileno()
 * is the read end of a pipe that is readable while events are queued
 * (and once the connection is lost, so that pollers notice).
 *
 * Transactions.  xs_transaction_end() failing with EAGAIN means another
 * change conflicted: the caller redoes the whole transaction.  The library
 * never retries by itself; xs_transaction_retry() (an extension of this
 * library, not in Xen's) runs that loop for callers who want it.
 *
 * Fork.  After fork() a handle is usable in the parent only; the child
 * may release its copy with xs_daemon_destroy_postfork().
 */
#ifndef XENSTORE_H
#define XENSTORE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XBT_NULL 0

/* Accepted and ignored, as in Xen. */
#define XS_OPEN_READONLY (1UL << 0)
#define XS_OPEN_SOCKETONLY (1UL << 1)

/*
 * With this flag, xs_unwatch() also drops events already queued for that
 * watch: those whose token matches and whose path is the watch path or
 * below it.  Callers must then not register a path and a subpath of it
 * with the same token at the same time.
 */
#define XS_UNWATCH_FILTER (1UL << 2)

/* Permission bits of struct xs_permissions.perms. */
#define XS_PERM_NONE 0x00
#define XS_PERM_READ 0x01
#define XS_PERM_WRITE 0x02
#define XS_PERM_ENOENT_OK 0x04 /* internal to daemons */
#define XS_PERM_OWNER 0x08     /* internal to daemons */
#define XS_PERM_IGNORE 0x10    /* internal to daemons */

/* One entry of a node's permission list; entry 0 is the owner. */
struct xs_permissions {
	unsigned int id;
	unsigned int perms;
};

/*
 * Indexes into the array xs_read_watch() returns.  Xen's xs_wire.h has
 * the same enum; include it before this header if you need both.
 */
#if !defined(XS_WIRE_H) && !defined(_XS_WIRE_H)
enum xs_watch_type { XS_WATCH_PATH = 0, XS_WATCH_TOKEN };
#endif

/* Longest decimal form of an integer type, with sign and NUL. */
#define MAX_STRLEN(x) ((sizeof(x) * CHAR_BIT + CHAR_BIT - 1) / 10 * 3 + 2)

struct xs_handle;
typedef uint32_t xs_transaction_t;

/*
 * Connect to the daemon: first the socket (XENSTORED_PATH, else
 * $XENSTORED_RUNDIR/socket, else /var/run/xenstored/socket), then the
 * xenbus device (XENSTORED_PATH, else /dev/xen/xenbus if it exists, else
 * /proc/xen/xenbus).  flags: XS_UNWATCH_FILTER; the others are ignored.
 * Returns a handle, or NULL with errno of the last attempt.
 */
struct xs_handle *xs_open(unsigned long flags);

/* Close the connection: stop the reader thread, free queued events. */
void xs_close(struct xs_handle *xsh /* NULL ok */);

/* Deprecated synonyms of xs_open(0) and xs_close(). */
struct xs_handle *xs_daemon_open(void);
struct xs_handle *xs_domain_open(void);
struct xs_handle *xs_daemon_open_readonly(void);
void xs_daemon_close(struct xs_handle *);

/*
 * In the child after fork(): free the handle and close its descriptors
 * without touching the parent's thread or locks.
 */
void xs_daemon_destroy_postfork(struct xs_handle *);

/*
 * The names of path's children, *num of them.  Large directories are
 * fetched in parts (DIRECTORY_PART) transparently.
 */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
		    unsigned int *num);

/*
 * The value of path, with a NUL added after it for convenience; *len
 * (if len is not NULL) is the length without that NUL.
 */
void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	      unsigned int *len);

/* Write len bytes of data as path's value, creating missing parents. */
bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
	      const void *data, unsigned int len);

/* Create path with an empty value; succeeds if it exists already. */
bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path);

/*
 * Remove path and everything below it.  The daemon succeeds when only
 * the last component is missing, and fails with ENOENT when its parent is.
 */
bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path);

/* Always false: XS_RESTRICT was removed from the protocol in Xen 4.9. */
bool xs_restrict(struct xs_handle *h, unsigned domid);

/* path's permission list, *num entries; entry 0 names the owner. */
struct xs_permissions *xs_get_permissions(struct xs_handle *h,
					  xs_transaction_t t, const char *path,
					  unsigned int *num);

/*
 * Replace path's permission list (the caller must own the node).  An
 * entry whose perms is not a combination of XS_PERM_READ and
 * XS_PERM_WRITE (XS_PERM_IGNORE aside) fails with EINVAL.
 */
bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
			const char *path, struct xs_permissions *perms,
			unsigned int num_perms);

/*
 * Watch path and everything below it; token comes back with each event.
 * The daemon sends one event at once.  Starts the reader thread.
 */
bool xs_watch(struct xs_handle *h, const char *path, const char *token);

/*
 * As xs_watch(), matching changes at most depth levels below path.
 * Fails with ENOSYS if the daemon lacks the watch-depth feature.
 */
bool xs_watch_depth(struct xs_handle *h, const char *path, const char *token,
		    unsigned int depth);

/*
 * xs_watch_depth() if the daemon supports it, else xs_watch() (events may
 * then come for deeper nodes).  Not for the special @ paths.
 */
bool xs_watch_try_depth(struct xs_handle *h, const char *path,
			const char *token, unsigned int depth);

/*
 * A descriptor that polls readable while events are queued.  After it
 * becomes readable, call xs_check_watch() until it fails with EAGAIN.
 * Returns -1 with errno if the pipe cannot be created.
 */
int xs_fileno(struct xs_handle *h);

/*
 * The next queued event without blocking: ret[XS_WATCH_PATH] and
 * ret[XS_WATCH_TOKEN], or NULL with EAGAIN if none is queued (EBADF if
 * none is queued and the connection is lost).
 */
char **xs_check_watch(struct xs_handle *h);

/*
 * The next event, blocking until one arrives; *num is the number of
 * strings (at least 2).  NULL with EBADF once the connection is lost and
 * no event is left.
 */
char **xs_read_watch(struct xs_handle *h, unsigned int *num);

/* Remove a watch (ENOENT if there is no such watch). */
bool xs_unwatch(struct xs_handle *h, const char *path, const char *token);

/* Start a transaction; XBT_NULL on failure. */
xs_transaction_t xs_transaction_start(struct xs_handle *h);

/*
 * Commit (abort false) or discard (abort true) transaction t.  False with
 * EAGAIN: a conflicting change won, redo the transaction from the start.
 */
bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);

/*
 * Extension of this library (not in Xen's): run fn(h, t, arg) inside a
 * new transaction and commit it, starting again from a new transaction
 * as long as the commit fails with EAGAIN, at most max_attempts times
 * (0: no limit).  fn returns true to commit, false to abort: then the
 * transaction is discarded and false is returned with fn's errno.  fn may
 * run several times, so its effects outside xenstore must be repeatable.
 * Returns true once a commit succeeded; false with errno otherwise (EAGAIN
 * when the attempts ran out).
 */
typedef bool xs_transaction_fn(struct xs_handle *h, xs_transaction_t t,
			       void *arg);
bool xs_transaction_retry(struct xs_handle *h, xs_transaction_fn *fn, void *arg,
			  unsigned int max_attempts);

/* Tell the daemon about a new domain's ring page and event channel. */
bool xs_introduce_domain(struct xs_handle *h, unsigned int domid,
			 unsigned long mfn, unsigned int eventchn);

/* Let domid act with target's rights (device models). */
bool xs_set_target(struct xs_handle *h, unsigned int domid,
		   unsigned int target);

/* Clear the shutdown state of domid. */
bool xs_resume_domain(struct xs_handle *h, unsigned int domid);

/* Forget domid and its connection. */
bool xs_release_domain(struct xs_handle *h, unsigned int domid);

/* "/local/domain/<domid>". */
char *xs_get_domain_path(struct xs_handle *h, unsigned int domid);

/*
 * True if child equals parent or lies below it, by string comparison
 * (relative and absolute paths never match).  Cannot fail.
 */
bool xs_path_is_subpath(const char *parent, const char *child);

/* True if domid is introduced; false if not, or on error. */
bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid);

/*
 * The daemon's features (XENSTORE_SERVER_FEATURE_* bits), remembered per
 * handle after the first success.
 */
bool xs_get_features_supported(struct xs_handle *h, unsigned int *features);

/* The features offered to domid; setting only before it is introduced. */
bool xs_get_features_domain(struct xs_handle *h, unsigned int domid,
			    unsigned int *features);
bool xs_set_features_domain(struct xs_handle *h, unsigned int domid,
			    unsigned int features);

/* The names of the daemon's quotas, *num of them. */
const char **xs_get_quota_names(struct xs_handle *h, unsigned int *num);

/* Global (default) and per-domain quota values, by name. */
bool xs_get_global_quota(struct xs_handle *h, const char *quota,
			 unsigned int *value);
bool xs_set_global_quota(struct xs_handle *h, const char *quota,
			 unsigned int value);
bool xs_get_domain_quota(struct xs_handle *h, unsigned int domid,
			 const char *quota, unsigned int *value);
bool xs_set_domain_quota(struct xs_handle *h, unsigned int domid,
			 const char *quota, unsigned int value);

/*
 * Send a CONTROL request: cmd, then len bytes of data (NUL-separated
 * arguments, each NUL-terminated).  Returns the daemon's reply text.
 */
char *xs_control_command(struct xs_handle *h, const char *cmd, void *data,
			 unsigned int len);
/* Deprecated synonym of xs_control_command(). */
char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data,
		       unsigned int len);

/*
 * The suspend event channel of domid, read from its device/suspend node
 * through a handle of its own; -1 if absent.
 */
int xs_suspend_evtchn_port(int domid);

/* Paths the library connects to, with the environment applied. */
const char *xs_daemon_rundir(void);
const char *xs_daemon_socket(void);
const char *xs_daemon_socket_ro(void);

/* write() all of data, retrying short writes and EINTR. */
bool xs_write_all(int fd, const void *data, unsigned int len);

/*
 * Parse num NUL-terminated permission strings ("r5", "b0x10") into
 * perms; false with EINVAL if one is malformed.
 */
bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num,
			 const char *strings);

#ifdef __cplusplus
}
#endif

#endif /* XENSTORE_H */
