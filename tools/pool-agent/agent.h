/* SPDX-License-Identifier: MIT */
/*
 * The pool agent (docs/pool.md): one per host, an ordinary client of the
 * local xenstored and of etcd.  It shares /pool (a full replica on every
 * host, writable anywhere) and /vm/<uuid> (written by the host that owns
 * the guest, read everywhere), and the host's liveness as a leased key.
 *
 *	sync.c		start and resynchronisation: lease, snapshot,
 *			converging the local tree and etcd
 *	publish.c	local commits (the daemon's change stream) to etcd
 *			transactions, exactly once, in commit order
 *	apply.c		etcd's watch to local transactions, one per revision
 *	migrate.c	a guest's migration: ownership handed over with one
 *			compare-and-swap, the request and the report carried
 *			between the two hosts
 *	settle.c	--settle: a request settled from etcd for xsim
 *			when no agent answers it
 *	main.c		options, the loop, signals
 *
 * Everything runs on one libevent loop; each of the three flows has at
 * most one request in flight, so its state is a handful of fields here.
 *
 * Keys in etcd, under the pool's prefix P (--prefix, default /xenstore):
 *
 *	P/data<path>		a node's value (every node is a key)
 *	P/owner/<uuid>		the host that owns /vm/<uuid>
 *	P/hosts/<host>/alive	the host's name, on its lease
 *	P/hosts/<host>/cursor	the last stream group the host published
 *	P/hosts/<host>/sync	put by the host's converging transactions
 *	P/migrate/<uuid>	the last migration of the guest: its request
 *	P/migrate-done/<uuid>	... and the target's report
 *	P/migrate-cancel/<uuid>/<req>	request <req> may not land any more
 *				(settle.c)
 *
 * Every transaction an agent makes puts a key under P/hosts/<host>/, so
 * that its watch knows its own revisions.
 */
#ifndef AGENT_H
#define AGENT_H

#include <bsd/sys/queue.h>
#include <bsd/sys/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

#include "etcd.h"
#include "xsc.h"

struct event_base;
struct event;

/* What etcd last said about a key, as far as the local tree knows. */
struct kent {
	RB_ENTRY(kent) link;
	char *key; /* a path, or a uuid */
	int64_t mod;
	char *value; /* owners: the host */
};
RB_HEAD(kmap, kent);

/* A group of the change stream, assembled from its pages. */
struct change {
	char *path;
	char *value;
	size_t vlen;
	bool removed;
	size_t order; /* in its group, to sort stably */
};

struct group {
	uint64_t seq;
	bool agent, lost;
	bool held; /* a local commit waits for our verdict on it */
	size_t n;
	struct change *v;
};

/* A revision from the watch, waiting to be applied locally. */
struct rev {
	STAILQ_ENTRY(rev) link;
	int64_t rev;
	size_t n;
	struct change *v;
	bool owners_only; /* nothing for the local tree */
	char *note_path;  /* a migration's note, written outside the */
	char *note_value; /* shared prefixes when the rev's turn comes */
};
STAILQ_HEAD(revq, rev);

/* The kmap updates an applied revision brings, in stream order. */
struct kupd {
	STAILQ_ENTRY(kupd) link;
	int64_t rev;
	size_t n;
	char **paths;
};
STAILQ_HEAD(kupdq, kupd);

/* A held commit that lost: answered once revisions up to rev are here. */
struct verdict {
	STAILQ_ENTRY(verdict) link;
	uint64_t seq;
	int64_t rev;
};
STAILQ_HEAD(verdictq, verdict);

enum phase { PH_START, PH_SYNC, PH_RUN, PH_STOP };

struct agent {
	struct event_base *base;
	struct xsc *xs;
	struct etcd *etcd;
	const char *host, *socket, *prefix;
	long ttl;
	enum phase phase;

	/* keys */
	char *data_pfx, *owner_pfx, *cursor_key, *alive_key, *hosts_pfx;
	char *own_pfx, *sync_key;	 /* P/hosts/<host>/ and its sync key */
	char *migrate_pfx, *migdone_pfx; /* P/migrate/, P/migrate-done/ */
	char *cancel_pfx;		 /* P/migrate-cancel/ */

	/* lease and fencing */
	int64_t lease, alive_create;
	struct event *keepalive;
	bool fenced;	   /* since the last sync: skip what is unpublished */
	bool resync_again; /* fenced during a sync */

	/*
	 * The migration request sent to etcd and not answered yet (seq 0:
	 * none): its fate is settled from etcd before xsim is told.
	 */
	struct {
		uint64_t seq;
		char uuid[128], id[128], target[256];
	} mig;

	/* the snapshot's view, kept up to date in stream order */
	struct kmap kmod;   /* path -> mod_revision */
	struct kmap owners; /* uuid -> host */

	/* publishing: the stream */
	uint64_t cursor;    /* last group in etcd */
	int64_t cursor_mod; /* the cursor key's mod_revision (0: absent) */
	uint64_t next_seq;  /* the next group to handle */
	uint64_t old_last;  /* groups up to here predate this sync */
	/* Groups a fence kept from etcd: their held commits lost. */
	uint64_t unpub_first, unpub_last;
	uint64_t acked;	   /* acknowledged to the daemon */
	bool cursor_reset; /* etcd's cursor must become next_seq - 1 */
	bool pub_busy, pub_again;
	struct group *pg;    /* the group being read or published */
	struct kupdq kupds;  /* applied revisions not yet met in the stream */
	struct event *retry; /* after an error, try again later */
	struct verdictq verdicts; /* "lost" verdicts waiting for the winner */

