/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics of the hotplug daemon: one line per message on stderr in
 * the foreground, else syslog (ident "xenstore-hotplugd").  This module
 * owns only the output; what to say is the caller's business.
 */
#ifndef HOTPLUG_LOG_H
#define HOTPLUG_LOG_H

#include <stdbool.h>

/* Choose stderr (foreground) or syslog; verbose 1 adds log_debug. */
void log_init(bool foreground, int verbose);

/* A warning with strerror(errno) appended. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning without errno. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log and exit(1): for start-up failures and broken invariants only. */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif /* HOTPLUG_LOG_H */
