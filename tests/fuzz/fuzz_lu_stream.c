/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the migration stream reader (lu_stream.c), which a
 * live-updated daemon runs on a file another binary wrote.  Every record
 * goes to visitors that touch each byte they are given.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lu_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static int
on_conn(void *arg, const struct lu_conn *c)
{
	size_t i;

	(void)arg;
	for (i = 0; i < c->in_len; i++)
		sink += c->in[i];
	for (i = 0; i < c->out_len; i++)
		sink += c->out[i];
	return 0;
}

static int
on_watch(void *arg, const struct lu_watch *w)
{
	(void)arg;
	sink += strlen(w->path) + strlen(w->token);
	return 0;
}

static int
on_node(void *arg, const struct lu_node *n)
{
	(void)arg;
	sink += strlen(n->path) + n->vlen +
		(n->vlen ? ((const uint8_t *)n->value)[n->vlen - 1] : 0);
	return 0;
}

static int
on_quota(void *arg, const struct lu_quota *q)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < q->n; i++)
		sink += strlen(q->names[i]) + q->values[i];
	return 0;
}

static const struct lu_visitor visitor = {
	.conn = on_conn,
	.watch = on_watch,
	.node = on_node,
	.quota = on_quota,
	.domain = on_quota,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;

	if (size > 1 << 20)
		return 0;
	lu_read(data, size, &visitor, NULL, NULL, &why);
	return 0;
}
