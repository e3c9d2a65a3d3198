/* SPDX-License-Identifier: MIT */
/*
 * CONTROL stream: the change stream (stream.h) for the pool agent, a
 * privileged client of the local socket.  docs/pool.md describes the
 * protocol; in short:
 *
 *	stream register <prefix>...	follow these; reply "<first> <last>"
 *	stream bounds			reply "<first> <last>"
 *	stream read <seq> [<i> <off>]	group seq, from change i, byte off of
 *					its value
 *	stream ack <seq>		every group up to seq is handled
 *	stream hold <prefix>...		hold the replies of commits under
 *					these for my verdict (hold.h)
 *	stream verdict <seq> ok|lost	group seq is in etcd, or lost there:
 *					its held commit gets OK or EAGAIN
 *
 * A read's reply is one page (XENSTORE_PAYLOAD_MAX) of:
 *
 *	<seq> <flags> <changes>\n	flags: "-", or "a" (the agent's own
 *					change), "l" (changes lost here)
 *					and/or "h" (a commit waits for the
 *					verdict on it)
 *	W <path> <vlen> <off> <n>\n<n bytes of the value from off>\n
 *	R <path>\n			removed
 *	.\n				the group is complete, or
 *	> <i> <off>\n			read on from change i, value byte off
 *
 * so that a group of any size, and a value as large as a request allows,
 * comes in pages.  Errors: ENOENT (seq not written yet), ENOSPC (seq
 * dropped: read the tree again), ENOSYS (the daemon has no stream file),
 * EBUSY (another agent is registered).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "hold.h"
#include "ops.h"
#include "stream.h"
#include "xs_wire.h"

/* Room kept for the closing line ("> <i> <off>\n"). */
#define TAIL_ROOM 32

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int
reply_bounds(struct conn *c, const struct msg *m)
{
	char buf[64];
	uint64_t f, l;

	stream_bounds(&f, &l);
	snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRIu64, f, l);
	conn_reply_str(c, m, buf);
	return 0;
}

/* Append to buf (used bytes *len of XENSTORE_PAYLOAD_MAX); 0 or -1. */
static int
put(char *buf, size_t *len, const void *data, size_t n)
{
	if (n > XENSTORE_PAYLOAD_MAX - TAIL_ROOM - *len)
		return -1;
	memcpy(buf + *len, data, n);
	*len += n;
	return 0;
}

static int
read_group(void *ctx, struct conn *c, const struct msg *m, uint64_t seq,
	   uint64_t i, uint64_t off)
{
	char buf[XENSTORE_PAYLOAD_MAX], line[XENSTORE_PAYLOAD_MAX];
	struct stream_group *g;
	size_t len = 0, room, n;
	bool held;
	int err, l;

	err = stream_read(ctx, seq, &g);
	if (err)
		return err;
	if (i > g->n || (i < g->n && off > g->changes[i].vlen))
		return EINVAL;
	held = hold_waits(seq);
	l = snprintf(line, sizeof(line), "%" PRIu64 " %s%s%s%s %u\n", seq,
		     g->agent ? "a" : "", g->lost ? "l" : "", held ? "h" : "",
		     g->agent || g->lost || held ? "" : "-", g->n);
	put(buf, &len, line, (size_t)l);
	for (; i < g->n; i++, off = 0) {
		const struct stream_change *ch = &g->changes[i];

		if (ch->removed) {
			l = snprintf(line, sizeof(line), "R %s\n", ch->path);
			if (put(buf, &len, line, (size_t)l) != 0)
				break;
			continue;
		}
		/* As much of the value as fits after its line. */
		l = snprintf(line, sizeof(line), "W %s %u %" PRIu64 " ",
			     ch->path, ch->vlen, off);
		room = XENSTORE_PAYLOAD_MAX - TAIL_ROOM - len;
		if ((size_t)l + 8 >= room)
			break;
		n = ch->vlen - off;
		if (n > room - (size_t)l - 8)
			n = room - (size_t)l - 8;
		if (n == 0 && ch->vlen > off)
			break;
		l += snprintf(line + l, sizeof(line) - (size_t)l, "%zu\n", n);
		put(buf, &len, line, (size_t)l);
		put(buf, &len, (const char *)ch->value + off, n);
		put(buf, &len, "\n", 1);
		if (off + n < ch->vlen) {
			off += n;
			break;
		}
	}
	if (i == g->n)
		l = snprintf(line, sizeof(line), ".\n");
	else
		l = snprintf(line, sizeof(line), "> %" PRIu64 " %" PRIu64 "\n",
			     i, off);
	memcpy(buf + len, line, (size_t)l);
	len += (size_t)l;
	conn_reply(c, m, XS_CONTROL, buf, len);
	return 0;
}

int
ops_stream(void *ctx, struct conn *c, struct msg *m, const char **argv,
	   unsigned argc)
{
	uint64_t seq, i = 0, off = 0;
	const char *what;
	int err;

	if (argc == 0)
		return EINVAL;
	if (strcmp(argv[0], "register") == 0) {
		err = stream_register(c, argv + 1, argc - 1);
		return err ? err : reply_bounds(c, m);
	}
	if (strcmp(argv[0], "bounds") == 0 && argc == 1)
		return reply_bounds(c, m);
	if (strcmp(argv[0], "ack") == 0 && argc == 2) {
		if (parse_u64(argv[1], &seq) != 0)
			return EINVAL;
		err = stream_ack(seq);
		if (err == 0)
			conn_reply_str(c, m, "OK");
		return err;
	}
	if (strcmp(argv[0], "hold") == 0) {
		err = hold_prefixes(c, argv + 1, argc - 1);
		if (err == 0)
			conn_reply_str(c, m, "OK");
		return err;
	}
	/* verdict <seq> [<last>] ok|lost */
	if (strcmp(argv[0], "verdict") == 0 && (argc == 3 || argc == 4)) {
		what = argv[argc - 1];
		if (parse_u64(argv[1], &seq) != 0 ||
		    (argc == 4 && parse_u64(argv[2], &i) != 0) ||
		    (strcmp(what, "ok") != 0 && strcmp(what, "lost") != 0))
			return EINVAL;
		err = hold_verdict(c, seq, argc == 4 ? i : seq, what[0] == 'o');
		if (err == 0)
			conn_reply_str(c, m, "OK");
		return err;
	}
	if (strcmp(argv[0], "read") == 0 && (argc == 2 || argc == 4)) {
		if (parse_u64(argv[1], &seq) != 0 ||
		    (argc == 4 &&
		     (parse_u64(argv[2], &i) || parse_u64(argv[3], &off))))
			return EINVAL;
		return read_group(ctx, c, m, seq, i, off);
	}
	return EINVAL;
}
