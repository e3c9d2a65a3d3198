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
 */
#include <errno.h>
#include <stdint.h>
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

struct xenevtchn_handle {
	struct xsim_chan chan;
	int epfd;
	struct evport *ports; /* indexed by port number */
	uint32_t nports;
};

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
	if (chan_open(&xce->chan) < 0) {
		err = errno;
		close(xce->epfd);
		free(xce);
		errno = err;
		return NULL;
	}
	return xce;
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
	if (port >= xce->nports) {
		uint32_t n = port + 16, i;
		struct evport *p = realloc(xce->ports, n * sizeof(*p));

		if (p == NULL) {
			err = ENOMEM;
			goto fail;
		}
		for (i = xce->nports; i < n; i++)
			p[i].in = p[i].out = -1;
		xce->ports = p;
		xce->nports = n;
	}
	if (xce->ports[port].in >= 0)
		goto fail;
	ev.data.u32 = port;
	if (epoll_ctl(xce->epfd, EPOLL_CTL_ADD, fds[0], &ev) < 0) {
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

xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *xce)
{
	struct epoll_event ev;
	uint64_t count;
	int n;

	for (;;) {
		n = epoll_wait(xce->epfd, &ev, 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0 || port_of(xce, ev.data.u32) == NULL)
			continue;
		/* Another reader may have drained it: then wait again. */
		if (read(xce->ports[ev.data.u32].in, &count, sizeof(count)) ==
		    (ssize_t)sizeof(count))
			return (xenevtchn_port_or_error_t)ev.data.u32;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
}

int
xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	/* pending() drained the eventfd; new events re-arm it by themselves. */
	return port_of(xce, port) == NULL ? -1 : 0;
}
