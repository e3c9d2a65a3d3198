/* SPDX-License-Identifier: MIT */
/*
 * Connections: one client each (a unix socket now, a domain's ring later).
 * A connection reads bytes through its transport, cuts them into messages
 * with frame.h and hands each to its message callback (dispatch); it
 * queues replies and watch events, and writes them out once per loop turn
 * from a single flush point.
 *
 * A connection is a talloc object; its watches, transactions and queued
 * output are its children, so freeing it tears everything down.  Nothing
 * frees a connection from another object's callback: conn_close() marks it
 * and the flush point frees it.
 */
#ifndef CONN_H
#define CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "perms.h"
#include "xs_wire.h"

struct conn;
struct domain;
struct event_base;
struct outbuf;
struct conn_txns;
struct conn_watches;
struct txn;

/* A request as the dispatcher gets it; body has a NUL after len bytes. */
struct msg {
	struct xsd_sockmsg hdr;
	char *body;
	struct txn *txn; /* set by the dispatcher from hdr.tx_id */
};

/* How bytes move for one kind of connection. */
struct conn_transport {
	const char *name;
	/* As read(2)/writev(2): bytes moved, 0 (read: EOF), -1 with errno. */
	ssize_t (*read)(struct conn *c, void *buf, size_t len);
	ssize_t (*writev)(struct conn *c, const struct iovec *iov, int iovcnt);
	/* Optional: c broke the protocol (framing), just before its close. */
	void (*violated)(struct conn *c);
	/* Optional: c is being closed (reason NULL: an ordinary hang-up). */
	void (*closed)(struct conn *c, const char *reason);
	/*
	 * Optional: the request hdr (and its payload) read from c has been
	 * handled and its reply queued: c->out_total bytes are queued by
	 * now, its reply among them.  A deferred request is handled when
	 * its retry does not wait again.
	 */
	void (*answered)(struct conn *c, const struct xsd_sockmsg *hdr);
};

typedef void (*conn_msg_cb)(struct conn *c, struct msg *m);

struct conn {
	struct conn *next, *prev; /* all connections */
	const struct conn_transport *transport;
	void *transport_data;
	int fd;
	struct event *ev_read, *ev_write;
	conn_msg_cb msg_cb;

	struct perm_caller who;
	struct domain *domain;
	char *home; /* "/local/domain/<id>", base of relative paths */
	bool readonly;

	uint8_t *in;
	size_t in_len, in_cap;
	size_t in_done; /* of in, handled already (while being handled) */

	struct outbuf *out_head, *out_tail;
	struct outbuf *reserve; /* for a reply when memory runs out */
	size_t out_bytes;
	uint64_t out_total;   /* bytes ever queued */
	uint64_t out_dropped; /* of those, dropped unwritten (stale events) */
	unsigned out_count;   /* messages queued, for the outstanding quota */
	struct conn *backlog_next;
	bool in_backlog; /* used up its turn with input left */
	struct conn *dirty_next;
	bool dirty;
	struct conn *retry_next;
	bool retry_soon; /* its deferred request runs again at the flush */

	/* What other modules keep per connection: theirs to make and free. */
	struct conn_watches *watches; /* watch.c */
	struct conn_txns *txns;	      /* txn.c */

	struct msg *deferred; /* a request waiting to be retried */
	struct outbuf *held;  /* a reply queued but held: conn_reply_hold */
	bool closing;
	unsigned long id; /* for logs */
};

/*
 * What the layers above decide for connections, wired by main.c: this
 * module knows neither persistence nor quotas, watches nor transactions.
 * Every member may be NULL.
 */
struct conn_hooks {
	/* Persist the turn's changes; non-0 holds all output back. */
	int (*before_output)(void);
	void (*after_output)(void);
	/* Whether before_output has changes to persist. */
	bool (*pending)(void);
	/* c's peer has as much unread as it may: stop reading it. */
	bool (*output_full)(const struct conn *c);
	/* Whether c may hold one more watch event of len bytes. */
	bool (*event_fits)(struct conn *c, size_t len);
	/* c is being freed: let go of what is kept for it elsewhere. */
	void (*release)(struct conn *c);
};

/* Set up the connections' loop; hooks may be NULL.  0 or -1. */
int conn_init(struct event_base *base, conn_msg_cb msg_cb,
	      const struct conn_hooks *hooks);

/*
 * The end of a loop turn: retry deferred requests, persist, write every
 * connection's queued output, free closed connections.  The main loop
 * calls it after each turn of callbacks.
 */
void conn_flush_all(void);

/* True if work is waiting for the next turn: the loop must not sleep. */
bool conn_busy(void);

/*
 * Watch events an unprivileged guest leaves unread for seconds are
 * dropped (-w watch-event=<sec>, default 20; 0 never).
 */
