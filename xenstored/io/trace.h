/* SPDX-License-Identifier: MIT */
/*
 * The access log ("trace file", -T): one line per request, reply and
 * watch event in the format of Xen's C daemon, plus free-text lines
 * (quota refusals, "control: ..." prints).  This module owns the file,
 * its name and its switches (classes); what to log is decided by the
 * callers.  It must not log through log.h (log.h copies warnings here).
 */
#ifndef TRACE_H
#define TRACE_H

#include <stdbool.h>

#include "xs_wire.h"

struct conn;

/* Xen's trace switches, in Xen's bit order. */
enum trace_class {
	TRACE_OBJ, /* object creation and destruction (not emitted yet) */
	TRACE_IO,  /* every message in and out */
	TRACE_WRL, /* write rate limiting (we have none: never emitted) */
	TRACE_ACC, /* quota accounting: every quota check */
	TRACE_TDB, /* database accesses (not emitted yet) */
	TRACE_CLASS_COUNT
};

/*
 * Set the directory relative file names resolve under, and open file (if
 * not NULL) as the trace file.  0, or -1 with errno.
 */
int trace_init(const char *dir, const char *file);

/*
 * Switch to file (relative: under the trace directory) and turn the log
 * on (control "logfile").  On failure the previous file stays in use;
 * returns 0 or -1 with errno.
 */
int trace_open(const char *file);

/*
 * Turn the log on (control "log on"): reopen the current file, or open
 * xenstored-trace.log in the trace directory if none was ever named.
 * 0 or -1 with errno.
 */
int trace_on(void);

/* Turn the log off (control "log off"); the file name is kept. */
void trace_off(void);

/* Reopen the trace file if the log is on (SIGHUP, log rotation). */
void trace_reopen(void);

/* The trace file's path (NULL if none was ever named). */
const char *trace_path(void);

/* True if the log is on. */
bool trace_is_on(void);

/*
 * Absolute name of file: as is if it starts with '/', else under the
 * trace directory.  Returns malloc()ed memory (caller frees), or NULL
 * with errno ENOMEM.
 */
char *trace_absolute(const char *file);

/* "+<class>" or "-<class>": turn a class on or off.  0 or EINVAL. */
int trace_switch(const char *arg);

/* The name of class ("io"), and whether it is on. */
const char *trace_class_name(enum trace_class cls);
bool trace_class_on(enum trace_class cls);

/* Log one message going in (out false) or out on c (class io). */
void trace_io(const struct conn *c, bool out, const struct xsd_sockmsg *hdr,
	      const void *payload);

/* A line of class cls, "<class>: " prefixed, if the class is on. */
void trace_class(enum trace_class cls, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copy a daemon warning into the access log (log_set_mirror). */
void trace_line(const char *line);

/* A free-text line, whatever the classes ("CONN ... ignored" and such). */
void trace_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TRACE_H */
