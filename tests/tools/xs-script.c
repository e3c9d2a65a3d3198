/* SPDX-License-Identifier: MIT */
/*
 * xs-script: run a scripted xenstore protocol test against a daemon.
 *
 * A script is a list of commands, each "<conn> <op> <args...>", followed
 * by "> " lines with the exact output the command must print.  Numbered
 * connections are opened on first use (XENSTORED_PATH).  Example:
 *
 *	1 write /a hello
 *	> 1: OK
 *	2 watch /a tok
 *	> 2: OK
 *	1 rm /a
 *	> 1: OK
 *	2 events
 *	> 2: event /a tok
 *	> 2: event /a tok
 *
 * Replies print as "<conn>: <text>", with NULs shown as spaces and a
 * trailing NUL dropped; errors print their name.  "<conn> events" prints
 * the watch events that reached the connection, in order: it first
 * round-trips a GET_DOMAIN_PATH so that every event queued before it has
 * arrived.  Ops: read write mkdir rm dir dirpart getperms setperms watch
 * unwatch start commit abort reset domainpath op (raw: "op <TYPE#> args"),
 * raw (hex bytes sent as is), send (like op, reply not awaited), reply
 * (await the reply of a send), pipeline ("pipeline N TYPE# args": N
 * requests in one write, then "<conn>: replies K" for the replies that
 * came, each within 5 s), expect-close, close.  A command run inside
 * the connection's current transaction (after "start") carries its id.
 *
 * Exit status 0 if every output matched, 1 otherwise (the mismatches are
 * printed with their line numbers).
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "unix.h"

#define MAX_CONNS 64
#define MAX_EVENTS 4096

struct tconn {
	int fd;
	uint32_t tx;
	uint32_t next_req;
	char *events[MAX_EVENTS];
	unsigned nevents;
};

static struct tconn conns[MAX_CONNS];
static const char *socket_path;

/* Output of the current command, compared with the "> " lines. */
static char outbuf[1 << 16];
static size_t outlen;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	outlen += (size_t)vsnprintf(outbuf + outlen, sizeof(outbuf) - outlen,
				    fmt, ap);
	va_end(ap);
	if (outlen >= sizeof(outbuf))
		outlen = sizeof(outbuf) - 1;
}

static void
die(const char *msg)
{
	fprintf(stderr, "xs-script: %s: %s\n", msg, strerror(errno));
	exit(2);
}

static struct tconn *
get_conn(int n)
{
	struct tconn *c;

	if (n < 1 || n >= MAX_CONNS) {
		fprintf(stderr, "xs-script: bad connection %d\n", n);
		exit(2);
	}
	c = &conns[n];
	if (c->fd <= 0) {
		c->fd = unix_connect(socket_path);
		if (c->fd < 0)
			die("connect");
	}
	return c;
}

static void
send_msg(struct tconn *c, uint32_t type, uint32_t tx, const char *p, size_t len)
{
	struct xsd_sockmsg h = {type, ++c->next_req, tx, (uint32_t)len};
	char buf[sizeof(h) + 2 * XENSTORE_PAYLOAD_MAX];

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p, len);
	if (write(c->fd, buf, sizeof(h) + len) != (ssize_t)(sizeof(h) + len))
		die("write");
}

static int
read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static char *
render(const char *p, size_t len)
{
	char *s = malloc(len + 1);
	size_t i;

	if (len && p[len - 1] == '\0')
		len--;
	for (i = 0; i < len; i++)
		s[i] = p[i] == '\0' ? ' ' : p[i];
	s[len] = '\0';
	return s;
}

/*
 * Read messages until a reply: events on the way are kept.  Returns the
 * reply's type and payload (malloc'd, rendered), or -1 on EOF.
 */
static int
read_reply(struct tconn *c, char **text, uint32_t *len_out)
{
	struct xsd_sockmsg h;
	char payload[XENSTORE_PAYLOAD_MAX + 1];

	for (;;) {
		if (read_full(c->fd, &h, sizeof(h)) ||
		    h.len > XENSTORE_PAYLOAD_MAX ||
		    read_full(c->fd, payload, h.len))
			return -1;
		if (h.type == XS_WATCH_EVENT) {
			if (c->nevents < MAX_EVENTS)
				c->events[c->nevents++] =
					render(payload, h.len);
			continue;
		}
		*text = render(payload, h.len);
		if (len_out)
			*len_out = h.len;
		return (int)h.type;
	}
}

