/* SPDX-License-Identifier: MIT */
/*
 * Message framing and the pure validation helpers of frame.h.  Everything
 * here must stay free of I/O and allocation: the fuzzers call it directly.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

ssize_t
frame_scan(const void *buf, size_t avail, struct xsd_sockmsg *hdr)
{
	struct xsd_sockmsg h;

	if (avail < FRAME_HDR_SIZE)
		return 0;
	memcpy(&h, buf, sizeof(h));
	if (h.len > XENSTORE_PAYLOAD_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (avail - FRAME_HDR_SIZE < h.len)
		return 0;
	*hdr = h;
	return (ssize_t)(FRAME_HDR_SIZE + h.len);
}

bool
frame_payload_ok(const struct xsd_sockmsg *hdr, const char *payload)
{
	switch (hdr->type) {
	case XS_WRITE:
		return memchr(payload, '\0', hdr->len) != NULL;
	case XS_RESET_WATCHES:
	case XS_TRANSACTION_START:
		return true;
	default:
		if (hdr->type >= XS_TYPE_COUNT)
			return true;
		return hdr->len == 0 || payload[hdr->len - 1] == '\0';
	}
}

unsigned
frame_count_strings(const char *data, size_t len)
{
	unsigned n = 0;
	const char *p = data, *end = data + len;

	while (p < end && (p = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

unsigned
frame_get_strings(const char *data, size_t len, const char **vec, unsigned max)
{
	unsigned n = 0;
	const char *p = data, *end = data + len, *nul;

	while (p < end && (nul = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		if (n < max)
			vec[n] = p;
		n++;
		p = nul + 1;
	}
	return n;
}

bool
frame_one_string(const char *data, size_t len)
{
	return len > 0 && memchr(data, '\0', len) == data + len - 1;
}

#define ERRNAME(e) {e, #e},
static const struct {
	int errnum;
	const char *name;
} error_names[] = {XSD_ERRORS(ERRNAME)};
#undef ERRNAME

const char *
frame_error_name(int errnum)
{
	size_t i;

	for (i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++)
		if (error_names[i].errnum == errnum)
			return error_names[i].name;
	return "EINVAL";
}

int
frame_error_errno(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++)
		if (strcmp(error_names[i].name, name) == 0)
			return error_names[i].errnum;
	return EINVAL;
}

static const char *const type_names[XS_TYPE_COUNT] = {
	[XS_CONTROL] = "DEBUG",
	[XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ",
	[XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH",
	[XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE",
	[XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
	[XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR",
	[XS_RM] = "RM",
	[XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT",
	[XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME",
	[XS_SET_TARGET] = "SET_TARGET",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
	[XS_GET_FEATURE] = "GET_FEATURE",
	[XS_SET_FEATURE] = "SET_FEATURE",
	[XS_GET_QUOTA] = "GET_QUOTA",
	[XS_SET_QUOTA] = "SET_QUOTA",
};

const char *
frame_type_name(uint32_t type)
{
	if (type < XS_TYPE_COUNT && type_names[type] != NULL)
		return type_names[type];
	return "INVALID";
}

int
frame_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (ULONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

int
frame_parse_domid(const char *s, unsigned *domid)
{
	unsigned long v;

	if (frame_parse_uint(s, 65535, &v) != 0)
		return -1;
	*domid = (unsigned)v;
	return 0;
}
