/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics for the project's daemons (xenstored, xenstore-hotplugd):
 * one line per message on stderr in the foreground, else syslog with the
 * daemon's ident and facility daemon.  log_warn appends strerror(errno);
 * the others do not.  fatal/fatalx are for start-up failures and broken
 * invariants only, never for anything a client sent.  This module owns
 * the output only; what is worth saying is the caller's business.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>

/*
 * ident names the daemon in every line; verbose 1 adds log_info, 2 also
 * log_debug.
 */
void log_init(const char *ident, bool foreground, int verbose);

/*
 * Also hand every warning (and worse) to mirror, as one line without the
 * ident: xenstored copies them into its access log, next to the request
 * they concern.  NULL stops it.
 */
void log_set_mirror(void (*mirror)(const char *line));

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif /* LOG_H */
