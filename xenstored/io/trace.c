/* SPDX-License-Identifier: MIT */
/*
 * The access log (trace.h).  Lines look like those of Xen's C daemon:
 *
 *	io: IN 0x55d0c2a0 (d0) 20261121 22:10:00 WRITE (/a 1 )
 *	io: OUT 0x55d0c2a0 (d0) 20261121 22:10:00 WRITE (OK )
 *
 * direction, connection, domain, local time, message type, and the
 * payload with each NUL shown as a space.  Unlike Xen we also show other
 * control bytes (a newline in a value) as '.', so that one message is
 * always one line and the log can be split and grepped safely.
 *
 * Each line is one write(2) on an O_APPEND descriptor: no buffering to
 * lose in a crash, and lines of a reopened file never interleave.  The
 * descriptor is reopened by name on SIGHUP, so logrotate can rename the
 * file and the next line lands in a new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "frame.h"
#include "trace.h"

#define DEFAULT_NAME "xenstored-trace.log"

static int trace_fd = -1;
static char *trace_name; /* absolute */
static char *trace_dir;
static unsigned trace_flags = 1u << TRACE_OBJ | 1u << TRACE_IO;

static const char *const class_names[TRACE_CLASS_COUNT] = {
	[TRACE_OBJ] = "obj", [TRACE_IO] = "io",	  [TRACE_WRL] = "wrl",
	[TRACE_ACC] = "acc", [TRACE_TDB] = "tdb",
};

char *
trace_absolute(const char *file)
{
	char *s;

	if (file[0] == '/' || trace_dir == NULL || strcmp(file, "-") == 0)
		return strdup(file);
	if (asprintf(&s, "%s/%s", trace_dir, file) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

static void
write_all(const char *buf, size_t len)
{
	ssize_t r;

	while (len > 0 && trace_fd >= 0) {
		r = write(trace_fd, buf, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return; /* a full disk must not stop the daemon */
		buf += r;
		len -= (size_t)r;
	}
}

/* Open name (absolute) as the trace file; 0 or -1 with errno. */
static int
open_name(char *name)
{
	/*
	 * "-": standard output, which in a xenstore domain is the console
	 * the host writes to its access log file.
	 */
	int fd = strcmp(name, "-") == 0
			 ? fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0)
			 : open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
				0600);

	if (fd < 0)
		return -1;
	if (trace_fd >= 0)
		close(trace_fd);
	trace_fd = fd;
	if (name != trace_name) {
		free(trace_name);
		trace_name = name;
	}
	/* Xen marks every (re)opening, so a rotation point is visible. */
	write_all("\n***\n", 5);
	return 0;
}

int
trace_init(const char *dir, const char *file)
{
	free(trace_dir);
	trace_dir = NULL;
	/* Absolute, as a daemonised xenstored reopens from "/". */
	if (dir && (trace_dir = realpath(dir, NULL)) == NULL &&
	    (trace_dir = strdup(dir)) == NULL)
		return -1;
	return file ? trace_open(file) : 0;
}

int
trace_open(const char *file)
{
	char *name = trace_absolute(file);
	int saved;

	if (name == NULL)
		return -1;
	if (open_name(name) != 0) {
		saved = errno;
		free(name);
		errno = saved;
		return -1;
	}
	return 0;
}

int
trace_on(void)
{
	if (trace_fd >= 0)
		return 0;
	if (trace_name)
		return open_name(trace_name);
	return trace_open(DEFAULT_NAME);
}

void
trace_off(void)
{
	if (trace_fd >= 0)
		close(trace_fd);
	trace_fd = -1;
}

void
trace_reopen(void)
{
	if (trace_fd >= 0 && open_name(trace_name) != 0)
		trace_off(); /* renamed away and cannot recreate: stop */
}

const char *
trace_path(void)
{
	return trace_name;
}

bool
trace_is_on(void)
{
	return trace_fd >= 0;
}

int
trace_switch(const char *arg)
{
	unsigned i;

	if (arg[0] != '+' && arg[0] != '-')
		return EINVAL;
	for (i = 0; i < TRACE_CLASS_COUNT; i++) {
		if (strcmp(arg + 1, class_names[i]) != 0)
			continue;
		if (arg[0] == '+')
			trace_flags |= 1u << i;
		else
			trace_flags &= ~(1u << i);
		return 0;
	}
	return EINVAL;
}

const char *
trace_class_name(enum trace_class cls)
{
	return class_names[cls];
}

bool
trace_class_on(enum trace_class cls)
{
	return (trace_flags & (1u << cls)) != 0;
}

void
trace_io(const struct conn *c, bool out, const struct xsd_sockmsg *hdr,
	 const void *payload)
{
	const unsigned char *p = payload;
	char line[160 + XENSTORE_PAYLOAD_MAX];
	char stamp[32];
	time_t now;
	struct tm tm;
	uint32_t i;
	int n;

	if (trace_fd < 0 || !trace_class_on(TRACE_IO))
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d %H:%M:%S", &tm);
	/* Xen's trace names type 0 by its current name, not "DEBUG". */
	n = snprintf(line, 160, "io: %s %p (d%u) %s %s (", out ? "OUT" : "IN",
		     (const void *)c, c->who.domid, stamp,
		     hdr->type == XS_CONTROL ? "CONTROL"
					     : frame_type_name(hdr->type));
	if (n < 0 || n >= 160)
		return;
	for (i = 0; i < hdr->len && i < XENSTORE_PAYLOAD_MAX; i++)
		line[n++] = p[i] == '\0'		  ? ' '
			    : p[i] < 0x20 || p[i] == 0x7f ? '.'
							  : (char)p[i];
	line[n++] = ')';
	line[n++] = '\n';
	write_all(line, (size_t)n);
}

static void
vnote(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s", prefix);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);

	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2; /* truncated */
	line[n++] = '\n';
	write_all(line, (size_t)n);
}

void
trace_class(enum trace_class cls, const char *fmt, ...)
{
	char prefix[8];
	va_list ap;

	if (trace_fd < 0 || !trace_class_on(cls))
		return;
	snprintf(prefix, sizeof(prefix), "%s: ", class_names[cls]);
	va_start(ap, fmt);
	vnote(prefix, fmt, ap);
	va_end(ap);
}

void
trace_note(const char *fmt, ...)
{
	va_list ap;

	if (trace_fd < 0)
		return;
	va_start(ap, fmt);
	vnote("", fmt, ap);
	va_end(ap);
}

void
trace_line(const char *line)
{
	trace_note("%s", line);
}
