/* SPDX-License-Identifier: MIT */
/*
 * Handlers for a connection's own state: WATCH, UNWATCH, RESET_WATCHES,
 * TRANSACTION_START and TRANSACTION_END.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "domain.h"
#include "frame.h"
#include "guest_state.h"
#include "hold.h"
#include "ops.h"
#include "path.h"
#include "txn.h"
#include "watch.h"

int
do_watch(void *ctx, struct conn *c, struct msg *m)
{
	const char *vec[3];
	unsigned n = frame_get_strings(m->body, m->hdr.len, vec, 3);
	unsigned long depth;
	bool depth_ok = c->domain && (c->domain->features &
				      XENSTORE_SERVER_FEATURE_WATCHDEPTH);
	size_t strip = 0;
	char *path;
	int err;

	if (n != 2 && !(n == 3 && depth_ok))
		return EINVAL;
	if (n == 3 && frame_parse_uint(vec[2], 0x7fffffff, &depth))
		return EINVAL;
	if ((err = ops_path(ctx, c, vec[0], true, &path)))
		return err;
	if (vec[0][0] != '/' && vec[0][0] != '@')
		strip = strlen(c->home) + 1;
	err = watch_add(c, path, strip, vec[1], n == 3 ? (int)depth : -1);
	if (err)
		return err;
	guest_state_watch_added(c, path, strip, vec[1],
				n == 3 ? (int)depth : -1);
	conn_reply_str(c, m, "OK");
	conn_queue_event(c, vec[0], vec[1]);
	return 0;
}

int
do_unwatch(void *ctx, struct conn *c, struct msg *m)
{
	const char *vec[2];
	char *path;
	int err;

	if (frame_get_strings(m->body, m->hdr.len, vec, 2) != 2)
		return EINVAL;
	/* No watch has a path WATCH refuses: ENOENT, as in Xen. */
	if ((err = ops_path(ctx, c, vec[0], true, &path)))
		return err == EINVAL ? ENOENT : err;
	if ((err = watch_remove(c, path, vec[1])))
		return err;
	guest_state_watch_removed(c, path, vec[1]);
	conn_reply_str(c, m, "OK");
	return 0;
}

int
do_reset_watches(void *ctx, struct conn *c, struct msg *m)
{
	(void)ctx;
	watch_remove_all(c);
	guest_state_watches_reset(c);
	txn_abort_all(c);
	conn_reply_str(c, m, "OK");
	return 0;
}

int
do_transaction_start(void *ctx, struct conn *c, struct msg *m)
{
	struct txn *t;
	char id[16];

	(void)ctx;
	if (m->txn)
		return EBUSY;
	t = txn_start(c);
	if (t == NULL)
		return errno;
	snprintf(id, sizeof(id), "%u", txn_id(t));
	conn_reply_str(c, m, id);
	return 0;
}

int
do_transaction_end(void *ctx, struct conn *c, struct msg *m)
{
	const char *arg = ops_onearg(m);
	int err;

	(void)ctx;
	if (arg == NULL || (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0))
		return EINVAL;
	if (m->txn == NULL)
		return ENOENT;
	err = txn_end(m->txn, arg[0] == 'T');
	/*
	 * A commit that ran out of memory before it changed anything left
	 * its transaction open: the dispatcher runs it again once memory
	 * has grown, or ends it.
	 */
	if (err != ENOMEM || txn_find(c, m->hdr.tx_id) == NULL)
		m->txn = NULL;
	if (err)
		return err;
	/* Under the pool's prefixes, etcd may yet say EAGAIN (hold.h). */
	hold_commit(c, m);
	return 0;
}
