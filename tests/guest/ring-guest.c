/* SPDX-License-Identifier: MIT */
/*
 * ring-guest: the smallest guest for the daemon's ring tests.  Run as a
 * simulated domain (by xenhyp-ctl launch), it finds its xenstore page and
 * port in its start info and sends each argument as one request over the
 * ring, printing "<TYPE> <reply>" per reply (NULs as spaces) and
 * "event <path> <token>" per watch event that arrives meanwhile.
 *
 * Arguments: "read:PATH", "write:PATH=VALUE", "dir:PATH", "rm:PATH",
 * "watch:PATH:TOKEN", "perms:PATH", "setperms:PATH:n1:r0",
 * "introduce:DOMID:0:PORT", "events:N" (wait for N events), "start"
 * (a transaction: the requests after it run in it) and "end:T|F",
 * "garbage" (write nonsense indexes into the ring), "features" (print
 * the features the daemon offers on the ring), "reconnect" (ask
 * for a fresh connection and wait until the daemon made it), "sleep"
 * (wait for a signal), "unannounced:N:PATH" (put N READs of PATH on the
 * ring without notifying, print "queued N", then wait for the N
 * replies).  Exits 0 when every request got a reply.
 *
 * For the security tests (tests/security), which play a hostile guest:
 * "op:TYPE:A:B..." (any request type by number, the strings after it
 * NUL-terminated), "tx:N" (the following requests carry tx_id N),
 * "use:K" (go back to the K-th transaction "start" opened, 0: none),
 * "repeat:N:CMD" (CMD N times, or until an error, N 0 for ever, with
 * '#' in CMD replaced by the round's number; prints one summary line),
 * "flood:N:CMD" (send CMD N times without reading any reply; stops when
 * the ring stays full for two seconds; prints how many went out),
 * "drain:N" (read N replies), "raw:HEX" (bytes into the ring as they
 * are), "error" (wait for the daemon to set the ring's error field and
 * print it), "wait:FILE" (wait until FILE exists), "full" (wait until
 * the daemon has filled the ring of replies), "consumed" (wait until it
 * has given back all we wrote), "unconsume" (put req_cons back to
 * the start of the last request, as a daemon killed before giving it
 * back would have left it: the daemon must be stopped) and "linux" (from
 * then on, read replies as Linux's xenbus driver does: notify the
 * daemon after reading only if the ring was full, and print "stalled"
 * and exit 1 if a reply stops coming for 10 s).
 *
 * For the live-update tests: "incr:N:PATH" (N increments of the number
 * in PATH, each a READ and a WRITE) and "tincr:N:PATH" (the same, each
 * in a transaction, again after EAGAIN); any other error stops the guest
 * with "incr error" and exit status 1, else "incr done N" is printed.
 */
#include <errno.h>
#include <ctype.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>

#include "frame.h"
#include "ring.h"
#include "xensim.h"

static struct xenstore_domain_interface *intf;
static xenevtchn_handle *xce;
static unsigned port;
static uint32_t tx_id; /* of the open transaction ("start"), or 0 */
static XENSTORE_RING_IDX last_start; /* of the last request ("unconsume") */
static uint32_t started[64];	     /* every transaction "start" opened */
static unsigned nstarted;
static char last_reply[XENSTORE_PAYLOAD_MAX + 1];
static uint32_t last_type; /* of the last reply */
static int quiet;	   /* inside "repeat": no line per reply (events are) */
static int send_only;	   /* inside "flood": replies are not read */
static int stalled;	   /* "flood" found the ring full for too long */
static int linux_rule;	   /* "linux": notify after reading only if full */

static void run(char *arg);

