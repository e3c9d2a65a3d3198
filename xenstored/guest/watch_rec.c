/* SPDX-License-Identifier: MIT */
/*
 * A guest's watches on disk (watch_rec.h).
 *
 * A record's key is "watch/<domid>/<hash>" for the first watch whose
 * path and token hash to <hash>, then "<hash>.1", "<hash>.2"... for the
 * others that collide with it (a guest can choose its tokens so), so
 * that none overwrites another.  Each hash's chain has no gaps: a
 * removal moves the chain's last record into the slot it frees, so a
 * lookup ends at the first free slot.  The first slot's key is the one
 * older daemons used, whose records therefore still read back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>

#include "record.pb-c.h"
#include "side.h"
#include "watch_rec.h"

/* FNV-1a, 64 bits, over path, a NUL and token. */
static uint64_t
fnv1a(const char *path, const char *token)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const char *p;

	for (p = path; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	h = (h ^ 0) * 0x100000001b3ull;
	for (p = token; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	return h;
}

uint64_t (*watch_rec_hash)(const char *path, const char *token) = fnv1a;

#define KEY_MAX 64

static void
key_at(char *buf, unsigned domid, uint64_t h, unsigned k)
{
	if (k == 0)
		snprintf(buf, KEY_MAX, WATCH_REC_PREFIX "%u/%016llx", domid,
			 (unsigned long long)h);
	else
		snprintf(buf, KEY_MAX, WATCH_REC_PREFIX "%u/%016llx.%u", domid,
			 (unsigned long long)h, k);
}

/*
 * What the record of key holds: 0 the watch on path with token, EEXIST
 * another (or a damaged record, which keeps its slot), ENOENT nothing,
 * or ENOMEM.
 */
static int
holds(const char *key, const char *path, const char *token)
{
	const void *data;
	GuestWatch *w;
	size_t len;
	int r;

	if ((r = side_get(key, &data, &len)) != 0)
		return r;
	if ((w = guest_watch__unpack(NULL, len, data)) == NULL)
		return EEXIST;
	r = w->path && w->token && strcmp(w->path, path) == 0 &&
			    strcmp(w->token, token) == 0
		    ? 0
		    : EEXIST;
	guest_watch__free_unpacked(w, NULL);
	return r;
}

/*
 * The slot *k of the watch on path with token in its hash's chain (0),
 * or the chain's first free one (ENOENT); or ENOMEM.
 */
static int
probe(unsigned domid, uint64_t h, const char *path, const char *token,
      unsigned *k)
{
	char key[KEY_MAX];
	int r;

	for (*k = 0;; (*k)++) {
		key_at(key, domid, h, *k);
		if ((r = holds(key, path, token)) != EEXIST)
			return r;
	}
}

int
watch_rec_put(unsigned domid, const char *path, size_t strip, const char *token,
	      int depth)
{
	GuestWatch w = GUEST_WATCH__INIT;
	uint64_t h = watch_rec_hash(path, token);
	char key[KEY_MAX];
	uint8_t *buf;
	unsigned k;
	size_t len;
	int r;

	if ((r = probe(domid, h, path, token, &k)) == ENOMEM)
		return ENOMEM;
	w.path = (char *)(uintptr_t)path;
	w.token = (char *)(uintptr_t)token;
	w.has_depth = w.has_strip = 1;
	w.depth = depth;
	w.strip = (uint32_t)strip;
	len = guest_watch__get_packed_size(&w);
	if ((buf = talloc_size(NULL, len + 1)) == NULL)
		return ENOMEM;
	guest_watch__pack(&w, buf);
	key_at(key, domid, h, k);
	r = side_put(key, buf, len);
	talloc_free(buf);
	return r;
}

int
watch_rec_drop(unsigned domid, const char *path, const char *token)
{
	uint64_t h = watch_rec_hash(path, token);
	char key[KEY_MAX], last_key[KEY_MAX];
	const void *data;
	unsigned k, last;
	size_t len;
	int r;

	if ((r = probe(domid, h, path, token, &k)) != 0)
		return r == ENOENT ? 0 : r;
	for (last = k + 1;; last++) {
		key_at(last_key, domid, h, last);
		if ((r = side_get(last_key, &data, &len)) == ENOMEM)
			return ENOMEM;
		if (r == ENOENT)
			break;
	}
	key_at(key, domid, h, k);
	if (--last == k)
		return side_put(key, NULL, 0);
	key_at(last_key, domid, h, last);
	if (side_get(last_key, &data, &len) != 0 ||
	    (r = side_put(key, data, len)) != 0)
		return ENOMEM;
	return side_put(last_key, NULL, 0);
}
