/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for transport/ring.c: the fuzzer controls the whole
 * ring page (indexes included, as a hostile peer does) and a sequence of
 * reads and writes from either side.  Checks that no call copies more than
 * it was asked, that invalid indexes are always refused without changing
 * anything, and (through ASan) that nothing touches memory outside the
 * page.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define IDX_BYTES (4 * sizeof(XENSTORE_RING_IDX))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xenstore_domain_interface *page;
	static char buf[XENSTORE_RING_SIZE * 2];
	size_t i;

	if (size < IDX_BYTES || size > 4096)
		return -1;
	page = calloc(1, sizeof(*page));
	if (page == NULL)
		return 0;
	/* The input starts with the four indexes, as a hostile peer sets. */
	memcpy(&page->req_cons, data, IDX_BYTES);
	memset(buf, 'z', sizeof(buf));
	/* Then the operations: (side and op, length / 9) byte pairs. */
	for (i = IDX_BYTES; i + 2 <= size; i += 2) {
		enum ring_side side = (data[i] & 1) ? RING_CLIENT : RING_SERVER;
		size_t len = (size_t)data[i + 1] * 9;
		struct xenstore_domain_interface before = *page;
		bool valid;
		ssize_t n;

		if (data[i] & 2) {
			valid = side == RING_SERVER
					? ring_idx_ok(page->rsp_cons,
						      page->rsp_prod)
					: ring_idx_ok(page->req_cons,
						      page->req_prod);
			n = ring_write(page, side, buf, len);
		} else {
			valid = side == RING_SERVER
					? ring_idx_ok(page->req_cons,
						      page->req_prod)
					: ring_idx_ok(page->rsp_cons,
						      page->rsp_prod);
			n = ring_read(page, side, buf, len);
		}
		if (!valid && (n != -1 || errno != EPROTO ||
			       memcmp(&before, page, sizeof(before)) != 0))
			abort();
		if (valid && (n < 0 || (size_t)n > len))
			abort();
		(void)ring_can_read(page, side);
		(void)ring_can_write(page, side);
	}
	free(page);
	return 0;
}