static void
die(const char *what)
{
	fprintf(stderr, "ring-guest: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Wait for our port to fire: 0, or -1 after ms without an event. */
static int
wait_event_for(int ms)
{
	struct pollfd p = {xenevtchn_fd(xce), POLLIN, 0};

	if (poll(&p, 1, ms) != 1)
		return -1;
	if (xenevtchn_pending(xce) >= 0)
		xenevtchn_unmask(xce, port);
	return 0;
}

static void
wait_event(void)
{
	if (wait_event_for(10000) < 0)
		die("no event from xenstored");
}

/* 0 once all of buf is in the ring; -1 if "flood" found it stuck full. */
static int
put(const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = ring_write(intf, RING_CLIENT, p, len);
		if (n < 0)
			die("ring_write");
		xenevtchn_notify(xce, port);
		if (n == 0) {
			if (!send_only)
				wait_event();
			else if (wait_event_for(2000) < 0)
				return -1;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
get(void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	bool was_full;

	while (len) {
		was_full =
			intf->rsp_prod - intf->rsp_cons >= XENSTORE_RING_SIZE;
		n = ring_read(intf, RING_CLIENT, p, len);
		if (n < 0)
			die("ring_read");
		if (n == 0 && !linux_rule) {
			wait_event();
			continue;
		}
		if (n == 0) {
			/* Nothing will ever come: say so rather than hang. */
			if (wait_event_for(10000) < 0) {
				printf("stalled\n");
				exit(1);
			}
			continue;
		}
		if (!linux_rule || was_full)
			xenevtchn_notify(xce, port);
		p += n;
		len -= (size_t)n;
	}
}

static void
print_msg(const struct xsd_sockmsg *h, char *body)
{
	uint32_t i;

	for (i = 0; i + 1 < h->len; i++)
		if (body[i] == '\0')
			body[i] = ' ';
	if (h->type == XS_WATCH_EVENT)
		printf("event %.*s\n", (int)h->len, body);
	else
		printf("%s %.*s\n", frame_type_name(h->type), (int)h->len,
		       body);
	fflush(stdout);
}

/* Read messages until a reply (events are printed on the way). */
static void
await_reply(unsigned events_wanted)
{
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];
	unsigned seen = 0;

	for (;;) {
		get(&h, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			die("reply too long");
		get(body, h.len);
		body[h.len] = '\0';
		if (h.type != XS_WATCH_EVENT) {
			memcpy(last_reply, body, h.len + 1);
			last_type = h.type;
		}
		if (!quiet || h.type == XS_WATCH_EVENT)
			print_msg(&h, body);
		if (h.type == XS_WATCH_EVENT) {
			if (events_wanted && ++seen == events_wanted)
				return;
			continue;
		}
		if (!events_wanted)
			return;
	}
}

static void
request(uint32_t type, const char *a, const char *b, size_t blen)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg h = {type, 1, tx_id, 0};
	size_t alen = strlen(a) + 1;

	memcpy(buf, a, alen);
	memcpy(buf + alen, b, blen);
	h.len = (uint32_t)(alen + blen);
	if (stalled)
		return;
	last_start = intf->req_prod;
	if (put(&h, sizeof(h)) < 0 || put(buf, h.len) < 0) {
		stalled = 1;
		return;
	}
	if (!send_only)
		await_reply(0);
}

/* N READs of path on the ring, with no event to announce them. */
static void
unannounced(unsigned n, const char *path)
{
	struct xsd_sockmsg h = {XS_READ, 1, tx_id, 0};
	size_t len = strlen(path) + 1;
	unsigned i;

	h.len = (uint32_t)len;
	for (i = 0; i < n; i++)
		if (ring_write(intf, RING_CLIENT, &h, sizeof(h)) !=
			    (ssize_t)sizeof(h) ||
		    ring_write(intf, RING_CLIENT, path, len) != (ssize_t)len)
			die("no room on the ring");
	printf("queued %u\n", n);
	fflush(stdout);
	for (i = 0; i < n; i++)
		await_reply(0);
}

/* "op:TYPE:A:B...": the strings after TYPE, each NUL-terminated. */
static void
raw_op(char *rest)
{
	char *s = strchr(rest, ':');
	size_t n = 0;

	if (s) {
		*s++ = '\0';
		for (n = 0; s[n]; n++)
			if (s[n] == ':')
				s[n] = '\0';
	}
	if (s == NULL)
		request((uint32_t)strtoul(rest, NULL, 10), "", "", 0);
	else
		request((uint32_t)strtoul(rest, NULL, 10), s, s + strlen(s) + 1,
			n - strlen(s));
}

/* CMD with each '#' replaced by i, into buf. */
static void
expand(char *buf, size_t size, const char *cmd, unsigned long i)
{
	size_t len = 0;

	for (; *cmd && len + 24 < size; cmd++) {
		if (*cmd == '#')
			len += (size_t)snprintf(buf + len, size - len, "%lu",
						i);
		else
			buf[len++] = *cmd;
	}
	buf[len] = '\0';
}

/* "repeat:N:CMD": prints "repeat ok K" and, if one failed, its error. */
static void
repeat(char *rest)
{
	char *cmd = strchr(rest, ':'), *buf;
	unsigned long n = strtoul(rest, NULL, 10), i;
	size_t size;

	if (cmd == NULL)
		return;
	cmd++;
	size = strlen(cmd) * 8 + 64;
	buf = malloc(size);
	if (buf == NULL)
		die("malloc");
	quiet = 1;
	for (i = 0; n == 0 || i < n; i++) {
		expand(buf, size, cmd, i);
		run(buf);
		if (last_type == XS_ERROR)
			break;
	}
	quiet = 0;
	if (last_type == XS_ERROR)
		printf("repeat ok %lu %s\n", i, last_reply);
	else
		printf("repeat ok %lu\n", i);
	fflush(stdout);
	free(buf);
}

/* "flood:N:CMD": CMD N times without reading a reply. */
static void
flood(char *rest)
{
	char *cmd = strchr(rest, ':'), *buf;
	unsigned long n = strtoul(rest, NULL, 10), i;
	size_t size;

	if (cmd == NULL)
		return;
	cmd++;
	size = strlen(cmd) * 8 + 64;
	buf = malloc(size);
	if (buf == NULL)
		die("malloc");
	send_only = 1;
	stalled = 0;
	for (i = 0; i < n && !stalled; i++) {
		expand(buf, size, cmd, i);
		run(buf);
	}
	send_only = 0;
	printf("flood sent %lu%s\n", stalled ? i - 1 : i,
	       stalled ? " stalled" : "");
	fflush(stdout);
	free(buf);
}

static int
hexval(int ch)
{
	return isdigit(ch) ? ch - '0' : tolower(ch) - 'a' + 10;
}

/* "raw:HEX": bytes into the ring as they are (a bad header, say). */
static void
raw_bytes(const char *hex)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t len = 0;

	for (; hex[0] && hex[1] && len < sizeof(buf); hex += 2)
		buf[len++] = (char)(hexval(hex[0]) << 4 | hexval(hex[1]));
	send_only = 1;
	if (put(buf, len) < 0)
		printf("raw stalled\n");
	send_only = 0;
}

/* "full": wait (10 s at most) until the daemon has filled our replies' ring. */
static void
await_full(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (intf->rsp_prod - intf->rsp_cons >= XENSTORE_RING_SIZE) {
			printf("ring full\n");
			fflush(stdout);
			return;
		}
		usleep(10000);
	}
	printf("ring not full\n");
	exit(1);
}

/* "consumed": wait (10 s at most) until the daemon took all we wrote. */
static void
await_consumed(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (intf->req_cons == intf->req_prod) {
			printf("consumed\n");
			fflush(stdout);
			return;
		}
		usleep(10000);
	}
	printf("not consumed\n");
	exit(1);
}

