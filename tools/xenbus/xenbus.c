/* SPDX-License-Identifier: MIT */
/*
 * xsim-xenbus: dom0's kernel xenbus device when xenstore runs in a stub
 * domain (Linux's /dev/xen/xenbus and xenbus_backend, played by a dom0
 * process).  dom0 has one xenstore ring, as any domain; this process
 * owns it and multiplexes every dom0 client over it:
 *
 *   xsim-xenbus -d STUBDOMID -s SOCKET [-p PORTFILE] [-r READYFILE]
 *               [-b USECS] [-v]
 *
 * At start it does what Linux's IOCTL_XENBUS_BACKEND_SETUP does: it
 * grants dom0's ring page to the stub domain through the reserved grant
 * reference 1 and allocates an unbound port for it, and prints that port
 * (the stub's `--event`) on standard output, and into PORTFILE if
 * given.  READYFILE, if given, is created once the daemon has connected
 * the ring.  Then it serves SOCKET, a
 * unix socket speaking the xenbus device's protocol (the socket framing:
 * header and payload, a reply for each request), so that Xen's
 * libxenstore and ours reach the stub through XENSTORED_PATH=SOCKET.
 *
 * Each client has its own watches and transactions, as each open file of
 * Linux's device has: request ids are replaced by ours on the ring and
 * restored in the reply; watch tokens carry the client's number
 * ("<n>:<token>") so that events go back to the client that set them;
 * a transaction id is usable only by the client that started it; a
 * client that goes away has its transactions ended (failed) and its
 * watches removed.  Requests wait here until the daemon in the stub
 * domain has reset and connected the ring (its first notification).
 *
 * Before it sleeps, it polls for up to USECS microseconds (default 50,
 * 0: never) when its recent waits were that short (busypoll.c): a
 * client's next request and the daemon's reply then find it awake.
 *
 * When the stub domain dies the host has lost xenstore: that is logged
 * and this process exits 1, which closes every client.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <xenctrl.h>
#include <xenevtchn.h>

#include "busypoll.h"
#include "frame.h"
#include "host.h"
#include "log.h"
#include "ring.h"
#include "xensim.h"
#include "xs_wire.h"

/* Past this many bytes waiting for the ring, clients are not read. */
#define OUTQ_HIGH (256 * 1024)
/*
 * How long (us) to poll before sleeping, at most (-b, busypoll.c): a
 * request's round trip to the daemon and a client's next request after
 * its reply come within this on an unloaded host.
 */
#define BUSY_POLL_DEFAULT_US 50
#define BUSY_POLL_MAX_US 1000000

struct client;

struct watch {
	LIST_ENTRY(watch) link;
	char *path, *token; /* the client's own token */
};

struct txn {
	LIST_ENTRY(txn) link;
	uint32_t id;
};

struct client {
	TAILQ_ENTRY(client) link;
	unsigned id;
	struct bufferevent *bev; /* writes only: see client_read_cb */
	struct event *rev;
	struct evbuffer *in;
	LIST_HEAD(, watch) watches;
	LIST_HEAD(, txn) txns;
};

/* A request on the ring whose reply we wait for. */
struct pending {
	TAILQ_ENTRY(pending) link;
	uint32_t req_id;     /* ours, on the ring */
	uint32_t client_req; /* the client's */
	uint32_t type;
	uint32_t tx_id;
	struct client *client; /* NULL: nobody wants the reply */
};

static struct event_base *base;
static struct xenbus_host host;
static uint32_t stub_domid;
static bool connected;	      /* the daemon has set up the ring */
static struct evbuffer *outq; /* whole messages for the req ring */
static struct evbuffer *inq;  /* bytes read from the rsp ring */
static TAILQ_HEAD(, client) clients = TAILQ_HEAD_INITIALIZER(clients);
static TAILQ_HEAD(, pending) pendings = TAILQ_HEAD_INITIALIZER(pendings);
static unsigned next_client = 1;
static uint32_t next_req = 1;
static bool reading_paused;
static const char *ready_file;

