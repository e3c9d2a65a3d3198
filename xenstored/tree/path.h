/* SPDX-License-Identifier: MIT */
/*
 * Node paths: validation and canonical form (docs/protocol.md, "Paths").
 * Pure string functions; the quota on path length is the caller's.
 */
#ifndef PATH_H
#define PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Turn a path sent by a client into its canonical absolute form on ctx.
 * A path not starting with '/' or '@' is relative to home.  Paths starting
 * with '@' are accepted only if special_ok.  Allowed bytes are A-Z a-z 0-9
 * and "-/_@"; "//" and a trailing '/' (except for "/") are refused.
 * Returns 0, EINVAL, or ENOMEM.
 */
int path_canonical(void *ctx, const char *home, const char *in, bool special_ok,
		   char **out);

/* True for "@introduceDomain" and the like. */
bool path_is_special(const char *path);

/*
 * The length that counts against the path-max quota: for paths under
 * /local/domain/<id>/ only the part after that prefix, so that a path
 * keeps its validity when a domain's id changes length.
 */
size_t path_quota_len(const char *path);

/* The parent of an absolute path other than "/", on ctx; NULL if ENOMEM. */
char *path_parent(void *ctx, const char *path);

/* Length of the parent's part of path: "/a/b" -> 2, "/a" -> 1 ("/"). */
size_t path_parent_len(const char *path);

/* True if child is parent or lies below it. */
bool path_is_within(const char *parent, const char *child);

/* Number of levels child lies below parent (which it must be within). */
unsigned path_depth_below(const char *parent, const char *child);

#endif /* PATH_H */
