/* SPDX-License-Identifier: MIT */
/*
 * libxenevtchn over the simulated hypervisor (xenevtchn.h).  Owns a
 * handle's ports and their eventfds; the hypervisor is asked only to bind
 * and unbind.
 *
 * Each bound port comes with two eventfds: "in" is raised when the remote
 * end notifies this port, "out" is the remote end's "in".  The two ends of
 * a channel hold the same pair crosswise, so notify is a write(2) on out
 * and the remote process's epoll wakes up; the hypervisor process is not
 * involved.  A VIRQ port has only "in", raised by the hypervisor.  The
 * handle's fd is an epoll descriptor watching every "in" with the port
 * number as its data; pending() asks epoll for one ready port and drains
 * its eventfd.  Level-triggered epoll keeps the fd readable while any
 * port has events, so callers that read one port per wakeup lose none.
 *
 * Surviving exec, as Xen's handles do (xenevtchn_fdopen): the bindings
 * live in the hypervisor on the handle's channel, not in this process.
 * A handle opened with XENEVTCHN_NO_CLOEXEC keeps its channel, its epoll
 * descriptor and every port's "in" across exec; the channel is registered
 * in the epoll set too (edge-triggered, no events asked: it only reports
 * a hang-up once), marked, so that fdopen(epoll fd) finds the channel and
 * the ports in /proc/self/fdinfo and asks the hypervisor for the "out"
 * descriptors exec closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "chan.h"
#include "xenevtchn.h"
#include "xensim.h"
#include "xsim_msg.h"

struct evport {
	int in, out; /* -1 when unused */
};

/* The epoll data of the channel's own entry: marker bit and its fd. */
#define CHAN_MARK (1ULL << 63)
/* Ports that fired, taken from epoll at once (pending()). */
#define PENDING_BATCH 64

struct xenevtchn_handle {
	struct xsim_chan chan;
	int epfd;
	bool inherit;	      /* XENEVTCHN_NO_CLOEXEC: survives exec */
	struct evport *ports; /* indexed by port number */
	uint32_t nports;
	struct epoll_event fired[PENDING_BATCH]; /* pending()'s batch */
	int nfired, next_fired;
	bool all_fired;	      /* the batch held every port ready when taken */
	bool was_nonblocking; /* what nonblocking() found last */
};

static int
mark_channel(xenevtchn_handle *xce)
{
	struct epoll_event ev = {.events = EPOLLET};

	ev.data.u64 = CHAN_MARK | (uint64_t)xce->chan.fd;
	return epoll_ctl(xce->epfd, EPOLL_CTL_ADD, xce->chan.fd, &ev);
}

xenevtchn_handle *
xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	xenevtchn_handle *xce = calloc(1, sizeof(*xce));
	int err;

	(void)logger;
	if (xce == NULL)
		return NULL;
	xce->epfd = epoll_create1(
		(flags & XENEVTCHN_NO_CLOEXEC) ? 0 : EPOLL_CLOEXEC);
	if (xce->epfd < 0) {
		free(xce);
		return NULL;
	}
	if (chan_open(&xce->chan) < 0)
		goto fail;
	xce->inherit = flags & XENEVTCHN_NO_CLOEXEC;
	if (xce->inherit &&
	    (fcntl(xce->chan.fd, F_SETFD, 0) < 0 || mark_channel(xce) < 0)) {
		chan_close(&xce->chan);
		goto fail;
	}
	return xce;
fail:
	err = errno;
	close(xce->epfd);
	free(xce);
	errno = err;
	return NULL;
}

static struct evport *
port_of(xenevtchn_handle *xce, evtchn_port_t port)
{
	if (port >= xce->nports || xce->ports[port].in < 0) {
		errno = EINVAL;
		return NULL;
	}
	return &xce->ports[port];
}

static void
drop_port(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct evport *p = &xce->ports[port];

	epoll_ctl(xce->epfd, EPOLL_CTL_DEL, p->in, NULL);
	close(p->in);
	if (p->out >= 0)
		close(p->out);
	p->in = p->out = -1;
}

int
xenevtchn_close(xenevtchn_handle *xce)
{
	uint32_t i;

	if (xce == NULL)
		return 0;
	/* Closing the channel unbinds every port the hypervisor holds. */
	chan_close(&xce->chan);
	for (i = 0; i < xce->nports; i++)
		if (xce->ports[i].in >= 0)
			drop_port(xce, i);
	close(xce->epfd);
	free(xce->ports);
	free(xce);
	return 0;
}

int
xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->epfd;
}

/* Make room for port in the table; 0 or -1. */
static int
grow_ports(xenevtchn_handle *xce, uint32_t port)
{
	uint32_t n = port + 16, i;
	struct evport *p;

	if (port < xce->nports)
		return 0;
	p = realloc(xce->ports, n * sizeof(*p));
	if (p == NULL)
		return -1;
	for (i = xce->nports; i < n; i++)
		p[i].in = p[i].out = -1;
	xce->ports = p;
	xce->nports = n;
	return 0;
}

