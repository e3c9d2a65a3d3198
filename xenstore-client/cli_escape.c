/* SPDX-License-Identifier: MIT */
/*
 * Value escaping and unescaping of Xen's tools (see cli.h), and the
 * output buffer of a transactional run.  Pure string work, so the unit
 * tests call it directly.
 */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static char *esc_buf;
static size_t esc_size;

const char *
cli_escape(const char *val, size_t len)
{
	const unsigned char *p = (const unsigned char *)val;
	size_t used = 0, i;
	char *grown;

	/* The longest escape, \xhh, takes four bytes per input byte. */
	if (esc_size < len * 4 + 1) {
		grown = realloc(esc_buf, len * 4 + 1);
		if (grown == NULL)
			return NULL;
		esc_buf = grown;
		esc_size = len * 4 + 1;
	}
	for (i = 0; i < len; i++) {
		unsigned c = p[i];

		if (c >= ' ' && c <= '~' && c != '\\') {
			esc_buf[used++] = (char)c;
			continue;
		}
		esc_buf[used++] = '\\';
		switch (c) {
		case '\t':
			esc_buf[used++] = 't';
			break;
		case '\n':
			esc_buf[used++] = 'n';
			break;
		case '\r':
			esc_buf[used++] = 'r';
			break;
		case '\\':
			esc_buf[used++] = '\\';
			break;
		default:
			used += (size_t)sprintf(esc_buf + used,
						c < 8 ? "%03o" : "x%02x", c);
		}
	}
	esc_buf[used] = '\0';
	return esc_buf;
}

void
cli_escape_free(void)
{
	free(esc_buf);
	esc_buf = NULL;
	esc_size = 0;
}

/*
 * Numeric escapes are read with sscanf() as Xen's tool reads them, so that
 * the odd inputs ("\\x-1", "\\x 4") give the same bytes.  Returns where
 * reading goes on.
 */
static const char *
scan_hex(const char *ip, unsigned *c)
{
	int n = 0;

	if (sscanf(ip, "%2x%n", c, &n) < 1)
		return ip;
	return ip + n;
}

static const char *
scan_octal(const char *ip, unsigned *c)
{
	int n = 0;

	if (sscanf(ip, "%3o%n", c, &n) < 1)
		return ip;
	return ip + n;
}

size_t
cli_unescape(char *out, const char *in)
{
	const char *ip = in;
	char *op = out;
	unsigned c;

	while ((c = (unsigned char)*ip++) != '\0') {
		if (c == '\\') {
			c = (unsigned char)*ip++;
			switch (c) {
			case 't':
				c = '\t';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 'x':
				ip = scan_hex(ip, &c);
				break;
			case '0':
			case '1':
			case '2':
			case '3':
			case '4':
			case '5':
			case '6':
			case '7':
				ip = scan_octal(ip - 1, &c);
				break;
			case '\0':
				/* Trailing backslash: a NUL byte, then stop. */
				ip--;
				break;
			default:
				break;
			}
		}
		*op++ = (char)c;
	}
	*op = '\0';
	return (size_t)(op - out);
}

static char *out_buf;
static size_t out_len, out_size;

static void
out_reserve(size_t more)
{
	char *grown;

	if (out_len + more <= out_size)
		return;
	out_size = out_len + more + 1024;
	grown = realloc(out_buf, out_size);
	if (grown == NULL)
		err(1, "malloc");
	out_buf = grown;
}

void
cli_out(const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		err(1, "output");
	out_reserve((size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(out_buf + out_len, (size_t)len + 1, fmt, ap);
	va_end(ap);
	out_len += (size_t)len;
}

void
cli_out_raw(const char *data, size_t len)
{
	out_reserve(len);
	memcpy(out_buf + out_len, data, len);
	out_len += len;
}

void
cli_out_reset(void)
{
	out_len = 0;
}

void
cli_out_flush(void)
{
	if (out_len > 0)
		fwrite(out_buf, 1, out_len, stdout);
	free(out_buf);
	out_buf = NULL;
	out_len = out_size = 0;
}
