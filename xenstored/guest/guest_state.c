/* SPDX-License-Identifier: MIT */
/*
 * Guests' records on disk (guest_state.h).
 *
 * Exactly once, worked through.  A guest's WRITE /x is answered in a
 * turn: the turn's journal record holds /x and the guest's record
 * {req_end: the ring position after the WRITE, rsp_base: rsp_prod then,
 * out: the "OK" and anything queued before it}.  Killed before that
 * record is written, the new daemon finds neither /x nor the record, and
 * the WRITE still on the ring (its space was not given back): it runs it.
 * Killed after, it finds /x and the record: it skips the WRITE on the
 * ring (req_end), and looks at rsp_prod: "OK" went out if the ring holds
 * it from rsp_base on, else it queues what is missing of out.  Reads are
 * never saved: run again, they do no harm.  Transactions are not saved
 * either: their ids come back as lost transactions (txn_adopt), whose
 * commit fails with EAGAIN.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>

#include "conn.h"
#include "domain.h"
#include "domain_rec.h"
#include "guest.h"
#include "guest_state.h"
#include "log.h"
#include "record.pb-c.h"
#include "ring_conn.h"
#include "side.h"
#include "txn.h"
#include "watch.h"
#include "watch_rec.h"

#define KEY_PREFIX "guest/"

/* The saves of this turn, to give their requests back once written. */
struct saved {
	unsigned domid;
	XENSTORE_RING_IDX req_end;
};
static struct saved *saved;
static size_t nsaved;

static void
key_of(char *buf, size_t len, unsigned domid)
{
	snprintf(buf, len, KEY_PREFIX "%u", domid);
}

/* Whether c is a guest's ring, whose state is kept. */
static bool
kept(const struct conn *c)
{
	return c->transport == &ring_conn_transport && c->domain != NULL;
}

void
guest_state_watch_added(struct conn *c, const char *path, size_t strip,
			const char *token, int depth)
{
	if (kept(c) &&
	    watch_rec_put(c->domain->domid, path, strip, token, depth) != 0)
		log_warnx("domain %u: out of memory saving a watch: it will "
			  "not come back after a restart",
			  c->domain->domid);
}

void
guest_state_watch_removed(struct conn *c, const char *path, const char *token)
{
	if (kept(c) && watch_rec_drop(c->domain->domid, path, token) != 0)
		log_warnx("domain %u: out of memory removing a watch's "
			  "record: it may come back after a restart",
			  c->domain->domid);
}

static void
drop_record(const char *key, const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	(void)arg;
	side_put(key, NULL, 0);
}

static void
drop_watches(unsigned domid)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), WATCH_REC_PREFIX "%u/", domid);
	side_foreach(prefix, drop_record, NULL);
}

void
guest_state_watches_reset(struct conn *c)
{
	if (kept(c))
		drop_watches(c->domain->domid);
}

/* d's record, packed on ctx; NULL on ENOMEM. */
static uint8_t *
pack(void *ctx, struct domain *d, XENSTORE_RING_IDX *req_end, size_t *len)
{
	GuestRecord r = GUEST_RECORD__INIT;
	XENSTORE_RING_IDX rsp_base;
	const uint8_t *in = NULL;
	uint8_t *buf, *out;
	size_t olen;

	olen = ring_conn_owed(d->conn, conn_output_pending(d->conn));
	if ((out = talloc_size(ctx, olen + 1)) == NULL)
		return NULL;
	conn_output_copy(d->conn, out, olen);
	ring_conn_position(d->conn, req_end, &rsp_base);
	r.has_domid = r.has_remote_port = r.has_features = r.has_target = 1;
	r.domid = d->domid;
	r.remote_port = d->remote_port;
	r.features = d->features;
	r.target = d->target;
	r.has_req_end = r.has_rsp_base = r.has_out = r.has_next_tx = 1;
	r.req_end = *req_end;
	r.rsp_base = rsp_base;
	r.out.data = out;
	r.out.len = olen;
	r.in.len = ring_conn_input(d->conn, &in);
	if (r.in.len && (r.in.data = talloc_memdup(ctx, in, r.in.len)) == NULL)
		return NULL;
	r.has_in = r.in.len > 0;
	r.next_tx = txn_next_id(d->conn);
	r.has_ring_tag = 1;
	r.ring_tag = ring_conn_tag(d->conn);
	*len = guest_record__get_packed_size(&r);
	if ((buf = talloc_size(ctx, *len + 1)) != NULL)
		guest_record__pack(&r, buf);
	return buf;
}

static void
note_saved(unsigned domid, XENSTORE_RING_IDX req_end)
{
	struct saved *grown;

	grown = talloc_realloc(NULL, saved, struct saved, nsaved + 1);
	if (grown == NULL)
		return; /* its replies give the space back instead */
	saved = grown;
	saved[nsaved].domid = domid;
	saved[nsaved++].req_end = req_end;
}