static void
usage(void)
{
	fprintf(stderr, "usage: xsim-xenbus -d stub-domid -s socket "
			"[-p portfile] [-r readyfile] [-b usecs] [-v]\n");
	exit(2);
}

/* Queue one message for the ring. */
static int
ring_queue(uint32_t type, uint32_t req_id, uint32_t tx_id, const void *data,
	   uint32_t len)
{
	struct xsd_sockmsg h = {type, req_id, tx_id, len};

	if (evbuffer_add(outq, &h, sizeof(h)) < 0 ||
	    evbuffer_add(outq, data, len) < 0)
		return -1;
	return 0;
}

static void
pause_clients(bool pause)
{
	struct client *c;

	if (pause == reading_paused)
		return;
	reading_paused = pause;
	TAILQ_FOREACH(c, &clients, link) {
		if (pause)
			event_del(c->rev);
		else
			event_add(c->rev, NULL);
	}
}

/* Move what fits from outq into the req ring; notify once. */
static void
ring_push(void)
{
	bool wrote = false;

	while (connected && evbuffer_get_length(outq) > 0 &&
	       ring_can_write(host.intf, RING_CLIENT)) {
		size_t len = evbuffer_get_length(outq);
		unsigned char *p;
		ssize_t n;

		if (len > XENSTORE_RING_SIZE)
			len = XENSTORE_RING_SIZE;
		p = evbuffer_pullup(outq, (ssize_t)len);
		n = ring_write(host.intf, RING_CLIENT, p, len);
		if (n <= 0)
			break;
		evbuffer_drain(outq, (size_t)n);
		wrote = true;
	}
	if (wrote)
		xenevtchn_notify(host.xce, (evtchn_port_t)host.ring_port);
	pause_clients(evbuffer_get_length(outq) > OUTQ_HIGH);
}

/*
 * A message for c.  With nothing queued before it, it is written at
 * once: queued, the bufferevent would arm its write event, write on the
 * next loop turn and disarm it again, two more system calls and a turn
 * per reply.  What the socket does not take is queued, in order.
 */
static void
client_send(struct client *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
	    const void *data, uint32_t len)
{
	struct xsd_sockmsg h = {type, req_id, tx_id, len};
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)(uintptr_t)data, len}};
	ssize_t n = 0;

	if (evbuffer_get_length(out) == 0) {
		n = writev(bufferevent_getfd(c->bev), iov, 2);
		/* A broken socket: the bufferevent finds out and closes. */
		if (n < 0)
			n = 0;
	}
	if ((size_t)n < sizeof(h))
		evbuffer_add(out, (const char *)&h + n, sizeof(h) - (size_t)n);
	n = (size_t)n > sizeof(h) ? n - (ssize_t)sizeof(h) : 0;
	if ((size_t)n < len)
		evbuffer_add(out, (const char *)data + n, len - (size_t)n);
}

static void
client_error(struct client *c, const struct xsd_sockmsg *h, const char *err)
{
	client_send(c, XS_ERROR, h->req_id, h->tx_id, err,
		    (uint32_t)strlen(err) + 1);
}

static struct txn *
txn_find(struct client *c, uint32_t id)
{
	struct txn *t;

	LIST_FOREACH(t, &c->txns, link)
	if (t->id == id)
		return t;
	return NULL;
}

static struct pending *
pending_new(struct client *c, const struct xsd_sockmsg *h)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->req_id = next_req++;
	if (next_req == 0)
		next_req = 1;
	p->client_req = h ? h->req_id : 0;
	p->type = h ? h->type : 0;
	p->tx_id = h ? h->tx_id : 0;
	p->client = c;
	TAILQ_INSERT_TAIL(&pendings, p, link);
	return p;
}

/* "<client>:<token>", the token the daemon sees; NULL on ENOMEM. */
static char *
ring_token(const struct client *c, const char *token)
{
	char *s;

	if (asprintf(&s, "%u:%s", c->id, token) < 0)
		return NULL;
	return s;
}

