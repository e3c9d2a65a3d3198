/* SPDX-License-Identifier: MIT */
/*
 * CONTROL commands (xenstore-control): one table, one function each, with
 * the names, arguments, reply texts and errors of Xen's C daemon (see
 * docs/xenstore-control.1.md).  Replies are text; an unknown command or
 * wrong arguments get EINVAL, which makes xenstore-control print the
 * "help" list.  This file only reads and reports the daemon's state,
 * apart from the switches it exists for (log, quotas) and the counts that
 * "check" repairs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "containers.h"
#include "dispatch.h"
#include "domain.h"
#include "frame.h"
#include "log.h"
#include "ops.h"
#include "store.h"
#include "trace.h"
#include "watch.h"

#define MAX_ARGS 8
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

typedef int control_fn(void *ctx, struct conn *c, struct msg *m,
		       const char **argv, unsigned argc);

static control_fn ctl_help, ctl_print, ctl_log, ctl_logfile, ctl_quota,
	ctl_quota_soft, ctl_check, ctl_memreport, ctl_live_update;

/* Xen's order and synopses. */
static const struct control_cmd {
	const char *name;
	control_fn *fn;
	const char *args;
} commands[] = {
	{"check", ctl_check, ""},
	{"log", ctl_log, "[on|off|+<switch>|-<switch>]"},
	{"live-update", ctl_live_update,
	 "[-c <cmdline>] [-F] [-t <timeout>] <file>\n"
	 "    Default timeout is 60 seconds."},
	{"logfile", ctl_logfile, "<file>"},
	{"memreport", ctl_memreport, "[<file>]"},
	{"print", ctl_print, "<string>"},
	{"quota", ctl_quota, "[set <name> <val>|<domid>|max [-r]]"},
	{"quota-soft", ctl_quota_soft, "[set <name> <val>]"},
	{"help", ctl_help, ""},
	/* The pool agent's (ops_stream.c), unlisted: help stays Xen's. */
	{"stream", ops_stream, NULL},
};

int
do_control(void *ctx, struct conn *c, struct msg *m)
{
	const char *argv[MAX_ARGS + 1];
	unsigned argc, i;

	argc = frame_get_strings(m->body, m->hdr.len, argv, MAX_ARGS + 1);
	if (argc == 0)
		return EINVAL;
	/*
	 * A kernel's chunk (live-update -d) is binary, NULs and all: its
	 * handler reads the payload itself and sees the first strings only.
	 */
	if (argc > MAX_ARGS + 1) {
		if (strcmp(argv[0], "live-update") != 0)
			return EINVAL;
		argc = MAX_ARGS + 1;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, argv[0]) == 0)
			return commands[i].fn(ctx, c, m, argv + 1, argc - 1);
	return EINVAL;
}

/* live-update: its own module (lu.c), above this layer. */
static int
ctl_live_update(void *ctx, struct conn *c, struct msg *m, const char **argv,
		unsigned argc)
{
	control_lu_fn *fn = dispatch_live_update();

	if (fn == NULL)
		return EINVAL;
	return fn(ctx, c, m, argv, argc);
}

/* Send text (a talloc string, NULL after a failed append) as the reply. */
static int
reply_text(struct conn *c, const struct msg *m, const char *text)
{
	if (text == NULL)
		return ENOMEM;
	conn_reply_str(c, m, text);
	return 0;
}

static int
ctl_help(void *ctx, struct conn *c, struct msg *m, const char **argv,
	 unsigned argc)
{
	char *text = talloc_strdup(ctx, "");
	size_t i;

	(void)argv;
	if (argc != 0)
		return EINVAL;
	for (i = 0; i < ARRAY_SIZE(commands) && text; i++)
		if (commands[i].args)
			text = talloc_asprintf_append(text, "%-15s %s\n",
						      commands[i].name,
						      commands[i].args);
	return reply_text(c, m, text);
}