/* "error": wait (5 s at most) for the daemon to set the error field. */
static void
await_error(void)
{
	int i;

	for (i = 0; i < 100 && intf->error == 0; i++)
		usleep(50000);
	printf("error %u\n", intf->error);
	fflush(stdout);
}

/* "wait:FILE": the test's signal to go on (60 s at most). */
static void
wait_file(const char *file)
{
	int i;

	for (i = 0; i < 3000 && access(file, F_OK) != 0; i++)
		usleep(20000);
	if (i == 3000)
		die(file);
}

/* The number the last READ answered (0 for ENOENT); -1 on an error. */
static long
read_number(const char *path)
{
	request(XS_READ, path, "", 0);
	if (last_type == XS_ERROR)
		return strcmp(last_reply, "ENOENT") == 0 ? 0 : -1;
	return strtol(last_reply, NULL, 10);
}

static void
incr_failed(const char *what)
{
	printf("incr error %s: %s %s\n", what, frame_type_name(last_type),
	       last_reply);
	exit(1);
}

/* "incr:N:PATH" or, in transactions, "tincr:N:PATH". */
static void
increments(char *rest, bool txn)
{
	char *path = strchr(rest, ':'), val[32];
	unsigned long n = strtoul(rest, NULL, 10), i;
	long v;

	if (path == NULL)
		incr_failed("usage");
	*path++ = '\0';
	quiet = 1;
	for (i = 0; i < n; i++) {
		do {
			if (txn) {
				tx_id = 0;
				request(XS_TRANSACTION_START, "", "", 0);
				if (last_type != XS_TRANSACTION_START)
					incr_failed("start");
				tx_id = (uint32_t)strtoul(last_reply, NULL, 10);
			}
			if ((v = read_number(path)) < 0)
				incr_failed("read");
			snprintf(val, sizeof(val), "%ld", v + 1);
			request(XS_WRITE, path, val, strlen(val));
			if (last_type != XS_WRITE)
				incr_failed("write");
			if (!txn)
				break;
			request(XS_TRANSACTION_END, "T", "", 0);
			tx_id = 0;
		} while (last_type == XS_ERROR &&
			 strcmp(last_reply, "EAGAIN") == 0);
		if (txn && last_type != XS_TRANSACTION_END)
			incr_failed("end");
	}
	quiet = 0;
	printf("incr done %lu\n", n);
	fflush(stdout);
}

