/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: path canonicalisation of whatever a client sends,
 * with the invariants a canonical path must keep.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <talloc.h>

#include "path.h"
#include "xs_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[XENSTORE_PAYLOAD_MAX + 1], *out;
	void *ctx;

	if (size > XENSTORE_PAYLOAD_MAX)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	ctx = talloc_new(NULL);
	if (path_canonical(ctx, "/local/domain/1", in, size & 1, &out) == 0) {
		if (out[0] != '/' && out[0] != '@')
			__builtin_trap();
		if (strstr(out, "//") != NULL)
			__builtin_trap();
		if (out[0] == '/') {
			path_quota_len(out);
			if (strcmp(out, "/") != 0)
				talloc_free(path_parent(ctx, out));
		}
	}
	talloc_free(ctx);
	return 0;
}
