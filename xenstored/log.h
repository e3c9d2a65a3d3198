/* SPDX-License-Identifier: MIT */
/*
 * Daemon diagnostics: messages to stderr in the foreground or to syslog
 * once daemonised.  log_warn appends strerror(errno); the others do not.
 * fatal/fatalx are for start-up failures and broken invariants only,
 * never for anything a client sent.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>

/* Where messages go: stderr when foreground, else syslog as "xenstored". */
void log_init(bool foreground, int verbose);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif /* LOG_H */