static void
run(char *arg)
{
	char *op = strtok(arg, ":"), *rest = strtok(NULL, "");
	char *eq, *s;
	size_t n;

	if (strcmp(op, "read") == 0) {
		request(XS_READ, rest, "", 0);
	} else if (strcmp(op, "write") == 0) {
		eq = strchr(rest, '=');
		*eq = '\0';
		request(XS_WRITE, rest, eq + 1, strlen(eq + 1));
	} else if (strcmp(op, "dir") == 0) {
		request(XS_DIRECTORY, rest, "", 0);
	} else if (strcmp(op, "rm") == 0) {
		request(XS_RM, rest, "", 0);
	} else if (strcmp(op, "perms") == 0) {
		request(XS_GET_PERMS, rest, "", 0);
	} else if (strcmp(op, "watch") == 0 || strcmp(op, "setperms") == 0 ||
		   strcmp(op, "introduce") == 0) {
		/* colon-separated strings after the first */
		s = strchr(rest, ':');
		*s++ = '\0';
		for (n = 0; s[n]; n++)
			if (s[n] == ':')
				s[n] = '\0';
		request(op[0] == 'w'   ? XS_WATCH
			: op[0] == 's' ? XS_SET_PERMS
				       : XS_INTRODUCE,
			rest, s, n + 1);
	} else if (strcmp(op, "start") == 0) {
		tx_id = 0; /* a new transaction, not one inside the last */
		request(XS_TRANSACTION_START, "", "", 0);
		tx_id = (uint32_t)strtoul(last_reply, NULL, 10);
		if (nstarted < sizeof(started) / sizeof(started[0]))
			started[nstarted++] = tx_id;
	} else if (strcmp(op, "use") == 0) {
		n = strtoul(rest, NULL, 10);
		tx_id = n && n <= nstarted ? started[n - 1] : 0;
	} else if (strcmp(op, "tx") == 0) {
		tx_id = (uint32_t)strtoul(rest, NULL, 10);
	} else if (strcmp(op, "op") == 0) {
		raw_op(rest);
	} else if (strcmp(op, "repeat") == 0) {
		repeat(rest);
	} else if (strcmp(op, "flood") == 0) {
		flood(rest);
	} else if (strcmp(op, "drain") == 0) {
		for (n = strtoul(rest, NULL, 10); n > 0; n--)
			await_reply(0);
	} else if (strcmp(op, "raw") == 0) {
		raw_bytes(rest);
	} else if (strcmp(op, "error") == 0) {
		await_error();
	} else if (strcmp(op, "wait") == 0) {
		wait_file(rest);
	} else if (strcmp(op, "end") == 0) {
		request(XS_TRANSACTION_END, rest, "", 0);
		tx_id = 0;
	} else if (strcmp(op, "events") == 0) {
		await_reply((unsigned)atoi(rest));
	} else if (strcmp(op, "garbage") == 0) {
		intf->req_prod = intf->req_cons + 5000;
		xenevtchn_notify(xce, port);
		sleep(1);
		printf("error %u\n", intf->error);
		fflush(stdout);
	} else if (strcmp(op, "features") == 0) {
		printf("features %u\n", intf->server_features);
		fflush(stdout);
	} else if (strcmp(op, "reconnect") == 0) {
		/* Ask for a fresh connection (feature bit 1) and wait for it.
		 */
		intf->connection = XENSTORE_RECONNECT;
		xenevtchn_notify(xce, port);
		while (intf->connection != XENSTORE_CONNECTED)
			wait_event();
		printf("reconnected features %u\n", intf->server_features);
		fflush(stdout);
	} else if (strcmp(op, "unannounced") == 0) {
		s = strchr(rest, ':');
		*s++ = '\0';
		unannounced((unsigned)atoi(rest), s);
	} else if (strcmp(op, "sleep") == 0) {
		pause();
	} else if (strcmp(op, "linux") == 0) {
		linux_rule = 1;
	} else if (strcmp(op, "full") == 0) {
		await_full();
	} else if (strcmp(op, "consumed") == 0) {
		await_consumed();
	} else if (strcmp(op, "unconsume") == 0) {
		intf->req_cons = last_start;
		printf("unconsumed\n");
		fflush(stdout);
	} else if (strcmp(op, "incr") == 0 || strcmp(op, "tincr") == 0) {
		increments(rest, op[0] == 't');
	}
}

