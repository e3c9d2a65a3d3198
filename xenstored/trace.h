/* SPDX-License-Identifier: MIT */
/*
 * The access log ("trace file"): one line per request, reply and watch
 * event, in the format of Xen's C daemon (docs/operations.md).
 */
#ifndef TRACE_H
#define TRACE_H

#include <stdbool.h>

#include "xs_wire.h"

struct conn;

/* Open (or with NULL, close) the trace file; 0 or -1 with errno. */
int trace_open(const char *path);

/* Reopen the current trace file (SIGHUP, log rotation). */
void trace_reopen(void);

/* The current trace file's path, or NULL. */
const char *trace_path(void);

/* Log one message going in (out false) or out on c. */
void trace_io(const struct conn *c, bool out, const struct xsd_sockmsg *hdr,
	      const void *payload);

/* Log a free-text line ("CONN ... ignored" and the like). */
void trace_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TRACE_H */
