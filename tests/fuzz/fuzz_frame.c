/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the framing a client's bytes meet first.  Scans the
 * input as a stream of messages and validates each payload, as a
 * connection does.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsd_sockmsg hdr;
	const char *vec[8];
	size_t off = 0;
	ssize_t r;

	if (size > 4 * (XENSTORE_PAYLOAD_MAX + 16))
		return 0;
	while ((r = frame_scan(data + off, size - off, &hdr)) > 0) {
		const char *payload = (const char *)data + off + FRAME_HDR_SIZE;

		if (frame_payload_ok(&hdr, payload)) {
			frame_get_strings(payload, hdr.len, vec, 8);
			frame_count_strings(payload, hdr.len);
			frame_one_string(payload, hdr.len);
		}
		off += (size_t)r;
	}
	return 0;
}
