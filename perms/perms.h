/* SPDX-License-Identifier: MIT */
/*
 * The xenstore permission model as pure functions: parsing and formatting
 * of "n0 r5 w7 b3" entries and the access decision for a caller.
 *
 * A node's list has at least one entry.  Entry 0 names the owner and gives
 * the default access of every domain without an entry of its own; the
 * owner itself always has full access.  Entries 1..n are ACL entries; the
 * first one naming the caller (or its target, or DOMID_ANY) decides.
 * Entries flagged PERM_IGNORE (stale: their domain is gone) are kept but
 * not honoured.
 */
#ifndef PERMS_H
#define PERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERM_NONE 0x0U
#define PERM_READ 0x1U
#define PERM_WRITE 0x2U
#define PERM_OWNER 0x8U
#define PERM_IGNORE 0x10U
#define PERM_ALL (PERM_READ | PERM_WRITE | PERM_OWNER)

/* The longest text form of one entry: letter, 5 digits, NUL. */
#define PERM_STRLEN_MAX 8

struct perm {
	uint32_t id;
	uint32_t access; /* PERM_READ | PERM_WRITE, plus PERM_IGNORE */
};

/* Who is asking: a domain, the domain it acts for, and its privilege. */
struct perm_caller {
	uint32_t domid;
	uint32_t target; /* DOMID_INVALID if none (SET_TARGET) */
	bool privileged;
};

/*
 * Parse one entry such as "r5" or "b0x10" (the number as strtol base 0
 * reads it, no more than 65535).  Returns 0, or -1 if malformed.
 */
int perms_parse_one(const char *s, struct perm *p);

/*
 * Parse the NUL-terminated entries in strings[0..len) into out[0..max).
 * Returns the number of entries, or -1 if any is malformed, there are
 * none, or there are more than max.
 */
int perms_parse(const char *strings, size_t len, struct perm *out,
		unsigned max);

/*
 * Write the text form of p ("r5") to buf, which holds PERM_STRLEN_MAX
 * bytes.  Returns the length without the NUL.
 */
int perms_format_one(const struct perm *p, char *buf);

/* The access (PERM_READ|PERM_WRITE|PERM_OWNER) list p gives to who. */
unsigned perms_access(const struct perm *p, unsigned num,
		      const struct perm_caller *who);

/* True if the two lists are equal, entry by entry. */
bool perms_equal(const struct perm *a, unsigned na, const struct perm *b,
		 unsigned nb);

#endif /* PERMS_H */