/* Goes to stderr (-N) or syslog, and to the access log (log.c). */
static int
ctl_print(void *ctx, struct conn *c, struct msg *m, const char **argv,
	  unsigned argc)
{
	(void)ctx;
	if (argc != 1)
		return EINVAL;
	log_warnx("control: %s", argv[0]);
	conn_reply_str(c, m, "OK");
	return 0;
}

static int
ctl_log(void *ctx, struct conn *c, struct msg *m, const char **argv,
	unsigned argc)
{
	char *text;
	int i, err = 0;

	if (argc == 0) {
		text = talloc_strdup(ctx, "Log switch settings:\n");
		for (i = 0; i < TRACE_CLASS_COUNT && text; i++)
			text = talloc_asprintf_append(
				text, "%-8s: %s\n", trace_class_name(i),
				trace_class_on(i) ? "on" : "off");
		return reply_text(c, m, text);
	}
	if (argc != 1)
		return EINVAL;
	if (strcmp(argv[0], "on") == 0)
		err = trace_on() ? errno : 0;
	else if (strcmp(argv[0], "off") == 0)
		trace_off();
	else
		err = trace_switch(argv[0]);
	if (err)
		return err;
	conn_reply_str(c, m, "OK");
	return 0;
}

static int
ctl_logfile(void *ctx, struct conn *c, struct msg *m, const char **argv,
	    unsigned argc)
{
	(void)ctx;
	if (argc != 1 || argv[0][0] == '\0')
		return EINVAL;
	if (trace_open(argv[0]) != 0) {
		log_warn("control: logfile %s", argv[0]);
		return errno;
	}
	conn_reply_str(c, m, "OK");
	return 0;
}

/* The current count of quota id for d, where the daemon keeps one. */
static unsigned
quota_usage(const struct domain *d, int id)
{
	switch (id) {
	case QUOTA_NODES:
		return d->nodes;
	case QUOTA_WATCHES:
		return d->watches;
	case QUOTA_TRANSACTIONS:
		return d->transactions;
	case QUOTA_MEMORY:
		return (unsigned)domain_memory_used(d);
	case QUOTA_OUTSTANDING:
		return d->conn ? d->conn->out_count : 0;
	default:
		return 0; /* per-request sizes */
	}
}

struct quota_change {
	int id;
	bool soft;
	unsigned old, val;
};

/* Domains that still follow the global value follow its change. */
static void
follow_global(struct domain *d, void *arg)
{
	const struct quota_change *qc = arg;
	unsigned *v =
		qc->soft ? &d->quota.soft[qc->id] : &d->quota.hard[qc->id];

	if (*v == qc->old)
		*v = qc->val;
}

/* "set <name> <val>": val at least 1, as Xen's "quota set" wants. */
static int
quota_set(struct conn *c, struct msg *m, const char **argv, unsigned argc,
	  bool soft)
{
	struct quota_change qc = {.soft = soft};
	unsigned *vals = soft ? quota_global.soft : quota_global.hard;
	unsigned long v;
	bool named_soft;

	if (argc != 2)
		return EINVAL;
	qc.id = quota_lookup(argv[0], &named_soft);
	if (qc.id < 0 || named_soft ||
	    frame_parse_uint(argv[1], 0x7fffffff, &v) || v == 0)
		return EINVAL;
	qc.old = vals[qc.id];
	qc.val = (unsigned)v;
	vals[qc.id] = qc.val;
	domain_foreach(follow_global, &qc);
	log_info("control: %squota %s set to %lu", soft ? "soft " : "", argv[0],
		 v);
	conn_reply_str(c, m, "OK");
	return 0;
}

static int
quota_show(void *ctx, struct conn *c, const struct msg *m, bool soft)
{
	char *text = talloc_strdup(ctx, "Quota settings:\n");
	int id;

	for (id = 0; id < QUOTA_COUNT && text; id++) {
		/* Xen has only a soft memory quota; show others if set. */
		if (soft && id != QUOTA_MEMORY && quota_global.soft[id] == 0)
			continue;
		text = talloc_asprintf_append(
			text, "%-17s: %8u %s\n", quota_name(id),
			soft ? quota_global.soft[id] : quota_global.hard[id],
			quota_help(id));
	}
	return reply_text(c, m, text);
}

