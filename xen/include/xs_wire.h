/* SPDX-License-Identifier: MIT */
/*
 * The xenstore wire protocol: message header, message types, error names,
 * size limits, the shared ring page and its feature bits.
 *
 * These are protocol facts (docs/protocol.md); the names follow Xen's so
 * that code, docs and Xen's specification read alike.  Headers only: no
 * code may live here.
 */
#ifndef XS_WIRE_H
#define XS_WIRE_H

#include <stdint.h>

enum xsd_sockmsg_type {
	XS_CONTROL = 0,
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	/* 20 was XS_RESTRICT, removed in Xen 4.9; it is invalid now. */
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_GET_FEATURE = 23,
	XS_SET_FEATURE = 24,
	XS_GET_QUOTA = 25,
	XS_SET_QUOTA = 26,
	XS_TYPE_COUNT,
	XS_INVALID = 0xffff
};

/* The 16-byte header before every message; fields in host byte order. */
struct xsd_sockmsg {
	uint32_t type;
	uint32_t req_id;
	uint32_t tx_id;
	uint32_t len;
};

#define XENSTORE_PAYLOAD_MAX 4096
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

/*
 * Errors travel as their symbolic names.  The order is the protocol's:
 * new names may only be appended.
 */
#define XSD_ERRORS(X)                                                          \
	X(EINVAL)                                                              \
	X(EACCES)                                                              \
	X(EEXIST)                                                              \
	X(EISDIR)                                                              \
	X(ENOENT)                                                              \
	X(ENOMEM)                                                              \
	X(ENOSPC)                                                              \
	X(EIO)                                                                 \
	X(ENOTEMPTY)                                                           \
	X(ENOSYS)                                                              \
	X(EROFS)                                                               \
	X(EBUSY)                                                               \
	X(EAGAIN)                                                              \
	X(EISCONN)                                                             \
	X(E2BIG)                                                               \
	X(EPERM)

/* Watch event payload: path and token, in this order. */
enum xs_watch_type { XS_WATCH_PATH = 0, XS_WATCH_TOKEN };

/* Special domain ids (Xen's own headers may have defined them already). */
#ifndef DOMID_FIRST_RESERVED
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF 0x7FF0U
#define DOMID_INVALID 0x7FF4U
#endif
#ifndef DOMID_ANY
#define DOMID_ANY 0x7FF5U
#endif

/* The ring page shared with a guest (docs/protocol.md, "Ring page"). */
#define XENSTORE_RING_SIZE 1024
#define XENSTORE_RING_IDX_MASK(idx) ((idx) & (XENSTORE_RING_SIZE - 1))
typedef uint32_t XENSTORE_RING_IDX;

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE];
	char rsp[XENSTORE_RING_SIZE];
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	uint32_t server_features;
	uint32_t connection;
	uint32_t error;
	uint32_t evtchn_port;
};

/* server_features bits */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1
#define XENSTORE_SERVER_FEATURE_ERROR 2
#define XENSTORE_SERVER_FEATURE_WATCHDEPTH 4
#define XENSTORE_SERVER_FEATURE_DOMID_ANY 8

/* connection field values */
#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

/* error field values */
#define XENSTORE_ERROR_NONE 0
#define XENSTORE_ERROR_COMM 1
#define XENSTORE_ERROR_RINGIDX 2
#define XENSTORE_ERROR_PROTO 3

/* Grant reference of a guest's xenstore page. */
#define GNTTAB_RESERVED_XENSTORE 1

#endif /* XS_WIRE_H */
