/* SPDX-License-Identifier: MIT */
/*
 * The dispatch table (dispatch.h).
 */
#include <errno.h>
#include <talloc.h>
#include <time.h>

#include "dispatch.h"
#include "frame.h"
#include "hold.h"
#include "log.h"
#include "memgrow.h"
#include "ops.h"
#include "stream.h"
#include "txn.h"
#include "txn_sched.h"

#define F_PRIV 0x1   /* privileged callers only */
#define F_WRITE 0x2  /* refused on the read-only socket */
#define F_TXN 0x4    /* runs in the transaction its tx_id names */
#define F_MOD 0x8    /* may wait behind a priority transaction (txn_sched.h) */
#define F_NOTID 0x10 /* the tx_id is not looked at */
#define F_END 0x20   /* ends its transaction, whatever comes of it */

static const struct op {
	op_fn *fn;
	unsigned flags;
} ops[XS_TYPE_COUNT] = {
	[XS_CONTROL] = {do_control, F_PRIV},
	[XS_DIRECTORY] = {do_directory, F_TXN},
	[XS_READ] = {do_read, F_TXN},
	[XS_GET_PERMS] = {do_get_perms, F_TXN},
	[XS_WATCH] = {do_watch, F_NOTID},
	[XS_UNWATCH] = {do_unwatch, F_NOTID},
	[XS_TRANSACTION_START] = {do_transaction_start, F_TXN | F_MOD},
	[XS_TRANSACTION_END] = {do_transaction_end, F_TXN | F_MOD | F_END},
	[XS_INTRODUCE] = {do_introduce, F_PRIV | F_WRITE},
	[XS_RELEASE] = {do_release, F_PRIV | F_WRITE},
	[XS_GET_DOMAIN_PATH] = {do_get_domain_path, 0},
	[XS_WRITE] = {do_write, F_TXN | F_WRITE | F_MOD},
	[XS_MKDIR] = {do_mkdir, F_TXN | F_WRITE | F_MOD},
	[XS_RM] = {do_rm, F_TXN | F_WRITE | F_MOD},
	[XS_SET_PERMS] = {do_set_perms, F_TXN | F_WRITE | F_MOD},
	[XS_IS_DOMAIN_INTRODUCED] = {do_is_domain_introduced, F_PRIV},
	[XS_RESUME] = {do_resume, F_PRIV | F_WRITE},
	[XS_SET_TARGET] = {do_set_target, F_PRIV | F_WRITE},
	[XS_RESET_WATCHES] = {do_reset_watches, 0},
	[XS_DIRECTORY_PART] = {do_directory_part, F_TXN},
	[XS_GET_FEATURE] = {do_get_feature, 0},
	[XS_SET_FEATURE] = {do_set_feature, F_PRIV | F_WRITE},
	[XS_GET_QUOTA] = {do_get_quota, F_PRIV},
	[XS_SET_QUOTA] = {do_set_quota, F_PRIV | F_WRITE},
};

static bool hold_transactions;
static const struct conn *hold_exempt;
static control_lu_fn *live_update;

void
dispatch_hold_transactions(bool on)
{
	hold_transactions = on;
	if (!on) {
		hold_exempt = NULL;
		conn_retry_all_deferred();
	}
}

void
dispatch_hold_exempt(const struct conn *c)
{
	hold_exempt = c;
}

void
dispatch_set_live_update(control_lu_fn *fn)
{
	live_update = fn;
}

control_lu_fn *
dispatch_live_update(void)
{
	return live_update;
}

/*
 * A new transaction waits while a live update is pending; but not the
 * pool agent's while a commit waits for its verdict: the update waits
 * for that verdict, and a "lost" one comes only after the agent has
 * applied the winner, in a transaction (hold.h).
 */
static bool
held_back(struct conn *c, const struct msg *m)
{
	return hold_transactions && m->hdr.type == XS_TRANSACTION_START &&
	       c != hold_exempt && !hold_for(c) && txn_oldest(c) == 0;
}

/*
 * A tx_id naming no transaction of the caller's is ENOENT for every
 * request but WATCH and UNWATCH, also for those that do not run inside
 * one (GET_DOMAIN_PATH, CONTROL, ...), as in Xen's C daemon; only F_TXN
 * requests see the transaction.
 */
static int
check(struct conn *c, struct msg *m, const struct op *op)
{
	struct txn *t;

	if (op->fn == NULL)
		return ENOSYS;
	if ((op->flags & F_PRIV) && !c->who.privileged)
		return EACCES;
	if ((op->flags & F_WRITE) && c->readonly)
		return EROFS;
	if (!(op->flags & F_NOTID) && m->hdr.tx_id != 0) {
		t = txn_find(c, m->hdr.tx_id);
		if (t == NULL && (t = txn_adopt(c, m->hdr.tx_id)) == NULL)
			return errno;
		if (op->flags & F_TXN)
			m->txn = t;
	}
	return 0;
}

/*
 * A request refused because the daemon's memory is used up (its limit:
 * ulimit, or a xenstore domain's size) is logged with the domain that
 * asked, at most once a second with the count of those left unsaid, so
 * that a guest flooding the store cannot flood the log too.
 */
static void
log_enomem(const struct conn *c, const struct msg *m)
{
	static time_t last;
	static unsigned long unsaid;
	time_t now = time(NULL);

	if (now == last) {
		unsaid++;
		return;
	}
	last = now;
	if (unsaid)
		log_warnx("domain %u: %s refused: out of memory (and %lu "
			  "more requests since the last such line)",
			  c->who.domid, frame_type_name(m->hdr.type), unsaid);
	else
		log_warnx("domain %u: %s refused: out of memory", c->who.domid,
			  frame_type_name(m->hdr.type));
	unsaid = 0;
}

void
dispatch_message(struct conn *c, struct msg *m)
{
	const struct op *op;
	void *ctx;
	int err;

	op = m->hdr.type < XS_TYPE_COUNT ? &ops[m->hdr.type] : NULL;
	err = op ? check(c, m, op) : ENOSYS;
	if (err == 0 && (op->flags & F_MOD) &&
	    (held_back(c, m) || sched_must_wait(c, m)))
		err = TXN_WAIT;
	/*
	 * A request that ran out of memory changed nothing: once the
	 * domain has grown (memgrow.h) it runs again.  The loop grows it
	 * ahead; this is for a turn that took more than was left.
	 */
	while (err == 0) {
		ctx = talloc_new(NULL);
		stream_request_begin(c); /* a request's changes: one group */
		err = ctx ? op->fn(ctx, c, m) : ENOMEM;
		stream_request_end();
		talloc_free(ctx);
		if (err != ENOMEM || !mem_grow("a request ran out of memory"))
			break;
		err = 0;
	}
	if (err == TXN_WAIT)
		c->deferred = m; /* run again when what it waits for ends */
	else if (err) {
		if (err == ENOMEM)
			log_enomem(c, m);
		/* Out of memory for good: ended all the same, as in Xen. */
		if (err == ENOMEM && (op->flags & F_END) && m->txn) {
			txn_end(m->txn, false);
			m->txn = NULL;
		}
		conn_reply_error(c, m, err);
	}
}
