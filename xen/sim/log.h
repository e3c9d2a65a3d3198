/* SPDX-License-Identifier: MIT */
/*
 * Logging of the hypervisor process: to stderr, one line per message,
 * prefixed "xenhyp: ".  log_warn appends strerror(errno); log_debug
 * prints only when verbose.  fatal/fatalx are for startup failures and
 * broken invariants, never for what a domain sent.
 */
#ifndef XSIM_LOG_H
#define XSIM_LOG_H

#include <stdbool.h>

extern bool log_verbose;

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif /* XSIM_LOG_H */