void conn_set_event_timeout(unsigned seconds);

/* The daemon's event loop. */
struct event_base *conn_base(void);

/*
 * A new connection on fd (owned from now on) for domain domid, whose
 * accounting is d (the caller's, never dereferenced here).  fd -1: a
 * connection without a descriptor (a guest's ring), which its owner
 * drives with conn_kick().  Returns the connection or NULL with errno.
 */
struct conn *conn_new(int fd, const struct conn_transport *t, struct domain *d,
		      unsigned domid, bool privileged, bool readonly);

/*
 * Queue a reply to request m: same req_id and tx_id, the given type and
 * payload.  A payload over XENSTORE_PAYLOAD_MAX becomes an E2BIG error.
 */
void conn_reply(struct conn *c, const struct msg *m, uint32_t type,
		const void *data, size_t len);

/* Queue the NUL-terminated string s (NUL included) as m's reply. */
void conn_reply_str(struct conn *c, const struct msg *m, const char *s);

/*
 * Queue len bytes that are already whole messages, or the rest of one
 * begun elsewhere (a restored guest's owed output), as one entry.
 */
void conn_queue_raw(struct conn *c, const void *data, size_t len);

/* The bytes of c's output not written yet. */
size_t conn_output_pending(const struct conn *c);

/*
 * Copy the first cap bytes (at most) of c's unwritten output into buf;
 * returns how many it copied.  Costs the entries it copies, not the
 * queue's.
 */
size_t conn_output_copy(const struct conn *c, void *buf, size_t cap);

/*
 * Queue the NUL-terminated s as m's reply, but hold it (and whatever is
 * queued after it) back until conn_release_held; meanwhile c reads no
 * further request, so that none is answered before it nor runs before
 * its fate is known.  The held reply counts as queued output (for the
 * outstanding quota, a save of the guest's record, a live update's
 * dump): across a restart it is sent as queued.  0, or ENOMEM or EBUSY
 * (nothing queued: the caller replies as usual).
 */
int conn_reply_hold(struct conn *c, const struct msg *m, const char *s);

/*
 * Let c's held reply go, as queued (errnum 0) or as an XS_ERROR naming
 * errnum in its place; c reads its next requests at the end of this
 * loop turn.  Needs no memory.
 */
void conn_release_held(struct conn *c, int errnum);

/* Queue an XS_ERROR reply naming errnum. */
void conn_reply_error(struct conn *c, const struct msg *m, int errnum);

/*
 * Queue a watch event "path\0token\0".  Events that would exceed the
 * payload limit are dropped, as Xen does, and so are those the
 * event_fits hook refuses.
 */
void conn_queue_event(struct conn *c, const char *path, const char *token);

/*
 * Mark c broken: it stops being read or written, is logged with reason,
 * and is freed at the next flush point.
 */
void conn_close(struct conn *c, const char *reason);

/* Read and dispatch what c has to offer (its read callback calls this). */
void conn_input(struct conn *c);

/*
 * The peer of a connection without descriptor signalled: read what it
 * sent, and retry output it had no room for.
 */
void conn_kick(struct conn *c);

/*
 * Read c again at the end of this loop turn, as if its peer had
 * signalled: for a ring whose requests may have come unannounced.
 */
void conn_wake(struct conn *c);

/* Retry c's deferred request at the flush point (it may wait again). */
void conn_retry_soon(struct conn *c);

/* conn_retry_soon() for every connection with a deferred request. */
void conn_retry_all_deferred(void);

/* Every live connection, for walks; NULL-terminated through ->next. */
struct conn *conn_first(void);

/*
 * c's queued output as bytes, in order, for a live update: a new array on
 * ctx (*len bytes; NULL with *len 0 when nothing is queued, or with errno
 * ENOMEM).  *resp_len is how many of its first bytes end a message
 * already partly written (0 if none was).
 */
uint8_t *conn_output_bytes(void *ctx, const struct conn *c, size_t *len,
			   size_t *resp_len);

/*
 * The bytes c sent that no request has been made of yet (a request being
 * handled is not among them); *len of them.  Valid until c reads again.
 */
const uint8_t *conn_unread_input(const struct conn *c, size_t *len);

/*
 * Give a connection restored after a live update what it had: in[0..
 * in_len) as unread input (read at the end of this loop turn), out as
 * queued output whose first resp_len bytes end a partly written message.
 * Returns 0 or ENOMEM (c is then closed).
 */
int conn_restore(struct conn *c, const uint8_t *in, size_t in_len,
		 const uint8_t *out, size_t out_len, size_t resp_len);

/* Close every connection and free them (shutdown). */
void conn_shutdown(void);

#endif /* CONN_H */
