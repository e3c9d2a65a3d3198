/* SPDX-License-Identifier: MIT */
/*
 * The xenstore migration stream: the format Xen's daemons hand their
 * state over in at a live update (Xen's docs/designs/xenstore-migration.md;
 * our notes in docs/live-update.md).  Constants and byte layouts only,
 * written from the specification; the encoder and decoder are
 * xenstored/lu/lu_stream.c.
 *
 * A stream is a preamble, then records, each a header and a body padded
 * with zeros to a multiple of 8 bytes (XS_MIG_ALIGN); the header's len
 * counts the body with its padding.  Fields are in the byte order the
 * preamble's flags name (little-endian here); only the version is
 * big-endian.  Readers skip record types they do not know.
 */
#ifndef XS_MIGRATION_H
#define XS_MIGRATION_H

#include <stdint.h>

#define XS_MIG_IDENT "xenstore" /* 8 bytes, no NUL */
#define XS_MIG_IDENT_LEN 8
#define XS_MIG_VERSION_1 1 /* Xen 4.17's */
#define XS_MIG_VERSION_2 2 /* newer Xen's: DOMAIN features, WATCH_EXTENDED */
#define XS_MIG_FLAG_BIG_ENDIAN 0x1
#define XS_MIG_ALIGN 8

/* Offset 0, 16 bytes. */
struct xs_mig_preamble {
	char ident[XS_MIG_IDENT_LEN];
	uint32_t version_be; /* big-endian */
	uint32_t flags;
};

/* Every record starts with this (8 bytes); len excludes it. */
struct xs_mig_record {
	uint32_t type;
	uint32_t len;
};

enum xs_mig_type {
	XS_MIG_END = 0,
	XS_MIG_GLOBAL = 1,
	XS_MIG_CONNECTION = 2,
	XS_MIG_WATCH = 3,
	XS_MIG_TRANSACTION = 4,
	XS_MIG_NODE = 5,
	XS_MIG_GLOBAL_QUOTA = 6,
	XS_MIG_DOMAIN = 7,
	XS_MIG_WATCH_EXTENDED = 8,
};

/*
 * Records of our own daemon, written only when the new binary is ours
 * (other readers skip them, but a stream for Xen's daemon carries none).
 */
enum xs_mig_own_type {
	XS_MIG_OWN_SOCKET_RO =
		0x78730001,		  /* struct xs_mig_global, rw = ro fd */
	XS_MIG_OWN_CONN = 0x78730002,	  /* struct xs_mig_own_conn */
	XS_MIG_OWN_LU_REPLY = 0x78730003, /* struct xs_mig_own_reply */
	/* The store's files, current: their path, NUL-terminated. */
	XS_MIG_OWN_DB = 0x78730004,
	/* u64 count, then each NODE's birth (creation order), in order. */
	XS_MIG_OWN_BIRTHS = 0x78730005,
	/*
	 * The change stream's registered reader, the pool agent: u32 its
	 * connection's id, then the prefixes it asked verdicts for, each
	 * NUL-terminated (docs/pool.md).
	 */
	XS_MIG_OWN_POOL_AGENT = 0x78730006,
	/*
	 * A domain's features (struct xs_mig_own_features), after its
	 * DOMAIN record: version 1's DOMAIN has no room for them.
	 */
	XS_MIG_OWN_FEATURES = 0x78730007,
	/*
	 * The store's memory (struct xs_mig_own_store), instead of NODE
	 * records: only to a binary that takes the same image layout.
	 */
	XS_MIG_OWN_STORE = 0x78730010,
};

/* GLOBAL: the descriptors the new process inherits. 8 bytes. */
struct xs_mig_global {
	int32_t socket_fd; /* the listening socket, -1 if none */
	int32_t evtchn_fd; /* the event-channel handle */
};

#define XS_MIG_CONN_RING 0
#define XS_MIG_CONN_SOCKET 1
#define XS_MIG_CONN_FIELD_UNIQUE_ID 0x1 /* a u64 follows the padded data */
#define XS_MIG_DOMID_INVALID 0x7ff4

