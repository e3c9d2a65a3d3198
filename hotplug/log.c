/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics of the hotplug daemon (log.h): stderr when in the
 * foreground, else syslog with facility daemon.  Nothing here decides
 * what is worth logging.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static bool to_stderr = true;
static int verbosity;

void
log_init(bool foreground, int verbose)
{
	to_stderr = foreground;
	verbosity = verbose;
	if (!foreground)
		openlog("xenstore-hotplugd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (to_stderr) {
		fprintf(stderr, "xenstore-hotplugd: %s%s%s\n", buf,
			suffix ? ": " : "", suffix ? suffix : "");
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

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, errno ? strerror(errno) : NULL);
	va_end(ap);
	exit(1);
}