static int
quota_domain(void *ctx, struct conn *c, const struct msg *m, unsigned domid)
{
	struct domain *d = domain_find(domid);
	char *text;
	unsigned cur;
	int id;

	if (d == NULL)
		return ENOENT;
	text = talloc_asprintf(ctx, "Domain %u:\n", domid);
	for (id = 0; id < QUOTA_COUNT && text; id++) {
		cur = quota_usage(d, id);
		text = talloc_asprintf_append(
			text, "%-17s: %8u (max %8u)\n", quota_name(id), cur,
			cur > d->max[id] ? cur : d->max[id]);
	}
	return reply_text(c, m, text);
}

static int
quota_max(void *ctx, struct conn *c, struct msg *m, const char **argv,
	  unsigned argc)
{
	char *text;
	int id;

	if (argc > 1 || (argc == 1 && strcmp(argv[0], "-r") != 0))
		return EINVAL;
	if (argc == 1)
		memset(domain_max_seen, 0, sizeof(domain_max_seen));
	text = talloc_strdup(ctx, "Max. seen accounting values:\n");
	for (id = 0; id < QUOTA_COUNT && text; id++)
		text = talloc_asprintf_append(text, "%-17s: %8u\n",
					      quota_name(id),
					      domain_max_seen[id]);
	return reply_text(c, m, text);
}

static int
ctl_quota(void *ctx, struct conn *c, struct msg *m, const char **argv,
	  unsigned argc)
{
	unsigned domid;

	if (argc == 0)
		return quota_show(ctx, c, m, false);
	if (strcmp(argv[0], "set") == 0)
		return quota_set(c, m, argv + 1, argc - 1, false);
	if (strcmp(argv[0], "max") == 0)
		return quota_max(ctx, c, m, argv + 1, argc - 1);
	if (argc != 1 || frame_parse_domid(argv[0], &domid))
		return EINVAL;
	return quota_domain(ctx, c, m, domid);
}

static int
ctl_quota_soft(void *ctx, struct conn *c, struct msg *m, const char **argv,
	       unsigned argc)
{
	if (argc == 0)
		return quota_show(ctx, c, m, true);
	if (strcmp(argv[0], "set") == 0)
		return quota_set(c, m, argv + 1, argc - 1, true);
	return EINVAL;
}

/* How many nodes a domid owns, as the walk found them. */
struct owner {
	RB_ENTRY(owner) link;
	unsigned domid, nodes;
};

static int
owner_cmp(const struct owner *a, const struct owner *b)
{
	return a->domid < b->domid ? -1 : a->domid > b->domid;
}

RB_HEAD(owners, owner);
RB_GENERATE_LOCAL(owners, owner, link, owner_cmp)

struct check_state {
	void *ctx;
	struct owners owned;
	size_t nodes;
	unsigned bad;
};

static struct owner *
find_owner(struct check_state *st, unsigned domid)
{
	struct owner key;

	key.domid = domid;
	return RB_FIND(owners, &st->owned, &key);
}

/* Count one more node of domid's; 0 or ENOMEM. */
static int
count_owned(struct check_state *st, unsigned domid)
{
	struct owner *o = find_owner(st, domid);

	if (o == NULL) {
		if ((o = talloc_zero(st->ctx, struct owner)) == NULL)
			return ENOMEM;
		o->domid = domid;
		RB_INSERT(owners, &st->owned, o);
	}
	o->nodes++;
	return 0;
}

static int
check_node(struct node *n, void *arg)
{
	struct check_state *st = arg;
	char path[XENSTORE_PAYLOAD_MAX + 1], kpath[XENSTORE_PAYLOAD_MAX + 1];
	struct node *k;
	uint32_t bytes = 0;

	st->nodes++;
	node_path(n, path, sizeof(path));
	for (k = node_first_child(n); k; k = node_next_sibling(k)) {
		bytes += (uint32_t)strlen(node_name(k)) + 1;
		node_path(k, kpath, sizeof(kpath));
		if (node_parent(k) != n || store_lookup(kpath) != k) {
			log_warnx("check: %s: child %s is not indexed", path,
				  node_name(k));
			st->bad++;
		}
	}
	if (bytes != n->child_bytes) {
		log_warnx("check: %s: names %u/%u bytes", path, n->child_bytes,
			  bytes);
		st->bad++;
	}
	if (n->nperms == 0) {
		log_warnx("check: %s: no permissions", path);
		st->bad++;
		return 0;
	}
	return count_owned(st, node_perms(n)->id);
}

