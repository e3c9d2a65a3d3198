/* SPDX-License-Identifier: MIT */
/*
 * Daemon diagnostics (log.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *ident = "xenstore";
static bool to_stderr = true;
static int verbosity;
static void (*mirror_fn)(const char *line);

void
log_init(const char *name, bool foreground, int verbose)
{
	ident = name;
	to_stderr = foreground;
	verbosity = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_mirror(void (*mirror)(const char *line))
{
	mirror_fn = mirror;
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char buf[1024], line[1100];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	snprintf(line, sizeof(line), "%s%s%s", buf, suffix ? ": " : "",
		 suffix ? suffix : "");
	if (pri <= LOG_WARNING && mirror_fn)
		mirror_fn(line);
	if (to_stderr) {
		fprintf(stderr, "%s: %s\n", ident, line);
		fflush(stderr);
	} else {
		syslog(pri, "%s", line);
	}
}

void
log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 2)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
