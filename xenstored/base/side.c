/* SPDX-License-Identifier: MIT */
/*
 * The table of side records (side.h): a tree by key (containers.h) of
 * malloc'd entries.  A removed record stays as an entry without data (a
 * tombstone) so that a fold can delete it from the tdb file; there is
 * one per key ever used (a guest's domid), so they stay few.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"
#include "side.h"

struct side {
	RB_ENTRY(side) link;
	TAILQ_ENTRY(side) pend; /* while put */
	void *data;		/* NULL: removed */
	size_t len;
	bool put; /* since side_written() */
	char key[];
};

static int
side_cmp(const struct side *a, const struct side *b)
{
	return strcmp(a->key, b->key);
}

RB_HEAD(sides, side);
RB_GENERATE_LOCAL(sides, side, link, side_cmp)

static struct sides sides = RB_INITIALIZER(&sides);
/* The records put since side_written(): a turn costs what it put. */
static TAILQ_HEAD(, side) pending = TAILQ_HEAD_INITIALIZER(pending);

static struct side *
find(const char *key)
{
	size_t len = strlen(key);
	struct side *s = malloc(sizeof(*s) + len + 1), *found;

	/* A lookup key of our own: RB_FIND wants an element. */
	if (s == NULL)
		return NULL;
	memcpy(s->key, key, len + 1);
	found = RB_FIND(sides, &sides, s);
	if (found == NULL) {
		s->data = NULL;
		s->len = 0;
		s->put = false;
		RB_INSERT(sides, &sides, s);
		return s;
	}
	free(s);
	return found;
}

static int
set(const char *key, const void *data, size_t len, bool put)
{
	void *copy = NULL;
	struct side *s;

	if (data != NULL && (copy = malloc(len ? len : 1)) == NULL)
		return ENOMEM;
	if ((s = find(key)) == NULL) {
		free(copy);
		return ENOMEM;
	}
	if (copy)
		memcpy(copy, data, len);
	free(s->data);
	s->data = copy;
	s->len = len;
	if (put && !s->put)
		TAILQ_INSERT_TAIL(&pending, s, pend);
	s->put |= put;
	return 0;
}

int
side_put(const char *key, const void *data, size_t len)
{
	return set(key, data, len, true);
}

int
side_load(const char *key, const void *data, size_t len)
{
	return set(key, data, len, false);
}

int
side_get(const char *key, const void **data, size_t *len)
{
	size_t klen = strlen(key);
	struct side *s = malloc(sizeof(*s) + klen + 1), *found;

	/* Unlike find(), a lookup that inserts nothing. */
	if (s == NULL)
		return ENOMEM;
	memcpy(s->key, key, klen + 1);
	found = RB_FIND(sides, &sides, s);
	free(s);
	if (found == NULL || found->data == NULL)
		return ENOENT;
	*data = found->data;
	*len = found->len;
	return 0;
}

void
side_foreach(const char *prefix,
	     void (*fn)(const char *key, const void *data, size_t len,
			void *arg),
	     void *arg)
{
	size_t plen = strlen(prefix);
	struct side *s, *next;

	RB_FOREACH_SAFE(s, sides, &sides, next)
		if (s->data && strncmp(s->key, prefix, plen) == 0)
			fn(s->key, s->data, s->len, arg);
}

bool
side_pending(void)
{
	return !TAILQ_EMPTY(&pending);
}

void
side_each_put(bool all,
	      void (*fn)(const char *key, const void *data, size_t len,
			 void *arg),
	      void *arg)
{
	struct side *s;

	if (all) {
		RB_FOREACH(s, sides, &sides)
			fn(s->key, s->data, s->len, arg);
		return;
	}
	TAILQ_FOREACH(s, &pending, pend)
		fn(s->key, s->data, s->len, arg);
}

void
side_written(void)
{
	struct side *s;

	while ((s = TAILQ_FIRST(&pending)) != NULL) {
		TAILQ_REMOVE(&pending, s, pend);
		s->put = false;
	}
}

void
side_clear(void)
{
	struct side *s, *next;

	TAILQ_INIT(&pending);
	RB_FOREACH_SAFE(s, sides, &sides, next) {
		RB_REMOVE(sides, &sides, s);
		free(s->data);
		free(s);
	}
}
