/* SPDX-License-Identifier: MIT */
/*
 * Watches: (path, token) pairs registered by connections, and the events
 * that changes to the tree send them.
 *
 * Watches are indexed by path, so a change to /a/b/c looks up exactly the
 * buckets "/a/b/c", "/a/b", "/a" and "/": firing costs O(depth + matches),
 * not O(all watches).  An event reaches a watcher only if it may read the
 * changed node or its parent (XSA-115), judged on the permission lists the
 * caller passes (before and after the change).
 */
#ifndef WATCH_H
#define WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "perms.h"

struct conn;

/* Permission lists that decide who may see an event. */
struct watch_perms {
	const struct perm *p;
	unsigned n;
};

/* Set up the index; 0 or -1. */
int watch_init(void);

/*
 * Register a watch on conn.  path is canonical (absolute or special);
 * strip is the number of leading bytes to drop from event paths (the home
 * prefix of a watch registered with a relative path); depth < 0 means
 * unlimited.  Sends nothing: the caller queues the first event.
 * Returns 0, EEXIST (same path and token on conn), ENOSPC (quota), ENOMEM.
 */
int watch_add(struct conn *conn, const char *path, size_t strip,
	      const char *token, int depth);

/*
 * Call fn for each of conn's watches, in the order they were added: its
 * canonical path, strip (as given to watch_add), token and depth (< 0:
 * unlimited).  fn must not change watches.
 */
void watch_foreach(struct conn *conn,
		   void (*fn)(void *arg, const char *path, size_t strip,
			      const char *token, int depth),
		   void *arg);

/* Remove conn's watch (path, token); 0 or ENOENT. */
int watch_remove(struct conn *conn, const char *path, const char *token);

/* Remove all of conn's watches. */
void watch_remove_all(struct conn *conn);

/*
 * Report a change of path.  exact: only watches on path itself fire (nodes
 * removed below the path an RM named); otherwise watches on path and on
 * each of its ancestors fire.  A watcher gets the event if one of the nps
 * lists in ps lets it read.
 */
void watch_fire(const char *path, const struct watch_perms *ps, unsigned nps,
		bool exact);

/*
 * The store's observer (store_observe): fire the watches a change to a
 * plain node owes, judged by its permissions before and after and its
 * parent's; an exact event for the nodes below a removed subtree's top.
 */
struct store_change;
void watch_observe(const struct store_change *ch);

/*
 * Fire a special watch ("@introduceDomain", "@releaseDomain") for domid,
 * filtered by the special node's permissions.  Plain watchers get the bare
 * name; watchers with depth 1 get "<name>/<domid>", and so do watchers of
 * "<name>/<domid>" itself.
 */
void watch_fire_special(const char *name, unsigned domid,
			const struct watch_perms *ps);

/* Total number of watches registered (for reports and tests). */
size_t watch_count(void);

#endif /* WATCH_H */