/*
 * Send WATCH or UNWATCH of path/token of c, with what followed the token
 * (a watch's depth); reply to the client's request h, or to nobody.
 */
static int
send_watch_op(struct client *c, uint32_t type, const struct xsd_sockmsg *h,
	      const char *path, const char *token, const char *tail,
	      size_t tail_len)
{
	char *tok = ring_token(c, token), *buf;
	size_t plen = strlen(path) + 1, tlen;
	struct pending *p;
	int r;

	if (tok == NULL)
		return -1;
	tlen = strlen(tok) + 1;
	if (plen + tlen + tail_len > XENSTORE_PAYLOAD_MAX ||
	    (buf = malloc(plen + tlen + tail_len)) == NULL) {
		free(tok);
		errno = E2BIG;
		return -1;
	}
	memcpy(buf, path, plen);
	memcpy(buf + plen, tok, tlen);
	memcpy(buf + plen + tlen, tail, tail_len);
	free(tok);
	p = pending_new(h ? c : NULL, h);
	if (p == NULL) {
		free(buf);
		return -1;
	}
	p->type = type;
	r = ring_queue(type, p->req_id, 0, buf,
		       (uint32_t)(plen + tlen + tail_len));
	free(buf);
	return r;
}

static void
watch_forget(struct client *c, const char *path, const char *token)
{
	struct watch *w;

	LIST_FOREACH(w, &c->watches, link)
	if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
		LIST_REMOVE(w, link);
		free(w->path);
		free(w->token);
		free(w);
		return;
	}
}

/* One whole request of c. */
static void
client_request(struct client *c, const struct xsd_sockmsg *h,
	       const char *payload)
{
	const char *vec[2], *tail;
	struct pending *p;
	size_t tail_len;

	if (h->tx_id != 0 && txn_find(c, h->tx_id) == NULL) {
		client_error(c, h, "ENOENT");
		return;
	}
	switch (h->type) {
	case XS_WATCH:
	case XS_UNWATCH:
		if (frame_get_strings(payload, h->len, vec, 2) < 2) {
			client_error(c, h, "EINVAL");
			return;
		}
		tail = vec[1] + strlen(vec[1]) + 1;
		tail_len = h->len - (size_t)(tail - payload);
		if (h->type == XS_WATCH) {
			struct watch *w = calloc(1, sizeof(*w));

			if (w == NULL || (w->path = strdup(vec[0])) == NULL ||
			    (w->token = strdup(vec[1])) == NULL) {
				if (w)
					free(w->path);
				free(w);
				client_error(c, h, "ENOMEM");
				return;
			}
			/* Known before the reply: the first event follows it.
			 */
			LIST_INSERT_HEAD(&c->watches, w, link);
		} else {
			watch_forget(c, vec[0], vec[1]);
		}
		if (send_watch_op(c, h->type, h, vec[0], vec[1], tail,
				  tail_len) < 0)
			client_error(c, h, errno == E2BIG ? "E2BIG" : "ENOMEM");
		return;
	case XS_RESET_WATCHES:
		/* Only this client's watches: the ring is everyone's. */
		while (!LIST_EMPTY(&c->watches)) {
			struct watch *w = LIST_FIRST(&c->watches);

			send_watch_op(c, XS_UNWATCH, NULL, w->path, w->token,
				      "", 0);
			watch_forget(c, w->path, w->token);
		}
		client_send(c, XS_RESET_WATCHES, h->req_id, 0, "OK", 3);
		return;
	default:
		break;
	}
	p = pending_new(c, h);
	if (p == NULL ||
	    ring_queue(h->type, p->req_id, h->tx_id, payload, h->len) < 0)
		client_error(c, h, "ENOMEM");
}

