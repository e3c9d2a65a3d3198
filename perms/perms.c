/* SPDX-License-Identifier: MIT */
/*
 * Permission parsing, formatting and access decisions (see perms.h).
 * Pure: no allocation and no I/O, so fuzzers and unit tests call it as is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perms.h"
#include "xs_wire.h"

static const char letters[] = {'n', 'r', 'w', 'b'};

int
perms_parse_one(const char *s, struct perm *p)
{
	char *end;
	long id;

	switch (s[0]) {
	case 'n':
		p->access = PERM_NONE;
		break;
	case 'r':
		p->access = PERM_READ;
		break;
	case 'w':
		p->access = PERM_WRITE;
		break;
	case 'b':
		p->access = PERM_READ | PERM_WRITE;
		break;
	default:
		return -1;
	}
	if (s[1] == '\0' || s[1] == '-' || s[1] == '+' || s[1] == ' ')
		return -1;
	errno = 0;
	id = strtol(s + 1, &end, 0);
	if (errno != 0 || *end != '\0' || id < 0 || id > 65535)
		return -1;
	p->id = (uint32_t)id;
	return 0;
}

int
perms_parse(const char *strings, size_t len, struct perm *out, unsigned max)
{
	const char *p = strings, *end = strings + len, *nul;
	unsigned n = 0;

	while (p < end && (nul = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		if (n == max || perms_parse_one(p, &out[n]) != 0)
			return -1;
		n++;
		p = nul + 1;
	}
	return n == 0 ? -1 : (int)n;
}

int
perms_format_one(const struct perm *p, char *buf)
{
	return snprintf(buf, PERM_STRLEN_MAX, "%c%u",
			letters[p->access & (PERM_READ | PERM_WRITE)],
			(unsigned)(p->id & 0xffff));
}

static bool
names(uint32_t id, const struct perm_caller *who)
{
	return id == who->domid || id == DOMID_ANY ||
	       (who->target != DOMID_INVALID && id == who->target);
}

unsigned
perms_access(const struct perm *p, unsigned num, const struct perm_caller *who)
{
	unsigned i;

	if (who->privileged || names(p[0].id, who))
		return PERM_ALL;
	for (i = 1; i < num; i++) {
		if (p[i].access & PERM_IGNORE)
			continue;
		if (names(p[i].id, who))
			return p[i].access & (PERM_READ | PERM_WRITE);
	}
	return p[0].access & (PERM_READ | PERM_WRITE);
}

bool
perms_equal(const struct perm *a, unsigned na, const struct perm *b,
	    unsigned nb)
{
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}