static void
print_reply(int n, struct tconn *c, uint32_t *txid)
{
	char *text;
	int type = read_reply(c, &text, NULL);

	if (type < 0) {
		out("%d: closed\n", n);
		close(c->fd);
		c->fd = -1;
		return;
	}
	if (type == XS_ERROR)
		out("%d: %s\n", n, text);
	else if (txid)
		*txid = (uint32_t)strtoul(text, NULL, 10), out("%d: OK\n", n);
	else
		out("%d: %s\n", n, text);
	free(text);
}

/* Join argv[0..argc) as NUL-terminated strings. */
static size_t
join(char **argv, int argc, char *buf)
{
	size_t len = 0, l;
	int i;

	for (i = 0; i < argc; i++) {
		l = strlen(argv[i]) + 1;
		memcpy(buf + len, argv[i], l);
		len += l;
	}
	return len;
}

static const struct {
	const char *name;
	uint32_t type;
	int args; /* -1: any number */
} simple_ops[] = {
	{"read", XS_READ, 1},
	{"mkdir", XS_MKDIR, 1},
	{"rm", XS_RM, 1},
	{"dir", XS_DIRECTORY, 1},
	{"dirpart", XS_DIRECTORY_PART, 2},
	{"getperms", XS_GET_PERMS, 1},
	{"setperms", XS_SET_PERMS, -1},
	{"watch", XS_WATCH, -1},
	{"unwatch", XS_UNWATCH, 2},
	{"domainpath", XS_GET_DOMAIN_PATH, 1},
};

static void
cmd_events(int n, struct tconn *c)
{
	char *text;
	unsigned i;

	send_msg(c, XS_GET_DOMAIN_PATH, 0, "0", 2);
	if (read_reply(c, &text, NULL) < 0) {
		out("%d: closed\n", n);
		return;
	}
	free(text);
	for (i = 0; i < c->nevents; i++) {
		out("%d: event %s\n", n, c->events[i]);
		free(c->events[i]);
	}
	c->nevents = 0;
}

static int
hexval(int ch)
{
	return isdigit(ch) ? ch - '0' : tolower(ch) - 'a' + 10;
}

/* raw <hex...>: bytes sent as they are, e.g. a header with a bad length */
static void
cmd_raw(struct tconn *c, char **argv, int argc)
{
	char buf[2 * XENSTORE_PAYLOAD_MAX];
	size_t len = 0;
	int i;
	const char *p;

	for (i = 0; i < argc; i++)
		for (p = argv[i]; p[0] && p[1] && len < sizeof(buf); p += 2)
			buf[len++] = (char)(hexval(p[0]) << 4 | hexval(p[1]));
	if (write(c->fd, buf, len) != (ssize_t)len)
		die("write");
}

/* pipeline N TYPE args: N requests in one write(), then count replies. */
static void
cmd_pipeline(int n, struct tconn *c, char **argv, int argc)
{
	static char buf[1 << 20];
	char payload[XENSTORE_PAYLOAD_MAX], *text;
	struct pollfd pfd = {c->fd, POLLIN, 0};
	size_t plen = join(argv + 2, argc - 2, payload), len = 0;
	unsigned count = (unsigned)atoi(argv[0]), i, got = 0;
	struct xsd_sockmsg h = {(uint32_t)atoi(argv[1]), 0, c->tx,
				(uint32_t)plen};

	for (i = 0; i < count && len + sizeof(h) + plen <= sizeof(buf); i++) {
		h.req_id = ++c->next_req;
		memcpy(buf + len, &h, sizeof(h));
		memcpy(buf + len + sizeof(h), payload, plen);
		len += sizeof(h) + plen;
	}
	if (write(c->fd, buf, len) != (ssize_t)len)
		die("write");
	for (i = 0; i < count; i++) {
		if (poll(&pfd, 1, 5000) != 1 || read_reply(c, &text, NULL) < 0)
			break;
		free(text);
		got++;
	}
	out("%d: replies %u\n", n, got);
}

static void
cmd_expect_close(int n, struct tconn *c)
{
	struct pollfd pfd = {c->fd, POLLIN, 0};
	char buf[256];
	ssize_t r;

	/* Drain whatever came before the close. */
	while (poll(&pfd, 1, 5000) == 1 && (r = read(c->fd, buf, 256)) > 0)
		;
	out("%d: %s\n", n, pfd.revents ? "closed" : "still open");
	close(c->fd);
	c->fd = -1;
}

