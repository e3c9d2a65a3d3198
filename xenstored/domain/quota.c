/* SPDX-License-Identifier: MIT */
/*
 * Quota names, defaults and parsing (quota.h).  Accounting lives with the
 * objects counted: domain.c for nodes, watch.c for watches, and so on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "quota.h"

static const struct {
	const char *name;
	const char *help;
} quotas[QUOTA_COUNT] = {
	[QUOTA_NODES] = {"nodes", "Nodes per domain"},
	[QUOTA_WATCHES] = {"watches", "Watches per domain"},
	[QUOTA_OUTSTANDING] = {"outstanding",
			       "Outstanding requests per domain"},
	[QUOTA_MEMORY] = {"memory", "Memory used by a domain, in bytes"},
	[QUOTA_TRANSACTIONS] = {"transactions", "Open transactions per domain"},
	[QUOTA_TXN_NODES] = {"transaction-nodes",
			     "Nodes accessed by one transaction"},
	[QUOTA_PERMS] = {"node-permissions", "Permissions per node"},
	[QUOTA_PATH_MAX] = {"path-max", "Length of a node path"},
	[QUOTA_NODE_SIZE] = {"node-size", "Size of a node, in bytes"},
};

struct quota_set quota_global = {
	.hard =
		{
			[QUOTA_NODES] = 1000,
			[QUOTA_WATCHES] = 128,
			[QUOTA_OUTSTANDING] = 20,
			[QUOTA_MEMORY] = 2621440,
			[QUOTA_TRANSACTIONS] = 10,
			[QUOTA_TXN_NODES] = 1024,
			[QUOTA_PERMS] = 5,
			[QUOTA_PATH_MAX] = 2048,
			[QUOTA_NODE_SIZE] = 2048,
		},
	.soft =
		{
			[QUOTA_MEMORY] = 2097152,
		},
};

int
quota_lookup(const char *name, bool *soft)
{
	int i;

	*soft = strncmp(name, "soft-", 5) == 0;
	if (*soft)
		name += 5;
	for (i = 0; i < QUOTA_COUNT; i++)
		if (strcmp(quotas[i].name, name) == 0)
			return i;
	return -1;
}

const char *
quota_name(enum quota_id id)
{
	return quotas[id].name;
}

const char *
quota_help(enum quota_id id)
{
	return quotas[id].help;
}

int
quota_names(char *buf, int size)
{
	int i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < QUOTA_COUNT && len < size; i++) {
		if (quota_global.hard[i] != 0)
			len += snprintf(buf + len, (size_t)(size - len), "%s%s",
					len ? " " : "", quotas[i].name);
		if (quota_global.soft[i] != 0 && len < size)
			len += snprintf(buf + len, (size_t)(size - len),
					"%ssoft-%s", len ? " " : "",
					quotas[i].name);
	}
	return len < size ? len : size - 1;
}

int
quota_assign(struct quota_set *set, const char *arg, bool soft)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	unsigned long v;
	bool named_soft;
	int id;

	if (eq == NULL || (size_t)(eq - arg) >= sizeof(name))
		return -1;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	id = quota_lookup(name, &named_soft);
	if (id < 0 || named_soft || frame_parse_uint(eq + 1, 0x7fffffff, &v))
		return -1;
	if (soft)
		set->soft[id] = (unsigned)v;
	else
		set->hard[id] = (unsigned)v;
	return 0;
}