	/* applying: the watch */
	struct etcd_watch *watch;
	int64_t applied;  /* the last revision handled */
	int64_t applying; /* the revision being applied locally (0: none) */
	struct revq revs;
	bool apply_busy;
	struct event *rewatch;

	/* statistics, for the log at exit and tests */
	unsigned long published, lost, applied_n, conflicts;
};

/* sync.c */
void sync_start(struct agent *a);
void sync_fenced(struct agent *a, const char *why);
void sync_resync(struct agent *a, const char *why);

/* publish.c */
void publish_kick(struct agent *a);
void publish_reset(struct agent *a);
/* Send the "lost" verdicts whose winners are in the local tree now. */
void publish_verdicts(struct agent *a);

/*
 * A resync has converged: the local tree holds etcd's state.  The held
 * commits of the groups a fence kept from etcd (undone by the resync)
 * lost, and so do those whose "lost" verdicts waited through the resync.
 */
void publish_converged(struct agent *a);
/* For migrate.c: the outer transaction (cursor, lease) around inner. */
char *publish_outer(struct agent *a, uint64_t seq, const char *inner);
/* The current group has nothing for etcd: go on with the next. */
void publish_skip(struct agent *a);
/* The current group is in etcd at rev: go on with the next. */
void publish_done(struct agent *a, int64_t rev);
/* etcd refused the current group (err, msg): 1 if the caller is done. */
bool publish_error(struct agent *a, int err, const char *msg);
/* The outer compare failed (json: the failure's ranges). */
void publish_outer_failed(struct agent *a, yajl_val json);

/* migrate.c */
/* The local paths under the stream prefix MIG_PREFIX (docs/pool.md). */
#define MIG_PREFIX "/tool/pool/mig"
/*
 * If group g is a migration's (a request on the source, a report on
 * the target), handle it (one etcd transaction) and return true.
 */
bool migrate_group(struct agent *a, struct group *g);
/*
 * At a snapshot: take P/migrate* keys (true if key was one); at its end,
 * note for the local tree each request for this host that has no report
 * yet (it arrived while the agent was away).
 */
void migrate_snapshot_begin(struct agent *a);
bool migrate_snapshot(struct agent *a, const char *key, const char *val);
void migrate_snapshot_end(struct agent *a);
/*
 * A fenced agent's unpublished group g (never to be published): a
 * request in it is answered from the snapshot just read.
 */
void migrate_fenced(struct agent *a, struct group *g);
/* A watched P/migrate* key: note it in r for the local tree if ours. */
void migrate_watched(struct agent *a, const char *key, const char *val,
		     bool del, struct rev *r);

/* settle.c */
/*
 * Settle xsim's request req (guest uuid, to target) from etcd for good,
 * and print the outcome (settle.c); a->etcd is set.  The exit status:
 * 0, 1 (etcd did not answer) or 2 (bad arguments).
 */
int settle_run(struct agent *a, const char *uuid, const char *req,
	       const char *target);

/* apply.c */
void apply_watch(struct agent *a, int64_t from);
void apply_stop(struct agent *a);
/* The last revision whose changes are all in the local tree. */
int64_t apply_done(const struct agent *a);

/* Shared helpers (main.c) */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct kent *kmap_get(struct kmap *m, const char *key);
void kmap_set(struct kmap *m, const char *key, int64_t mod, const char *value);
void kmap_del(struct kmap *m, const char *key);
void kmap_clear(struct kmap *m);
int kent_cmp(const struct kent *x, const struct kent *y);
RB_PROTOTYPE(kmap, kent, link, kent_cmp)

/*
 * If key is P/hosts/<host>/alive, show the host in the local tree as
 * /tool/pool/hosts/<host> ("alive"), or remove it.  The path is outside
 * the change stream's prefixes: nothing to publish.
 */
void agent_host_key(struct agent *a, const char *key, bool alive);

/*
 * Set (host) or forget (NULL) the owner of /vm/<uuid>, in the map and
 * as /tool/pool/owner/<uuid> in the local tree (what `xsim list` reads).
 */
void agent_owner(struct agent *a, const char *uuid, const char *host);
/* Whether path is shared (under /pool or /vm). */
bool agent_shared(const char *path);

/* The uuid of /vm/<uuid>/..., or NULL (not under /vm/<uuid>). */
char *vm_uuid(const char *path);
/* Whether this host writes path to etcd: /pool, and its own guests. */
bool agent_owns(struct agent *a, const char *path);

/* JSON: yajl_gen with etcd's base64 keys and string int64s. */
void j_key(yajl_gen g, const char *k);
void j_str(yajl_gen g, const char *s);
void j_b64(yajl_gen g, const void *data, size_t len);
void j_int(yajl_gen g, int64_t v);
/* The generated text, malloc'd; g is freed. */
char *j_done(yajl_gen g);
/* A range_end for every key under prefix, base64. */
void j_range_end(yajl_gen g, const char *prefix);

/* etcd key <-> xenstore path */
char *data_key(struct agent *a, const char *path);
const char *key_path(struct agent *a, const char *key);

void group_free(struct group *g);
void changes_free(struct change *v, size_t n);

#endif /* AGENT_H */
