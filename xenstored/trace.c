/* SPDX-License-Identifier: MIT */
/*
 * The access log (trace.h).  Lines look like Xen's:
 *
 *	io: IN 0x55d0c2a0 (d0) 20261121 22:10:00 WRITE (/a 1 )
 *
 * with the payload's NULs shown as spaces and other unprintable bytes as
 * '.'.  Writes are unbuffered, so a crash loses no line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "frame.h"
#include "trace.h"

static FILE *trace_file;
static char *trace_name;

int
trace_open(const char *path)
{
	FILE *f = NULL;

	if (path && (f = fopen(path, "a")) == NULL)
		return -1;
	if (trace_file)
		fclose(trace_file);
	trace_file = f;
	if (f)
		setvbuf(f, NULL, _IOLBF, 0);
	if (path != trace_name) {
		free(trace_name);
		trace_name = path ? strdup(path) : NULL;
	}
	return 0;
}

void
trace_reopen(void)
{
	if (trace_name)
		trace_open(trace_name);
}

const char *
trace_path(void)
{
	return trace_name;
}

void
trace_io(const struct conn *c, bool out, const struct xsd_sockmsg *hdr,
	 const void *payload)
{
	const unsigned char *p = payload;
	char stamp[32], text[XENSTORE_PAYLOAD_MAX + 1];
	time_t now;
	struct tm tm;
	uint32_t i;

	if (trace_file == NULL)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d %H:%M:%S", &tm);
	for (i = 0; i < hdr->len && i < XENSTORE_PAYLOAD_MAX; i++)
		text[i] = p[i] == '\0' ? ' '
			  : (p[i] < 0x20 || p[i] > 0x7e) ? '.'
							   : (char)p[i];
	text[i] = '\0';
	fprintf(trace_file, "io: %s %p (d%u) %s %s (%s)\n",
		out ? (hdr->type == XS_ERROR ? "OUT(ERR)" : "OUT") : "IN",
		(const void *)c, c->who.domid, stamp,
		frame_type_name(hdr->type), text);
}

void
trace_note(const char *fmt, ...)
{
	va_list ap;

	if (trace_file == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(trace_file, fmt, ap);
	va_end(ap);
	fputc('\n', trace_file);
}
