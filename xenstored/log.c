/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics for the daemon (log.h): stderr with -N, else syslog (ident
 * "xenstored", facility daemon).  The access log, which records requests
 * and replies, is trace.c's business; warnings are copied into it too, as
 * Xen's daemon does, so that a refusal sits next to the request it
 * refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "trace.h"

static bool to_stderr = true;
static int verbosity;

void
log_init(bool foreground, int verbose)
{
	to_stderr = foreground;
	verbosity = verbose;
	if (!foreground)
		openlog("xenstored", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (pri <= LOG_WARNING)
		trace_note("%s%s%s", buf, suffix ? ": " : "",
			   suffix ? suffix : "");
	if (to_stderr) {
		fprintf(stderr, "xenstored: %s%s%s\n", buf, suffix ? ": " : "",
			suffix ? suffix : "");
		fflush(stderr);
	} else if (suffix) {
		syslog(pri, "%s: %s", buf, suffix);
	} else {
		syslog(pri, "%s", buf);
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