/*
 * CONNECTION, 24 bytes then in_len input bytes, out_len output bytes
 * (the first resp_len of which end a reply already partly sent), padding
 * to 8, and with XS_MIG_CONN_FIELD_UNIQUE_ID a u64.
 */
struct xs_mig_conn {
	uint32_t conn_id; /* non-zero; later records refer to it */
	uint16_t conn_type;
	uint16_t fields;
	union {
		struct {
			uint16_t domid;
			uint16_t tdomid; /* SET_TARGET, or DOMID_INVALID */
			uint32_t evtchn; /* the daemon's local port */
		} ring;
		struct {
			int32_t fd;
			uint32_t pad;
		} socket;
	} spec;
	uint16_t in_len;
	uint16_t resp_len;
	uint32_t out_len;
};

/* WATCH, 8 bytes then path and token, each with its NUL. */
struct xs_mig_watch {
	uint32_t conn_id;
	uint16_t path_len;
	uint16_t token_len;
};

/*
 * WATCH_EXTENDED: as WATCH with depth (0xffff: unlimited), the strings
 * at offset 12 by the specification.  Newer Xen's own writer puts them
 * elsewhere (docs/live-update.md): readers look for them.
 */
struct xs_mig_watch_ext {
	uint32_t conn_id;
	uint16_t path_len;
	uint16_t token_len;
	uint16_t depth;
	uint16_t pad;
};
#define XS_MIG_DEPTH_UNLIMITED 0xffff

/* TRANSACTION, 8 bytes (no daemon writes or restores them). */
struct xs_mig_txn {
	uint32_t conn_id;
	uint32_t tx_id;
};

/* One permission of a NODE: 4 bytes. */
struct xs_mig_perm {
	uint8_t type; /* 'n', 'r', 'w' or 'b' */
	uint8_t flags;
	uint16_t domid;
};
#define XS_MIG_PERM_IGNORE 0x1 /* names a domain that is gone */

/*
 * NODE, 16 bytes, perm_n permissions, the path with its NUL, then
 * value_len bytes of value.  conn_id and tx_id 0: a committed node.
 */
struct xs_mig_node {
	uint32_t conn_id;
	uint32_t tx_id;
	uint16_t path_len;
	uint16_t value_len;
	uint16_t access;
	uint16_t perm_n;
};

/*
 * GLOBAL_QUOTA, 4 bytes, n_dom + n_glob u32 values (the per-domain
 * defaults first), then as many NUL-terminated names.
 */
struct xs_mig_quota {
	uint16_t n_dom;
	uint16_t n_glob;
};

/* DOMAIN, 8 bytes, n_quota u32 values, as many NUL-terminated names. */
struct xs_mig_domain {
	uint16_t domid;
	uint16_t n_quota;
	uint32_t features; /* version 2 */
};

/*
 * OWN_CONN: what Xen's CONNECTION cannot say of a connection.  Older
 * binaries of ours wrote and read only the first 8 bytes.
 */
struct xs_mig_own_conn {
	uint32_t conn_id;
	uint32_t flags;
	uint32_t remote_port; /* a guest's end of its event channel, or 0 */
};
#define XS_MIG_OWN_CONN_READONLY 0x1

/*
 * OWN_LU_REPLY: the reply the live update's caller is owed (its header;
 * the new binary adds "OK", or the reason it went back to the old one).
 */
struct xs_mig_own_reply {
	uint32_t conn_id;
	uint32_t type, req_id, tx_id;
};

/*
 * OWN_DB's body after the path's NUL (optional): where the journal ends
 * (db.h's struct db_position), so that it is not read through again.
 */
struct xs_mig_own_db_pos {
	uint64_t journal_size, next_seq, entries;
};

/* OWN_FEATURES: what SET_FEATURE (or INTRODUCE) gave a domain. */
struct xs_mig_own_features {
	uint32_t domid;
	uint32_t features;
};

/* OWN_STORE: a descriptor (a memfd) holding the store's image. */
struct xs_mig_own_store {
	int32_t fd;
	uint32_t flags; /* none yet */
	uint64_t bytes;
};

#endif /* XS_MIGRATION_H */
