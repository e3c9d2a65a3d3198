/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: permission lists as SET_PERMS carries them, parsed,
 * formatted back and evaluated.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "perms.h"
#include "xs_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perm p[16], q;
	struct perm_caller who = {5, DOMID_INVALID, false};
	char buf[PERM_STRLEN_MAX];
	int n, i;

	if (size > XENSTORE_PAYLOAD_MAX)
		return 0;
	n = perms_parse((const char *)data, size, p, 16);
	for (i = 0; i < n; i++) {
		perms_format_one(&p[i], buf);
		if (perms_parse_one(buf, &q) != 0 || q.id != p[i].id)
			__builtin_trap(); /* formatting must round-trip */
	}
	if (n > 0)
		perms_access(p, (unsigned)n, &who);
	return 0;
}
