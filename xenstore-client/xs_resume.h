/* SPDX-License-Identifier: MIT */
/*
 * What a handle keeps so that it survives a restart of the daemon: the
 * watches it registered (to send again on the new connection), the
 * transactions it opened (which the restart ends), and which request may
 * be sent again when its reply was lost with the old connection.  Pure
 * bookkeeping: no I/O and no locks (xs_handle.c holds request_lock).
 * Internal to libxenstore.
 */
#ifndef XS_RESUME_H
#define XS_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xs_resume;

/* What to do with a request on a handle that reconnected. */
enum xs_resume_plan {
	XS_RESUME_SEND,	      /* send it as it is */
	XS_RESUME_SEND_NO_TX, /* a read in a lost transaction: outside it */
	XS_RESUME_FAKE_OK,    /* a change in a lost transaction: "OK" */
	XS_RESUME_EAGAIN,     /* the commit of a lost transaction */
	XS_RESUME_FAIL,	      /* in flight and not safe to repeat */
};

/* A new, empty record, or NULL (ENOMEM).  Free with xs_resume_free. */
struct xs_resume *xs_resume_new(void);
void xs_resume_free(struct xs_resume *r);

/*
 * Learn from a request that got its reply: a WATCH that succeeded is
 * kept (its whole payload, to be sent again), an UNWATCH or
 * RESET_WATCHES drops watches, a TRANSACTION_START's id is kept until its
 * TRANSACTION_END.  reply is the payload of a successful reply, NULL for
 * an error.  Memory that cannot be had is forgotten quietly: the watch is
 * then not registered again.
 */
void xs_resume_note(struct xs_resume *r, uint32_t type, uint32_t tx,
		    const char *payload, size_t len, const char *reply);

/* The connection was made again: every transaction kept is now lost. */
void xs_resume_lose_transactions(struct xs_resume *r);

/*
 * How to treat a request of type in transaction tx (0: none).  in_flight:
 * it was sent on the connection that broke and got no reply, so it may
 * have been applied.  abort is the TRANSACTION_END's payload "F".
 */
enum xs_resume_plan xs_resume_plan(struct xs_resume *r, uint32_t type,
				   uint32_t tx, bool in_flight, bool abort);

/* Forget tx (its TRANSACTION_END was answered here, not by the daemon). */
void xs_resume_end(struct xs_resume *r, uint32_t tx);

/*
 * The kept watches, in registration order: *len gets the i-th's payload
 * length.  NULL past the last one.
 */
const char *xs_resume_watch(const struct xs_resume *r, unsigned i, size_t *len);

#endif /* XS_RESUME_H */
