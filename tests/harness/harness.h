/* SPDX-License-Identifier: MIT */
/*
 * The daemon in one process, without sockets or a hypervisor: unit tests,
 * fuzzers and the persistence crash test drive the real dispatch, store,
 * transactions and watches through fake connections ("peers").
 *
 * A peer is a connection whose transport reads the bytes the test queued
 * (hpeer_send) and records every byte the daemon writes; hpeer_next
 * hands the written messages back one by one.  Sending runs the
 * connection's input and then the end of a loop turn (conn_flush_all),
 * exactly as the daemon's loop does after a socket became readable.
 *
 * Peers are malloc'd, not talloc'd, so the unit tests' leak fixture sees
 * only the daemon's own memory.  A peer outlives its connection: after
 * the daemon closed it (a framing violation, RELEASE of its domain),
 * hpeer_alive is false and its recorded output can still be read.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_wire.h"

struct conn;
struct hpeer;

/* A message the daemon wrote: header and payload (NUL after len bytes). */
struct hmsg {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

/*
 * Set up the daemon's modules with a new store (dom0 privileged, no
 * database, no hypervisor) and domains 0 to 3 known.  Once per process:
 * the store cannot be set up twice.  0 or -1.
 */
int harness_init(void);

/*
 * harness_init with the store in the database at path (db.h; sync is an
 * enum db_sync), loaded if it holds one, and persisted before replies as
 * the daemon does (--sync=batch or fsync; after them for none).  -1 if
 * the database cannot be opened or is damaged (logged).
 */
int harness_init_db(const char *path, int sync);

/* Close every connection, flush and close the database (shutdown). */
void harness_close_db(void);

/*
 * Back to a fresh daemon: close every connection, remove every node but
 * the base tree, forget the guests' domains, restore the quotas.  For
 * fuzzers, which run many inputs in one process.
 */
void harness_reset(void);

/* Close and free every connection (the peers stay). */
void harness_close_all(void);

/* One end of a loop turn: retries, persistence hooks, output. */
void harness_flush(void);

/* A peer of domain domid, as a unix socket's connection; NULL on ENOMEM. */
struct hpeer *hpeer_new(unsigned domid, bool privileged);

/*
 * A peer that is domid's introduced ring connection, as INTRODUCE would
 * make it without a hypervisor (@introduceDomain fires if the domain was
 * not introduced).  RELEASE of domid then tears it down as it does a
 * real guest.  NULL with errno EBUSY if domid has a connection already
 * (a domain has one ring), or ENOMEM.
 */
struct hpeer *hpeer_guest(unsigned domid);

/* Free the peer, closing its connection if it has one. */
void hpeer_free(struct hpeer *p);

/* The peer's connection, or NULL once the daemon freed it. */
struct conn *hpeer_conn(const struct hpeer *p);
bool hpeer_alive(const struct hpeer *p);

/*
 * While blocked, p reads nothing: the daemon's writes fail with EAGAIN
 * and its output queues up (a guest that stopped reading its ring).
 * Unblocking lets it write, as a guest's event would.
 */
void hpeer_block(struct hpeer *p, bool blocked);

/* Queue raw bytes as input and let the daemon read them. */
void hpeer_send_raw(struct hpeer *p, const void *data, size_t len);

/* Send one request of len payload bytes (req_id counts up per peer). */
void hpeer_send(struct hpeer *p, uint32_t type, uint32_t tx_id,
		const void *payload, size_t len);

/* Pop the next message the daemon wrote to p; false if none is left. */
bool hpeer_next(struct hpeer *p, struct hmsg *m);

/* Number of messages written to p and not popped yet. */
unsigned hpeer_pending(struct hpeer *p);

/*
 * Test helpers: send type with the strings given (each sent with its
 * NUL, but for the value that ends a WRITE; NULL ends the list), and
 * return the next message as text:
 * "<TYPE> <payload>", NULs shown as spaces and a final NUL dropped
 * ("WRITE OK", "ERROR EACCES", "WATCH_EVENT /a tok", "READ" for an empty
 * value), or "" if there is none.  The text lives until the next call.
 */
const char *hpeer_call(struct hpeer *p, uint32_t type, uint32_t tx_id, ...)
	__attribute__((sentinel));

/* The next message written to p as text (see hpeer_call), or "". */
const char *hpeer_text(struct hpeer *p);

/* TRANSACTION_START on p: the new transaction's id, or 0 on an error. */
uint32_t hpeer_txn_start(struct hpeer *p);

/* hpeer_call with the list's NULL added. */
#define HCALL(p, type, tx, ...) hpeer_call(p, type, tx, __VA_ARGS__, NULL)

/* Run CONTROL "check" on a fresh dom0 connection: true if "OK". */
bool harness_check(void);

#endif /* HARNESS_H */
