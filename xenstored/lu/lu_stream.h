/* SPDX-License-Identifier: MIT */
/*
 * The migration stream (xs_migration.h) as values: a writer that puts
 * records on a stdio stream, and a reader that checks a whole stream in
 * memory and hands each record to a visitor.  Pure encoding: nothing here
 * knows connections, the store or the hypervisor, so unit tests and a
 * fuzzer call it directly.  The reader trusts nothing it reads: every
 * length is checked against the record, strings must end in their NUL.
 */
#ifndef LU_STREAM_H
#define LU_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xs_migration.h"

struct lu_conn {
	uint32_t id;
	bool ring;
	/* ring */
	unsigned domid, target; /* target XS_MIG_DOMID_INVALID: none */
	unsigned port;
	/* socket */
	int fd;
	const uint8_t *in;  /* unprocessed input */
	size_t in_len;	    /* <= UINT16_MAX */
	const uint8_t *out; /* unsent output */
	size_t out_len;
	size_t resp_len; /* the head of out that ends a partly sent reply */
};

struct lu_watch {
	uint32_t conn_id;
	const char *path, *token;
	int depth; /* < 0: unlimited */
};

struct lu_perm {
	char type; /* 'n', 'r', 'w', 'b' */
	bool ignore;
	unsigned domid;
};

#define LU_PERMS_MAX 1024

struct lu_node {
	const char *path;
	const void *value;
	size_t vlen;
	unsigned nperms;
	struct lu_perm perms[LU_PERMS_MAX];
	bool in_txn; /* a transaction's node: readers skip it */
};

/* GLOBAL_QUOTA and DOMAIN: values[i] is the quota named names[i]. */
#define LU_QUOTAS_MAX 64
struct lu_quota {
	unsigned domid; /* DOMAIN only */
	uint32_t features;
	bool has_features; /* a version 2 DOMAIN: features says them, 0 too */
	unsigned n;
	unsigned n_glob; /* GLOBAL_QUOTA: the last n_glob are global ones */
	uint32_t values[LU_QUOTAS_MAX];
	const char *names[LU_QUOTAS_MAX];
};

/* --- writing --- */

struct lu_writer {
	FILE *f;
	unsigned version;
	bool failed;
};

/* Start a stream of the given version (1 or 2) on f. */
void lu_write_start(struct lu_writer *w, FILE *f, unsigned version);
void lu_write_global(struct lu_writer *w, int socket_fd, int evtchn_fd);
void lu_write_conn(struct lu_writer *w, const struct lu_conn *c);
/* WATCH, or in version 2 WATCH_EXTENDED when depth is limited. */
void lu_write_watch(struct lu_writer *w, const struct lu_watch *wt);
void lu_write_node(struct lu_writer *w, const struct lu_node *n);
void lu_write_quota(struct lu_writer *w, const struct lu_quota *q);
void lu_write_domain(struct lu_writer *w, const struct lu_quota *q);
/* A record of ours (XS_MIG_OWN_*) with its body. */
void lu_write_own(struct lu_writer *w, uint32_t type, const void *body,
		  size_t len);
/* END, then flush.  0, or -1 if any write failed (errno of the last). */
int lu_write_end(struct lu_writer *w);

/* --- reading --- */

/*
 * Called for each record of its kind; a non-0 return stops the reading
 * and becomes lu_read's.  The pointers are into the stream, good until
 * it is freed.  Every member may be NULL (the record is skipped).
 */
struct lu_visitor {
	int (*global)(void *arg, int socket_fd, int evtchn_fd);
	int (*conn)(void *arg, const struct lu_conn *c);
	int (*watch)(void *arg, const struct lu_watch *w);
	int (*node)(void *arg, const struct lu_node *n);
	int (*quota)(void *arg, const struct lu_quota *q);
	int (*domain)(void *arg, const struct lu_quota *q);
	/* Records of ours and those nobody knows: type and body. */
	int (*other)(void *arg, uint32_t type, const uint8_t *body, size_t len);
};

/*
 * Read the stream in buf[0..len): versions 1 and 2, in our byte order.
 * Returns 0 after END, the first non-0 a visitor returned, or -1 for a
 * malformed stream, with *why (static text) saying what was wrong.
 * *version gets the stream's version (may be NULL).
 */
int lu_read(const void *buf, size_t len, const struct lu_visitor *v, void *arg,
	    unsigned *version, const char **why);

#endif /* LU_STREAM_H */
