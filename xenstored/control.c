/* SPDX-License-Identifier: MIT */
/*
 * CONTROL commands (xenstore-control): one table, one function each.
 * Replies are text; unknown commands and wrong arguments get EINVAL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>

#include "domain.h"
#include "frame.h"
#include "log.h"
#include "ops.h"
#include "store.h"
#include "trace.h"
#include "watch.h"

#define MAX_ARGS 8

typedef int control_fn(void *ctx, struct conn *c, const struct msg *m,
		       const char **argv, unsigned argc);

static control_fn ctl_help, ctl_print, ctl_log, ctl_logfile, ctl_quota,
	ctl_quota_soft, ctl_check, ctl_memreport;

static const struct control_cmd {
	const char *name;
	control_fn *fn;
	const char *args;
} commands[] = {
	{ "check", ctl_check, "" },
	{ "log", ctl_log, "[on|off|+<class>|-<class>]" },
	{ "logfile", ctl_logfile, "<file>" },
	{ "memreport", ctl_memreport, "[<file>]" },
	{ "print", ctl_print, "<string>" },
	{ "quota", ctl_quota, "[set <name> <val>|<domid>]" },
	{ "quota-soft", ctl_quota_soft, "[set <name> <val>]" },
	{ "help", ctl_help, "" },
};

int
do_control(void *ctx, struct conn *c, struct msg *m)
{
	const char *argv[MAX_ARGS + 1];
	unsigned argc, i;

	argc = frame_get_strings(m->body, m->hdr.len, argv, MAX_ARGS + 1);
	if (argc == 0 || argc > MAX_ARGS + 1)
		return EINVAL;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, argv[0]) == 0)
			return commands[i].fn(ctx, c, m, argv + 1, argc - 1);
	return EINVAL;
}

static int
ctl_help(void *ctx, struct conn *c, const struct msg *m, const char **argv,
	 unsigned argc)
{
	char *text = talloc_strdup(ctx, "");
	size_t i;

	(void)argv;
	if (argc != 0)
		return EINVAL;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]) && text; i++)
		text = talloc_asprintf_append(text, "%-15s %s\n",
					      commands[i].name,
					      commands[i].args);
	if (text == NULL)
		return ENOMEM;
	conn_reply_str(c, m, text);
	return 0;
}

static int
ctl_print(void *ctx, struct conn *c, const struct msg *m, const char **argv,
	  unsigned argc)
{
	(void)ctx;
	if (argc != 1)
		return EINVAL;
	log_warnx("control: %s", argv[0]);
	trace_note("control: %s", argv[0]);
	conn_reply_str(c, m, "OK");
	return 0;
}

static int
ctl_log(void *ctx, struct conn *c, const struct msg *m, const char **argv,
	unsigned argc)
{
	(void)ctx;
	if (argc == 0) {
		conn_reply_str(c, m, trace_path() ? "Log switch settings:\n"
						    "io: on\n"
						  : "Log switch settings:\n"
						    "io: off\n");
		return 0;
	}
	if (argc != 1)
		return EINVAL;
	if (strcmp(argv[0], "on") == 0) {
		if (trace_path() == NULL)
			return EINVAL;
		trace_reopen();
	} else if (strcmp(argv[0], "off") == 0) {
		trace_open(NULL);
	} else {
		return EINVAL;
	}
	conn_reply_str(c, m, "OK");
	return 0;
}

static int
ctl_logfile(void *ctx, struct conn *c, const struct msg *m, const char **argv,
	    unsigned argc)
{
	(void)ctx;
	if (argc != 1)
		return EINVAL;
	if (trace_open(argv[0]) != 0)
		return errno;
	conn_reply_str(c, m, "OK");
	return 0;
}

static int
quota_report(void *ctx, struct conn *c, const struct msg *m,
	     const char **argv, unsigned argc, bool soft)
{
	unsigned *vals = soft ? quota_global.soft : quota_global.hard;
	char *text;
	int id;
	bool named_soft;
	unsigned long v;

	if (argc == 3 && strcmp(argv[0], "set") == 0) {
		id = quota_lookup(argv[1], &named_soft);
		if (id < 0 || named_soft ||
		    frame_parse_uint(argv[2], 0x7fffffff, &v) || v == 0)
			return EINVAL;
		vals[id] = (unsigned)v;
		conn_reply_str(c, m, "OK");
		return 0;
	}
	if (argc != 0)
		return EINVAL;
	text = talloc_strdup(ctx, soft ? "Soft quota settings:\n"
				       : "Quota settings:\n");
	for (id = 0; id < QUOTA_COUNT && text; id++)
		text = talloc_asprintf_append(text, "%-17s: %8u %s\n",
					      quota_name(id), vals[id],
					      quota_help(id));
	if (text == NULL)
		return ENOMEM;
	conn_reply_str(c, m, text);
	return 0;
}

static int
ctl_quota(void *ctx, struct conn *c, const struct msg *m, const char **argv,
	  unsigned argc)
{
	unsigned domid;
	struct domain *d;
	char *text;

	if (argc != 1 || frame_parse_domid(argv[0], &domid))
		return quota_report(ctx, c, m, argv, argc, false);
	if ((d = domain_find(domid)) == NULL)
		return ENOENT;
	text = talloc_asprintf(ctx,
			       "Domain %u:\n%-17s: %8u\n%-17s: %8u\n"
			       "%-17s: %8u\n",
			       domid, "nodes", d->nodes, "watches",
			       d->watches, "transactions", d->transactions);
	if (text == NULL)
		return ENOMEM;
	conn_reply_str(c, m, text);
	return 0;
}

static int
ctl_quota_soft(void *ctx, struct conn *c, const struct msg *m,
	       const char **argv, unsigned argc)
{
	return quota_report(ctx, c, m, argv, argc, true);
}

struct check_state {
	size_t nodes;
	unsigned bad;
};

static int
check_node(struct node *n, void *arg)
{
	struct check_state *st = arg;
	char path[XENSTORE_PAYLOAD_MAX + 1];
	struct node *k;
	uint32_t bytes = 0;

	st->nodes++;
	for (k = node_first_child(n); k; k = node_next_sibling(k)) {
		bytes += (uint32_t)strlen(node_name(k)) + 1;
		node_path(k, path, sizeof(path));
		if (node_parent(k) != n || store_lookup(path) != k)
			st->bad++;
	}
	if (bytes != n->child_bytes || n->nperms == 0)
		st->bad++;
	return 0;
}

/* Walk the tree and check its invariants against the path index. */
static int
ctl_check(void *ctx, struct conn *c, const struct msg *m, const char **argv,
	  unsigned argc)
{
	struct check_state st = { 0, 0 };

	(void)ctx;
	(void)argv;
	if (argc != 0)
		return EINVAL;
	store_walk(store_lookup("/"), check_node, &st);
	/* The index also holds the two special nodes. */
	if (st.nodes + 2 != store_count())
		st.bad++;
	if (st.bad) {
		log_warnx("check: %u inconsistencies in %zu nodes", st.bad,
			  st.nodes);
		return EIO;
	}
	conn_reply_str(c, m, "OK");
	return 0;
}

static int
ctl_memreport(void *ctx, struct conn *c, const struct msg *m,
	      const char **argv, unsigned argc)
{
	const char *file = argc == 1 ? argv[0] : trace_path();
	FILE *f;

	(void)ctx;
	if (argc > 1 || file == NULL)
		return EINVAL;
	f = fopen(file, "a");
	if (f == NULL)
		return errno;
	fprintf(f, "nodes: %zu, watches: %zu\n", store_count(),
		watch_count());
	talloc_report_full(NULL, f);
	fclose(f);
	conn_reply_str(c, m, "OK");
	return 0;
}