/*
 * Record a port the hypervisor bound for us with its descriptors (taken
 * over).  On failure the port is unbound again and the fds closed.
 */
static xenevtchn_port_or_error_t
add_port(xenevtchn_handle *xce, uint32_t port, int *fds, unsigned nfds,
	 unsigned want)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	struct epoll_event ev = {.events = EPOLLIN};
	int err = EPROTO;

	if (nfds != want || port > 1U << 20)
		goto fail;
	if (grow_ports(xce, port) < 0) {
		err = ENOMEM;
		goto fail;
	}
	if (xce->ports[port].in >= 0)
		goto fail;
	ev.data.u64 = port;
	if ((xce->inherit && fcntl(fds[0], F_SETFD, 0) < 0) ||
	    epoll_ctl(xce->epfd, EPOLL_CTL_ADD, fds[0], &ev) < 0) {
		err = errno;
		goto fail;
	}
	xce->ports[port].in = fds[0];
	xce->ports[port].out = want > 1 ? fds[1] : -1;
	return (xenevtchn_port_or_error_t)port;
fail:
	chan_close_fds(fds, nfds);
	req.op = XSIM__OP__OP_EVTCHN_UNBIND;
	req.port = port;
	(void)chan_simple(&xce->chan, &req);
	errno = err;
	return -1;
}

static xenevtchn_port_or_error_t
bind_port(xenevtchn_handle *xce, Xsim__Request *req, unsigned want)
{
	int fds[XSIM_MSG_MAX_FDS];
	Xsim__Reply *r;
	unsigned n;
	uint32_t port;

	r = chan_call(&xce->chan, req, fds, want, &n);
	if (r == NULL)
		return -1;
	port = r->port;
	xsim__reply__free_unpacked(r, NULL);
	return add_port(xce, port, fds, n, want);
}

xenevtchn_port_or_error_t
xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
	Xsim__Request req = XSIM__REQUEST__INIT;

	req.op = XSIM__OP__OP_EVTCHN_BIND_UNBOUND;
	req.remote_domid = domid;
	return bind_port(xce, &req, 2);
}

xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
			   evtchn_port_t remote_port)
{
	Xsim__Request req = XSIM__REQUEST__INIT;

	req.op = XSIM__OP__OP_EVTCHN_BIND_INTERDOMAIN;
	req.remote_domid = domid;
	req.port = remote_port;
	return bind_port(xce, &req, 2);
}

xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	Xsim__Request req = XSIM__REQUEST__INIT;

	req.op = XSIM__OP__OP_EVTCHN_BIND_VIRQ;
	req.virq = virq;
	return bind_port(xce, &req, 1);
}

int
xsim_evtchn_attach(struct xenevtchn_handle *xce, uint32_t port)
{
	Xsim__Request req = XSIM__REQUEST__INIT;

	req.op = XSIM__OP__OP_EVTCHN_ATTACH;
	req.port = port;
	return bind_port(xce, &req, 2);
}

int
xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	Xsim__Request req = XSIM__REQUEST__INIT;

	if (port_of(xce, port) == NULL)
		return -1;
	req.op = XSIM__OP__OP_EVTCHN_UNBIND;
	req.port = port;
	drop_port(xce, port);
	return chan_simple(&xce->chan, &req);
}