static void
client_free(struct client *c)
{
	struct pending *p;
	struct txn *t;
	struct watch *w;

	TAILQ_FOREACH(p, &pendings, link)
		if (p->client == c)
			p->client = NULL;
	/* What Linux's device does when its file is closed. */
	while ((t = LIST_FIRST(&c->txns)) != NULL) {
		struct pending *e = pending_new(NULL, NULL);

		if (e)
			ring_queue(XS_TRANSACTION_END, e->req_id, t->id, "F",
				   2);
		LIST_REMOVE(t, link);
		free(t);
	}
	while ((w = LIST_FIRST(&c->watches)) != NULL) {
		send_watch_op(c, XS_UNWATCH, NULL, w->path, w->token, "", 0);
		watch_forget(c, w->path, w->token);
	}
	TAILQ_REMOVE(&clients, c, link);
	bufferevent_free(c->bev);
	event_free(c->rev);
	evbuffer_free(c->in);
	free(c);
	ring_push();
}

/* Take c's whole requests from its input. */
static void
client_requests(struct client *c)
{
	struct evbuffer *in = c->in;
	struct xsd_sockmsg h;
	unsigned char *p;
	size_t avail;
	ssize_t n;

	while ((avail = evbuffer_get_length(in)) >= sizeof(h)) {
		p = evbuffer_pullup(
			in,
			(ssize_t)(avail < sizeof(h) + XENSTORE_PAYLOAD_MAX
					  ? avail
					  : sizeof(h) + XENSTORE_PAYLOAD_MAX));
		n = frame_scan(p, avail, &h);
		if (n < 0) {
			log_warnx("client %u: oversized message, closing",
				  c->id);
			client_free(c);
			return;
		}
		if (n == 0)
			break;
		client_request(c, &h, (const char *)p + sizeof(h));
		evbuffer_drain(in, (size_t)n);
	}
	busypoll_note();
	ring_push();
}

/*
 * One read(2) per wake-up: a bufferevent would first ask the socket how
 * much it holds (FIONREAD), one system call more per request, and a
 * system call is dear in a virtual machine.  What did not fit is read
 * at the next wake-up: the event is level-triggered.
 */
static void
client_read(struct client *c)
{
	char buf[16384];
	ssize_t n = read(event_get_fd(c->rev), buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || evbuffer_add(c->in, buf, (size_t)n) < 0) {
		client_free(c);
		return;
	}
	client_requests(c);
}

