/* SPDX-License-Identifier: MIT */
/*
 * Bookkeeping for a handle that outlives its daemon (xs_resume.h).
 *
 * Which requests are repeated when their reply was lost with the
 * connection.  Outside a transaction, everything whose second
 * application leaves the store as the first did: reads, WRITE (the same
 * value again), MKDIR, SET_PERMS, RM (a second one finding nothing is
 * taken as the success of the first: xs_handle.c), WATCH, UNWATCH,
 * TRANSACTION_START (the transaction it opened died with the daemon),
 * INTRODUCE, SET_TARGET, features and quotas.  Not CONTROL, whose
 * commands may do anything.  Inside a transaction, nothing reaches the
 * daemon again: the transaction died with it, so reads go outside it, its
 * changes are acknowledged and dropped, and its commit fails with EAGAIN,
 * which every client's retry loop already handles.
 */
#include <stdlib.h>
#include <string.h>

#include "xs_resume.h"
#include "xs_wire.h"

struct kept_watch {
	struct kept_watch *next;
	size_t len;
	char payload[]; /* "path\0token\0" [ "depth\0" ] */
};

struct kept_txn {
	struct kept_txn *next;
	uint32_t id;
	bool lost;
};

struct xs_resume {
	struct kept_watch *watches, **watches_tail;
	struct kept_txn *txns;
};

struct xs_resume *
xs_resume_new(void)
{
	struct xs_resume *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->watches_tail = &r->watches;
	return r;
}

static void
drop_watches(struct xs_resume *r, const char *path, const char *token)
{
	struct kept_watch **pp = &r->watches, *w;

	r->watches_tail = &r->watches;
	while ((w = *pp) != NULL) {
		const char *wtoken = w->payload + strlen(w->payload) + 1;

		if (path == NULL || (strcmp(w->payload, path) == 0 &&
				     strcmp(wtoken, token) == 0)) {
			*pp = w->next;
			free(w);
			continue;
		}
		pp = &w->next;
		r->watches_tail = pp;
	}
}

void
xs_resume_free(struct xs_resume *r)
{
	struct kept_txn *t;

	if (r == NULL)
		return;
	drop_watches(r, NULL, NULL);
	while ((t = r->txns) != NULL) {
		r->txns = t->next;
		free(t);
	}
	free(r);
}

static void
keep_watch(struct xs_resume *r, const char *payload, size_t len)
{
	struct kept_watch *w = malloc(sizeof(*w) + len + 1);

	if (w == NULL)
		return;
	w->next = NULL;
	w->len = len;
	memcpy(w->payload, payload, len);
	w->payload[len] = '\0';
	*r->watches_tail = w;
	r->watches_tail = &w->next;
}

static struct kept_txn *
find_txn(struct xs_resume *r, uint32_t id)
{
	struct kept_txn *t;

	for (t = r->txns; t != NULL; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

void
xs_resume_end(struct xs_resume *r, uint32_t tx)
{
	struct kept_txn **pp, *t;

	for (pp = &r->txns; (t = *pp) != NULL; pp = &t->next)
		if (t->id == tx) {
			*pp = t->next;
			free(t);
			return;
		}
}

static void
keep_txn(struct xs_resume *r, const char *reply)
{
	struct kept_txn *t = malloc(sizeof(*t));

	if (t == NULL)
		return;
	t->id = (uint32_t)strtoul(reply, NULL, 0);
	t->lost = false;
	/* A lost transaction with the same id is the older: forget it. */
	xs_resume_end(r, t->id);
	t->next = r->txns;
	r->txns = t;
}

void
xs_resume_note(struct xs_resume *r, uint32_t type, uint32_t tx,
	       const char *payload, size_t len, const char *reply)
{
	if (type == XS_TRANSACTION_END) {
		xs_resume_end(r, tx);
		return;
	}
	if (reply == NULL)
		return;
	switch (type) {
	case XS_WATCH:
		drop_watches(r, payload, payload + strlen(payload) + 1);
		keep_watch(r, payload, len);
		break;
	case XS_UNWATCH:
		drop_watches(r, payload, payload + strlen(payload) + 1);
		break;
	case XS_RESET_WATCHES:
		drop_watches(r, NULL, NULL);
		break;
	case XS_TRANSACTION_START:
		keep_txn(r, reply);
		break;
	default:
		break;
	}
}

void
xs_resume_lose_transactions(struct xs_resume *r)
{
	struct kept_txn *t;

	for (t = r->txns; t != NULL; t = t->next)
		t->lost = true;
}

static bool
is_read(uint32_t type)
{
	switch (type) {
	case XS_READ:
	case XS_DIRECTORY:
	case XS_DIRECTORY_PART:
	case XS_GET_PERMS:
		return true;
	default:
		return false;
	}
}

static bool
repeatable(uint32_t type)
{
	return type != XS_CONTROL && type != XS_RESUME;
}

enum xs_resume_plan
xs_resume_plan(struct xs_resume *r, uint32_t type, uint32_t tx, bool in_flight,
	       bool abort)
{
	struct kept_txn *t = tx ? find_txn(r, tx) : NULL;

	if (t != NULL && t->lost) {
		if (type == XS_TRANSACTION_END)
			return abort ? XS_RESUME_FAKE_OK : XS_RESUME_EAGAIN;
		return is_read(type) ? XS_RESUME_SEND_NO_TX : XS_RESUME_FAKE_OK;
	}
	if (in_flight && !repeatable(type))
		return XS_RESUME_FAIL;
	return XS_RESUME_SEND;
}

const char *
xs_resume_watch(const struct xs_resume *r, unsigned i, size_t *len)
{
	const struct kept_watch *w = r->watches;

	while (w != NULL && i-- > 0)
		w = w->next;
	if (w == NULL)
		return NULL;
	*len = w->len;
	return w->payload;
}
