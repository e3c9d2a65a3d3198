/* SPDX-License-Identifier: MIT */
/*
 * Quotas: Xen's names and defaults (docs/protocol.md, "Quotas"), the global
 * defaults, and the per-domain values copied from them.  Only unprivileged
 * domains are checked; privileged callers and sockets are exempt.
 */
#ifndef QUOTA_H
#define QUOTA_H

#include <stdbool.h>

enum quota_id {
	QUOTA_NODES,
	QUOTA_WATCHES,
	QUOTA_OUTSTANDING,
	QUOTA_MEMORY,
	QUOTA_TRANSACTIONS,
	QUOTA_TXN_NODES,
	QUOTA_PERMS,
	QUOTA_PATH_MAX,
	QUOTA_NODE_SIZE,
	QUOTA_COUNT
};

/* A value of 0 means "no check". */
struct quota_set {
	unsigned hard[QUOTA_COUNT];
	unsigned soft[QUOTA_COUNT];
};

/* The global defaults, copied into each domain when it is first seen. */
extern struct quota_set quota_global;

/* The quota called name ("nodes"; "soft-memory" sets *soft); -1 if none. */
int quota_lookup(const char *name, bool *soft);

/* The name of quota id. */
const char *quota_name(enum quota_id id);

/* A one-line description of quota id, for the "quota" control command. */
const char *quota_help(enum quota_id id);

/*
 * The names of all quotas that are enabled, space separated, soft ones
 * with a "soft-" prefix, as GET_QUOTA without arguments answers.  Written
 * to buf (size bytes); returns the length.
 */
int quota_names(char *buf, int size);

/* Parse "name=value" (a -Q or -q option); 0 or -1. */
int quota_assign(struct quota_set *set, const char *arg, bool soft);

#endif /* QUOTA_H */