/*
 * A node that a removal has still to free (store_reap): it counts in
 * store_count(), and its owner's count until it goes, except for the
 * top, which was counted out when it was removed.
 */
static int
check_detached(struct node *n, void *arg)
{
	struct check_state *st = arg;

	st->nodes++;
	return store_is_detached(n) ? 0 : count_owned(st, node_perms(n)->id);
}

/* A domain's node count must be the number of nodes it owns: repair it. */
static void
check_domain(struct domain *d, void *arg)
{
	struct check_state *st = arg;
	struct owner *o = find_owner(st, d->domid);
	unsigned owned = o ? o->nodes : 0;

	if (d->nodes == owned)
		return;
	log_warnx("check: domain %u owns %u nodes but was counted %u: fixed",
		  d->domid, owned, d->nodes);
	d->nodes = owned;
	st->bad++;
}

/*
 * Walk the tree and the special nodes, checking each node against the
 * path index and its parent's child list, and each domain's node count
 * against what it owns.  Problems are logged; node counts are repaired,
 * as Xen's checker does.  The reply is OK, or EIO if anything was wrong.
 */
static int
ctl_check(void *ctx, struct conn *c, struct msg *m, const char **argv,
	  unsigned argc)
{
	static const char *const roots[] = {"/", "@introduceDomain",
					    "@releaseDomain"};
	struct check_state st = {ctx, RB_INITIALIZER(&st.owned), 0, 0};
	struct node *n;
	size_t i;

	(void)argv;
	if (argc != 0)
		return EINVAL;
	for (i = 0; i < ARRAY_SIZE(roots); i++)
		if ((n = store_lookup(roots[i])) != NULL &&
		    store_walk(n, check_node, &st) != 0)
			return ENOMEM; /* nothing repaired yet */
	if (store_walk_detached(check_detached, &st) != 0)
		return ENOMEM;
	if (st.nodes != store_count()) {
		log_warnx("check: %zu nodes reachable, %zu indexed", st.nodes,
			  store_count());
		st.bad++;
	}
	domain_foreach(check_domain, &st);
	if (st.bad) {
		log_warnx("check: %u inconsistencies in %zu nodes", st.bad,
			  st.nodes);
		return EIO;
	}
	conn_reply_str(c, m, "OK");
	return 0;
}

/*
 * The talloc tree of every connection (its watches, transactions and
 * queued output) and the store's counts, appended to file, or to the
 * trace file.  Nodes are malloc()ed (store.c), hence only counted.
 */
static int
ctl_memreport(void *ctx, struct conn *c, struct msg *m, const char **argv,
	      unsigned argc)
{
	char *file;
	struct conn *k;
	unsigned n;
	FILE *f;
	int err;

	(void)ctx;
	if (argc > 1)
		return EINVAL;
	if (argc == 1)
		file = trace_absolute(argv[0]);
	else if (trace_path())
		file = strdup(trace_path());
	else
		return EBADF; /* no file at all: Xen's answer (EINVAL) */
	if (file == NULL)
		return ENOMEM;
	f = fopen(file, "a");
	err = errno;
	if (f == NULL)
		log_warn("control: memreport %s", file);
	free(file);
	if (f == NULL)
		return err;
	for (k = conn_first(), n = 0; k; k = k->next)
		n++;
	fprintf(f, "memreport: %zu nodes, %zu watches, %u connections\n",
		store_count(), watch_count(), n);
	for (k = conn_first(); k; k = k->next)
		talloc_report_full(k, f);
	fclose(f);
	conn_reply_str(c, m, "OK");
	return 0;
}
