/* SPDX-License-Identifier: MIT */
/*
 * The request handlers, one per message type, and the helpers they share.
 * Every handler is do_<op>(ctx, conn, msg): ctx is the request's talloc
 * context (freed by the dispatcher), and the handler either queues its
 * reply and returns 0, or returns a positive errno that the dispatcher
 * sends as XS_ERROR.
 */
#ifndef OPS_H
#define OPS_H

#include <stdbool.h>

#include "conn.h"
#include "txn.h"

typedef int op_fn(void *ctx, struct conn *c, struct msg *m);

/* ops_node.c: the tree */
op_fn do_read, do_write, do_mkdir, do_rm, do_directory, do_directory_part,
	do_get_perms, do_set_perms;

/* ops_session.c: watches and transactions */
op_fn do_watch, do_unwatch, do_reset_watches, do_transaction_start,
	do_transaction_end;

/* ops_domain.c: domains, features and quotas */
op_fn do_get_domain_path, do_is_domain_introduced, do_introduce, do_release,
	do_resume, do_set_target, do_get_feature, do_set_feature, do_get_quota,
	do_set_quota;

/* control.c */
op_fn do_control;

/* ops_stream.c: CONTROL stream, the change stream for the pool agent */
int ops_stream(void *ctx, struct conn *c, struct msg *m, const char **argv,
	       unsigned argc);

/*
 * Canonicalise a path the client sent (relative to its home) and apply
 * the path-max quota to unprivileged callers.  0, EINVAL or ENOMEM.
 */
int ops_path(void *ctx, struct conn *c, const char *in, bool special_ok,
	     char **out);

/* The payload's only string, or NULL if it is not exactly one string. */
const char *ops_onearg(const struct msg *m);

#endif /* OPS_H */