static void
run_command(char *line)
{
	char *argv[512], *save, *tok;
	char buf[2 * XENSTORE_PAYLOAD_MAX];
	int argc = 0, n;
	size_t i;
	struct tconn *c;
	const char *op, *rest;

	/* write keeps the rest of the line as its value */
	for (tok = strtok_r(line, " \t", &save); tok && argc < 511;
	     tok = strtok_r(NULL,
			    argc == 3 && strcmp(argv[1], "write") == 0 ? ""
								       : " \t",
			    &save))
		argv[argc++] = tok;
	if (argc < 2)
		return;
	n = atoi(argv[0]);
	op = argv[1];
	c = get_conn(n);
	if (strcmp(op, "write") == 0 && argc >= 3) {
		size_t plen = strlen(argv[2]) + 1;
		rest = argc > 3 ? argv[3] : "";
		memcpy(buf, argv[2], plen);
		memcpy(buf + plen, rest, strlen(rest));
		send_msg(c, XS_WRITE, c->tx, buf, plen + strlen(rest));
		print_reply(n, c, NULL);
		return;
	}
	for (i = 0; i < sizeof(simple_ops) / sizeof(simple_ops[0]); i++) {
		if (strcmp(op, simple_ops[i].name) != 0)
			continue;
		send_msg(c, simple_ops[i].type, c->tx, buf,
			 join(argv + 2, argc - 2, buf));
		print_reply(n, c, NULL);
		return;
	}
	if (strcmp(op, "start") == 0) {
		send_msg(c, XS_TRANSACTION_START, c->tx, "", 1);
		print_reply(n, c, &c->tx);
	} else if (strcmp(op, "commit") == 0 || strcmp(op, "abort") == 0) {
		send_msg(c, XS_TRANSACTION_END, c->tx, op[0] == 'c' ? "T" : "F",
			 2);
		c->tx = 0;
		print_reply(n, c, NULL);
	} else if (strcmp(op, "reset") == 0) {
		send_msg(c, XS_RESET_WATCHES, 0, "", 1);
		c->tx = 0;
		print_reply(n, c, NULL);
	} else if (strcmp(op, "op") == 0 || strcmp(op, "send") == 0) {
		send_msg(c, (uint32_t)atoi(argv[2]), c->tx, buf,
			 join(argv + 3, argc - 3, buf));
		if (op[0] == 'o')
			print_reply(n, c, NULL);
	} else if (strcmp(op, "reply") == 0) {
		print_reply(n, c, NULL);
	} else if (strcmp(op, "events") == 0) {
		cmd_events(n, c);
	} else if (strcmp(op, "raw") == 0) {
		cmd_raw(c, argv + 2, argc - 2);
	} else if (strcmp(op, "pipeline") == 0 && argc >= 4) {
		cmd_pipeline(n, c, argv + 2, argc - 2);
	} else if (strcmp(op, "expect-close") == 0) {
		cmd_expect_close(n, c);
	} else if (strcmp(op, "close") == 0) {
		close(c->fd);
		c->fd = -1;
		c->tx = 0;
	} else {
		fprintf(stderr, "xs-script: unknown op %s\n", op);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	FILE *f;
	char line[8192], expected[1 << 16];
	size_t elen = 0;
	unsigned lineno = 0, cmdline = 0, failures = 0;

	socket_path = getenv("XENSTORED_PATH");
	if (argc != 2 || socket_path == NULL) {
		fprintf(stderr, "usage: XENSTORED_PATH=sock xs-script FILE\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (f == NULL)
		die(argv[1]);
	for (;;) {
		bool eof = fgets(line, sizeof(line), f) == NULL;

		lineno++;
		if (!eof && strncmp(line, "> ", 2) == 0) {
			size_t l = strlen(line + 2);

			memcpy(expected + elen, line + 2, l);
			elen += l;
			if (l == 0 || expected[elen - 1] != '\n')
				expected[elen++] = '\n';
			continue;
		}
		if (cmdline &&
		    (elen != outlen || memcmp(expected, outbuf, outlen) != 0)) {
			failures++;
			printf("line %u: expected:\n%.*sgot:\n%.*s", cmdline,
			       (int)elen, expected, (int)outlen, outbuf);
		}
		elen = outlen = 0;
		cmdline = 0;
		if (eof)
			break;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		cmdline = lineno;
		run_command(line);
	}
	fclose(f);
	printf("%s: %u mismatches\n", argv[1], failures);
	return failures ? 1 : 0;
}