int
xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct evport *p = port_of(xce, port);
	uint64_t one = 1;

	if (p == NULL)
		return -1;
	if (p->out < 0) {
		errno = EINVAL;
		return -1;
	}
	/* EAGAIN: the counter is saturated, the peer is notified anyway. */
	if (write(p->out, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -1;
	return 0;
}

/*
 * Whether the handle's descriptor was made non-blocking (F_SETFL, as
 * on Linux's evtchn device): then pending() fails with EAGAIN instead of
 * waiting.  Asked only when nothing is pending, so a caller taking the
 * ports that fired pays nothing for it.
 */
static bool
nonblocking(xenevtchn_handle *xce)
{
	int fl = fcntl(xce->epfd, F_GETFL);

	xce->was_nonblocking = fl >= 0 && (fl & O_NONBLOCK);
	return xce->was_nonblocking;
}

/*
 * The next port of the batch whose eventfd had events (drained now):
 * 1 and *port, 0 when the batch is done, -1 (ECONNRESET) when the
 * hypervisor went away.  A port unbound since, or drained by another
 * reader, is skipped.
 */
static int
next_fired(xenevtchn_handle *xce, xenevtchn_port_or_error_t *port)
{
	uint64_t count;

	while (xce->next_fired < xce->nfired) {
		const struct epoll_event *ev = &xce->fired[xce->next_fired++];

		if (ev->data.u64 & CHAN_MARK) {
			errno = ECONNRESET;
			return -1;
		}
		if (port_of(xce, ev->data.u32) == NULL)
			continue;
		if (read(xce->ports[ev->data.u32].in, &count, sizeof(count)) ==
		    (ssize_t)sizeof(count)) {
			*port = (xenevtchn_port_or_error_t)ev->data.u32;
			return 1;
		}
	}
	return 0;
}

/*
 * Ports come from epoll a batch at a time, as a read of Linux's evtchn
 * device returns every port pending: a caller taking the ports that
 * fired until EAGAIN (the daemon) then asks epoll once a wake-up, not
 * once a port and once more to hear that none is left.  A batch that
 * held every ready port is followed by "none" without asking epoll
 * again, for a non-blocking caller: what fired since keeps the
 * descriptor readable (level-triggered), so the caller's next poll
 * finds it at once (a non-blocking caller that takes one port a
 * wake-up may so get one EAGAIN too many, and a wake-up more).  A
 * blocking caller (one pending() a wake-up) asks epoll as ever, rather
 * than the descriptor's flags first.
 */
xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *xce)
{
	xenevtchn_port_or_error_t port;
	int n, r, timeout = 0;

	for (;;) {
		if ((r = next_fired(xce, &port)) != 0)
			return r > 0 ? port : -1;
		if (timeout == 0 && xce->all_fired && xce->was_nonblocking) {
			xce->all_fired = false;
			if (nonblocking(xce)) {
				errno = EAGAIN;
				return -1;
			}
			timeout = -1;
		}
		n = epoll_wait(xce->epfd, xce->fired, PENDING_BATCH, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		xce->nfired = n;
		xce->next_fired = 0;
		xce->all_fired = n > 0 && n < PENDING_BATCH;
		if (n == 0 && timeout == 0 && nonblocking(xce)) {
			errno = EAGAIN;
			return -1;
		}
		if (n == 0)
			timeout = -1;
	}
}

int
xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	/* pending() drained the eventfd; new events re-arm it by themselves. */
	return port_of(xce, port) == NULL ? -1 : 0;
}

/*
 * The port's "out", which exec closed, from the hypervisor; in is the
 * kept "in" already in the epoll set.  0 or -1 with errno.
 */
static int
reopen_port(xenevtchn_handle *xce, uint32_t port, int in)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	int fds[XSIM_MSG_MAX_FDS];
	Xsim__Reply *r;
	unsigned n;

	req.op = XSIM__OP__OP_EVTCHN_REOPEN;
	req.port = port;
	r = chan_call(&xce->chan, &req, fds, 2, &n);
	if (r == NULL)
		return -1;
	xsim__reply__free_unpacked(r, NULL);
	if (n < 1 || port > 1U << 20 || grow_ports(xce, port) < 0) {
		chan_close_fds(fds, n);
		errno = n < 1 ? EPROTO : ENOMEM;
		return -1;
	}
	close(fds[0]);
	xce->ports[port].in = in;
	xce->ports[port].out = n > 1 ? fds[1] : -1;
	return 0;
}

/*
 * The entries of the epoll set, as /proc/self/fdinfo/<fd> lists them
 * ("tfd: N events: E data: D"): the marked channel, and each port's "in"
 * (data: the port).  Returns how many ports went to port[] and in[] (at
 * most max), or -1; *chan gets the channel's descriptor or stays -1.
 */
static int
list_entries(int epfd, int *chan, uint32_t *port, int *in, int max)
{
	char path[64], line[256];
	unsigned long long data;
	unsigned events;
	int tfd, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", epfd);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "tfd: %d events: %x data: %llx", &tfd, &events,
			   &data) == 3) {
			if (data & CHAN_MARK)
				*chan = tfd;
			else if (n < max) {
				port[n] = (uint32_t)data;
				in[n++] = tfd;
			}
		}
	fclose(f);
	return n;
}

#define ADOPT_MAX 4096

xenevtchn_handle *
xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned int flags)
{
	xenevtchn_handle *xce;
	uint32_t *port = malloc(ADOPT_MAX * sizeof(*port));
	int *in = malloc(ADOPT_MAX * sizeof(*in)), chan = -1, n, i, err = EBADF;

	(void)logger;
	xce = calloc(1, sizeof(*xce));
	if (xce == NULL || port == NULL || in == NULL || flags != 0)
		goto fail;
	n = list_entries(fd, &chan, port, in, ADOPT_MAX);
	if (n < 0 || chan < 0 || chan_adopt(&xce->chan, chan) < 0)
		goto fail;
	xce->epfd = fd;
	xce->inherit = true; /* it came through exec and may go again */
	for (i = 0; i < n; i++)
		if (reopen_port(xce, port[i], in[i]) < 0) {
			err = errno;
			goto fail;
		}
	free(port);
	free(in);
	return xce;
fail:
	free(port);
	free(in);
	if (xce)
		free(xce->ports);
	free(xce);
	errno = err;
	return NULL;
}
