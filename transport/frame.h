/* SPDX-License-Identifier: MIT */
/*
 * Framing of xenstore messages: the 16-byte header, the payload's
 * NUL-separated strings, and the symbolic error names.
 *
 * Pure functions over (bytes, length): no I/O, no allocation, so that the
 * daemon, the client library, unit tests and fuzzers all call the same
 * code.  Shared by both ends of every transport.
 */
#ifndef FRAME_H
#define FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "xs_wire.h"

#define FRAME_HDR_SIZE sizeof(struct xsd_sockmsg)

/*
 * Look for one whole message at the start of buf.  Returns its total size
 * (header plus payload) and copies the header to *hdr when it is all there,
 * 0 when more bytes are needed, and -1 with errno EMSGSIZE when the header
 * announces a payload over XENSTORE_PAYLOAD_MAX (the peer is broken).
 * The type is not checked here: unknown types get an ENOSYS reply.
 */
ssize_t frame_scan(const void *buf, size_t avail, struct xsd_sockmsg *hdr);

/*
 * Check that a request's payload is well formed for its type: string
 * arguments must be NUL-terminated (the payload of WRITE must hold at
 * least the path's NUL; the value after it is raw).  A request that fails
 * this is a broken client: the daemon drops the connection.  Unknown types
 * pass (they get ENOSYS), and so do types whose payload is ignored.
 * Returns true if the request is acceptable.
 */
bool frame_payload_ok(const struct xsd_sockmsg *hdr, const char *payload);

/* Number of NUL bytes in data, i.e. of terminated strings. */
unsigned frame_count_strings(const char *data, size_t len);

/*
 * Store pointers to the first max terminated strings of data in vec.
 * Returns how many terminated strings data holds (may exceed max); bytes
 * after the last NUL are not a string.
 */
unsigned frame_get_strings(const char *data, size_t len, const char **vec,
			   unsigned max);

/* True if data is exactly one string: one NUL, and it is the last byte. */
bool frame_one_string(const char *data, size_t len);

/*
 * The protocol's name for errnum ("ENOENT").  Errors the protocol has no
 * name for are reported as "EINVAL", as Xen does.
 */
const char *frame_error_name(int errnum);

/* The errno for a protocol error name; unknown names give EINVAL. */
int frame_error_errno(const char *name);

/* The name of a message type ("WRITE"), or "INVALID" if it has none. */
const char *frame_type_name(uint32_t type);

/*
 * Parse a decimal domain id argument the way Xen's C daemon does: digits
 * only, at most 65535.  Returns 0, or -1 on anything else.
 */
int frame_parse_domid(const char *s, unsigned *domid);

/* Parse a non-negative decimal no larger than max; 0 or -1. */
int frame_parse_uint(const char *s, unsigned long max, unsigned long *out);

#endif /* FRAME_H */