/*
 * Out of memory for a save: its requests' space is given back all the
 * same (a guest may wait for it before reading its replies), and a crash
 * now would lose the replies not yet on its ring.
 */
static void
unsaved(struct domain *d)
{
	XENSTORE_RING_IDX req_end, rsp_base;

	log_warnx("domain %u: out of memory saving its connection: a crash "
		  "now would lose the replies not yet on its ring",
		  d->domid);
	ring_conn_position(d->conn, &req_end, &rsp_base);
	ring_conn_saved(d->conn, req_end);
}

static void
save_one(struct domain *d, void *arg)
{
	XENSTORE_RING_IDX req_end;
	void *ctx;
	char key[32];
	uint8_t *buf;
	size_t len;

	(void)arg;
	if (d->conn == NULL || d->conn->closing || d->intf == NULL ||
	    d->conn->transport != &ring_conn_transport ||
	    !(d->state_dirty || ring_conn_dirty(d->conn)))
		return;
	key_of(key, sizeof(key), d->domid);
	if ((ctx = talloc_new(NULL)) == NULL ||
	    (buf = pack(ctx, d, &req_end, &len)) == NULL ||
	    side_put(key, buf, len) != 0) {
		talloc_free(ctx);
		unsaved(d);
		return;
	}
	d->state_dirty = false;
	note_saved(d->domid, req_end);
	talloc_free(ctx);
}

void
guest_state_save(void)
{
	/* A save whose write failed is made again now, and noted again. */
	nsaved = 0;
	domain_foreach(save_one, NULL);
}

void
guest_state_saved(void)
{
	struct domain *d;
	size_t i;

	for (i = 0; i < nsaved; i++)
		if ((d = domain_find(saved[i].domid)) != NULL && d->conn &&
		    !d->conn->closing)
			ring_conn_saved(d->conn, saved[i].req_end);
	TALLOC_FREE(saved);
	nsaved = 0;
}

void
guest_state_forget(unsigned domid)
{
	char key[32];

	key_of(key, sizeof(key), domid);
	drop_watches(domid);
	domain_rec_forget(domid);
	if (side_put(key, NULL, 0) != 0)
		log_warnx("domain %u: out of memory forgetting its record; a "
			  "restart will find it gone all the same",
			  domid);
}

/* Register one saved watch on the connection arg again; it fires once. */
static void
rewatch_one(const char *key, const void *data, size_t len, void *arg)
{
	GuestWatch *w = guest_watch__unpack(NULL, len, data);
	struct conn *c = arg;

	if (w == NULL || w->path == NULL || w->token == NULL ||
	    w->strip > strlen(w->path)) {
		log_warnx("%s: damaged record %s: that watch is lost", __func__,
			  key);
	} else if (watch_add(c, w->path, w->strip, w->token,
			     w->has_depth ? w->depth : -1) == 0) {
		conn_queue_event(c, w->path + w->strip, w->token);
	}
	if (w)
		guest_watch__free_unpacked(w, NULL);
}

static void
rewatch(struct conn *c, unsigned domid)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), WATCH_REC_PREFIX "%u/", domid);
	side_foreach(prefix, rewatch_one, c);
}

static void
restore_one(const char *key, const void *data, size_t len, void *arg)
{
	GuestRecord *r = guest_record__unpack(NULL, len, data);
	struct guest_attach a;
	struct conn *c;

	(void)arg;
	if (r == NULL || !r->has_domid || !r->has_remote_port) {
		log_warnx("%s: damaged record %s: that guest is lost", __func__,
			  key);
		goto out;
	}
	a.domid = r->domid;
	a.target = r->has_target ? r->target : DOMID_INVALID;
	a.features = r->has_features ? r->features : GUEST_FEATURES_KEPT;
	a.remote_port = r->remote_port;
	a.local_port = -1;
	c = guest_reattach(&a);
	if (c == NULL && errno == ESRCH) {
		log_info("domain %u: gone while the daemon was down", r->domid);
		guest_release(r->domid);
		goto out;
	}
	if (c == NULL) {
		log_warn("domain %u: cannot attach its ring again", r->domid);
		goto out;
	}
	ring_conn_resume(c, &(struct ring_record){r->req_end, r->rsp_base,
						  r->out.data, r->out.len,
						  r->in.data, r->in.len,
						  r->ring_tag});
	if (txn_restore_ids(c, r->next_tx) != 0)
		log_warnx("domain %u: out of memory restoring its "
			  "transactions' ids",
			  r->domid);
	rewatch(c, r->domid);
out:
	if (r)
		guest_record__free_unpacked(r, NULL);
}

void
guest_state_restore(void)
{
	side_foreach(KEY_PREFIX, restore_one, NULL);
}