/* INTRODUCE dom0 with port, over the unix socket. */
static void
introduce_dom0(unsigned p)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	const char *path = getenv("XENSTORED_PATH");
	char msg[64], reply[64];
	int fd, len;
	struct xsd_sockmsg h = {XS_INTRODUCE, 1, 0, 0};

	len = snprintf(msg + sizeof(h), sizeof(msg) - sizeof(h), "0%c0%c%u", 0,
		       0, p) +
	      1;
	h.len = (uint32_t)len;
	memcpy(msg, &h, sizeof(h));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (path == NULL || strlen(path) >= sizeof(sun.sun_path))
		die("XENSTORED_PATH");
	strcpy(sun.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    write(fd, msg, sizeof(h) + (size_t)len) < 0 ||
	    read(fd, reply, sizeof(reply)) < (ssize_t)sizeof(h))
		die("INTRODUCE over the socket");
	close(fd);
}

/* dom0 on its own ring: its port, its page, and the introduction. */
static void
setup_dom0(xenforeignmemory_handle *fmem)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	xen_pfn_t pfn = XSIM_STORE_PFN;
	int p;

	if (xch == NULL)
		die("xc_interface_open");
	p = xc_evtchn_alloc_unbound(xch, 0, 0);
	if (p < 0 || xsim_evtchn_attach(xce, (uint32_t)p) < 0)
		die("dom0 port");
	xc_interface_close(xch);
	port = (unsigned)p;
	intf = xenforeignmemory_map(fmem, 0, PROT_READ | PROT_WRITE, 1, &pfn,
				    NULL);
	if (intf == NULL)
		die("map dom0's page");
	introduce_dom0(port);
	wait_event();
	printf("domid 0\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
	xen_pfn_t si_pfn = XSIM_START_INFO_PFN, st_pfn = XSIM_STORE_PFN;
	struct xsim_start_info *si;
	int i;

	xce = xenevtchn_open(NULL, 0);
	if (fmem == NULL || xce == NULL)
		die("open");
	if (argc > 1 && strcmp(argv[1], "dom0") == 0) {
		setup_dom0(fmem);
		for (i = 2; i < argc; i++)
			run(argv[i]);
		xenforeignmemory_close(fmem);
		return 0;
	}
	si = xenforeignmemory_map(fmem, DOMID_SELF, PROT_READ, 1, &si_pfn,
				  NULL);
	intf = xenforeignmemory_map(fmem, DOMID_SELF, PROT_READ | PROT_WRITE, 1,
				    &st_pfn, NULL);
	if (si == NULL || intf == NULL)
		die("map");
	if (xsim_evtchn_attach(xce, si->store_evtchn) < 0)
		die("attach");
	port = si->store_evtchn;
	/* Like a guest unpaused after INTRODUCE: wait for the daemon. */
	wait_event();
	printf("domid %u\n", si->domid);
	fflush(stdout);
	for (i = 1; i < argc; i++)
		run(argv[i]);
	return 0;
}