static void
client_read_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	client_read(arg);
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(arg);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
	  int len, void *arg)
{
	struct client *c = calloc(1, sizeof(*c));

	(void)l;
	(void)sa;
	(void)len;
	(void)arg;
	if (c == NULL ||
	    (c->bev = bufferevent_socket_new(base, fd,
					     BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (c->rev = event_new(base, fd, EV_READ | EV_PERSIST, client_read_cb,
				c)) == NULL ||
	    (c->in = evbuffer_new()) == NULL) {
		log_warnx("out of memory for a client");
		if (c && c->rev)
			event_free(c->rev);
		if (c && c->bev)
			bufferevent_free(c->bev);
		else
			close(fd);
		free(c);
		return;
	}
	c->id = next_client++;
	LIST_INIT(&c->watches);
	LIST_INIT(&c->txns);
	TAILQ_INSERT_TAIL(&clients, c, link);
	bufferevent_setcb(c->bev, NULL, NULL, client_event_cb, c);
	bufferevent_enable(c->bev, EV_WRITE);
	if (!reading_paused)
		event_add(c->rev, NULL);
}

static struct client *
client_by_id(unsigned id)
{
	struct client *c;

	TAILQ_FOREACH(c, &clients, link)
		if (c->id == id)
			return c;
	return NULL;
}

/* A watch event: back to the client whose token it carries. */
static void
route_event(const struct xsd_sockmsg *h, const char *payload)
{
	const char *vec[2];
	unsigned long id;
	struct client *c;
	char *end, *buf;
	size_t plen, tlen;

	if (frame_get_strings(payload, h->len, vec, 2) != 2)
		return;
	errno = 0;
	id = strtoul(vec[1], &end, 10);
	if (errno || *end != ':' || (c = client_by_id((unsigned)id)) == NULL)
		return;
	plen = strlen(vec[0]) + 1;
	tlen = strlen(end + 1) + 1;
	if ((buf = malloc(plen + tlen)) == NULL)
		return;
	memcpy(buf, vec[0], plen);
	memcpy(buf + plen, end + 1, tlen);
	client_send(c, XS_WATCH_EVENT, 0, 0, buf, (uint32_t)(plen + tlen));
	free(buf);
}

/* A reply from the daemon: to the client that asked, with its id. */
static void
route_reply(struct xsd_sockmsg *h, const char *payload)
{
	struct pending *p;
	struct client *c;

	TAILQ_FOREACH(p, &pendings, link)
		if (p->req_id == h->req_id)
			break;
	if (p == NULL) {
		log_warnx("reply %u to no request", h->req_id);
		return;
	}
	TAILQ_REMOVE(&pendings, p, link);
	c = p->client;
	if (c && h->type == XS_TRANSACTION_START) {
		struct txn *t = calloc(1, sizeof(*t));
		unsigned long id;

		if (t && frame_parse_uint(payload, 0xffffffffUL, &id) == 0) {
			t->id = (uint32_t)id;
			LIST_INSERT_HEAD(&c->txns, t, link);
		} else {
			free(t);
		}
	} else if (c == NULL && h->type == XS_TRANSACTION_START) {
		/* Its client left before the reply: end it. */
		unsigned long id;
		struct pending *e;

		if (frame_parse_uint(payload, 0xffffffffUL, &id) == 0 &&
		    (e = pending_new(NULL, NULL)) != NULL)
			ring_queue(XS_TRANSACTION_END, e->req_id, (uint32_t)id,
				   "F", 2);
	}
	/* Ended, unless its END was malformed (EINVAL leaves it open). */
	if (c && p->type == XS_TRANSACTION_END &&
	    !(h->type == XS_ERROR && strcmp(payload, "EINVAL") == 0)) {
		struct txn *t = txn_find(c, p->tx_id);

		if (t) {
			LIST_REMOVE(t, link);
			free(t);
		}
	}
	if (c)
		client_send(c, h->type, p->client_req, h->tx_id, payload,
			    h->len);
	free(p);
}

static void
ring_pull(void)
{
	char buf[XENSTORE_RING_SIZE];
	struct xsd_sockmsg h;
	unsigned char *p;
	ssize_t n;
	size_t avail;
	bool was_full = false;

	/*
	 * As Linux's xenbus driver: the daemon hears that we read only when
	 * the ring was full, the one state in which it must be waiting for
	 * us (it fills the ring with what does not fit: ring_conn.c).  One
	 * event fewer per reply, one wake-up fewer for the daemon.  "Full"
	 * is judged after the read, as Linux's xb_read does, against where
	 * the read began: the daemon may fill the ring while we read it,
	 * and a look before the read would miss that, leaving it waiting
	 * for an event that never comes.
	 */
	for (;;) {
		XENSTORE_RING_IDX cons =
			__atomic_load_n(&host.intf->rsp_cons, __ATOMIC_RELAXED);

		if ((n = ring_read(host.intf, RING_CLIENT, buf, sizeof(buf))) <=
		    0)
			break;
		evbuffer_add(inq, buf, (size_t)n);
		/* Our consumer index out before we look at its producer. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		was_full |= (XENSTORE_RING_IDX)(__atomic_load_n(
							&host.intf->rsp_prod,
							__ATOMIC_RELAXED) -
						cons) >= XENSTORE_RING_SIZE;
	}
	if (was_full)
		xenevtchn_notify(host.xce, (evtchn_port_t)host.ring_port);
	if (n < 0) {
		log_warnx("dom0's ring is broken: indexes out of range");
		exit(1);
	}
	while ((avail = evbuffer_get_length(inq)) >= sizeof(h)) {
		p = evbuffer_pullup(inq, -1);
		n = frame_scan(p, avail, &h);
		if (n < 0) {
			log_warnx("oversized message from xenstored");
			exit(1);
		}
		if (n == 0)
			break;
		if (h.type == XS_WATCH_EVENT)
			route_event(&h, (const char *)p + sizeof(h));
		else
			route_reply(&h, (const char *)p + sizeof(h));
		evbuffer_drain(inq, (size_t)n);
	}
}

/*
 * Busy-polling's look at the ring: a reply there is forwarded at once;
 * its event is taken on the next loop turn (evtchn_cb, which finds
 * nothing more to read).
 */
static bool
peek_replies(void)
{
	if (!connected ||
	    __atomic_load_n(&host.intf->rsp_prod, __ATOMIC_RELAXED) ==
		    host.intf->rsp_cons)
		return false;
	ring_pull();
	ring_push();
	return true;
}

static void
check_stub(void)
{
	xc_dominfo_t info;
	int n = xc_domain_getinfo(host.xch, stub_domid, 1, &info);

	if (n == 1 && info.domid == stub_domid && !info.dying && !info.shutdown)
		return;
	log_warnx("the xenstore domain %u died: dom0 has lost xenstore",
		  stub_domid);
	exit(1);
}

static void
evtchn_cb(evutil_socket_t fd, short what, void *arg)
{
	int port;

	(void)fd;
	(void)what;
	(void)arg;
	port = xenevtchn_pending(host.xce);
	if (port < 0)
		return;
	xenevtchn_unmask(host.xce, (evtchn_port_t)port);
	if (port == host.virq_port) {
		check_stub();
		return;
	}
	if (port != host.ring_port)
		return;
	busypoll_note();
	if (!connected) {
		connected = true;
		log_debug("xenstored connected dom0's ring");
		if (ready_file && host_write_file(ready_file, "ready\n") < 0)
			log_warn("cannot write %s", ready_file);
	}
	ring_pull();
	ring_push();
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	const char *socket_path = NULL, *port_file = NULL;
	char num[16];
	struct evconnlistener *l;
	struct event *ev, *sigterm, *sigint;
	unsigned long v;
	struct busypoll bp;
	unsigned long poll_us = BUSY_POLL_DEFAULT_US;
	int opt, verbose = 0;

	while ((opt = getopt(argc, argv, "d:s:p:r:b:v")) != -1) {
		switch (opt) {
		case 'b':
			if (frame_parse_uint(optarg, BUSY_POLL_MAX_US,
					     &poll_us) != 0)
				usage();
			break;
		case 'd':
			if (frame_parse_uint(optarg, 0x7fef, &v) != 0 || v == 0)
				usage();
			stub_domid = (uint32_t)v;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'p':
			port_file = optarg;
			break;
		case 'r':
			ready_file = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || stub_domid == 0 || socket_path == NULL)
		usage();
	log_init("xsim-xenbus", true, verbose);
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL ||
	    (outq = evbuffer_new()) == NULL || (inq = evbuffer_new()) == NULL)
		fatalx("out of memory");
	host_setup(&host, stub_domid);
	ev = event_new(base, xenevtchn_fd(host.xce), EV_READ | EV_PERSIST,
		       evtchn_cb, NULL);
	sigterm = evsignal_new(base, SIGTERM, signal_cb, base);
	sigint = evsignal_new(base, SIGINT, signal_cb, base);
	if (ev == NULL || event_add(ev, NULL) < 0 || sigterm == NULL ||
	    sigint == NULL || event_add(sigterm, NULL) < 0 ||
	    event_add(sigint, NULL) < 0)
		fatalx("cannot set up the event loop");
	l = host_listen(base, socket_path, accept_cb);
	snprintf(num, sizeof(num), "%d\n", host.ring_port);
	fputs(num, stdout);
	fflush(stdout);
	if (port_file && host_write_file(port_file, num) < 0)
		fatal("cannot write %s", port_file);
	log_info("dom0's xenbus for xenstore domain %u: port %d, socket %s",
		 stub_domid, host.ring_port, socket_path);
	busypoll_init(&bp, (uint64_t)poll_us * 1000);
	bp.peek = peek_replies;
	if (busypoll_dispatch(base, &bp) < 0)
		fatalx("the event loop failed");
	evconnlistener_free(l);
	unlink(socket_path);
	return 0;
}
