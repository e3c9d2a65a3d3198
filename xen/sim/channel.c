/* SPDX-License-Identifier: MIT */
/*
 * Hypercall channels (channel.h): accepting dom0 connections, handing
 * out guest channels, and answering requests through one table.  Each
 * handler is do_<op>(x) and returns 0 or a positive errno; only
 * channel_input() turns that into a reply.  The caller's domain is the
 * channel's, never a field of the request: that is the whole identity
 * model, so no request can pose as another domain.
 *
 * A channel that sends something that is not a request is dropped and
 * logged; the hypervisor carries on.  A guest's primary channel closing
 * means its process is gone: the domain dies (domain_kill).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "channel.h"
#include "domain.h"
#include "evtchn.h"
#include "hypercall.pb-c.h"
#include "log.h"
#include "memory.h"
#include "xen/xen.h"
#include "xsim_msg.h"

#define MAX_INFO 512
/* Channels one domain may hold (each costs the hypervisor a descriptor). */
#define MAX_CHANNELS_PER_DOMAIN 256

static struct event_base *base;
static struct channel *channels;
static int listen_fd = -1;
static struct event *listen_ev;
static uid_t dom0_uid;

/* One request being answered. */
struct req {
	struct channel *c;
	struct domain *self;
	const Xsim__Request *in;
	Xsim__Reply *out;
	int fds[XSIM_MSG_MAX_FDS];
	unsigned nfds;
	uint32_t refs[XSIM_MSG_MAX_FDS];
};

static void channel_read_cb(evutil_socket_t fd, short what, void *arg);

static void
close_fds(const int *fds, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static struct channel *
channel_new(int fd, uint32_t domid, bool primary)
{
	struct channel *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->domid = domid;
	c->primary = primary;
	c->ev = event_new(base, fd, EV_READ | EV_PERSIST, channel_read_cb, c);
	if (c->ev == NULL || event_add(c->ev, NULL) < 0) {
		if (c->ev)
			event_free(c->ev);
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->next = channels;
	if (channels)
		channels->prev = c;
	channels = c;
	return c;
}

/* Unlink and free c; its ports are the caller's business. */
static void
channel_unlink_free(struct channel *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		channels = c->next;
	if (c->next)
		c->next->prev = c->prev;
	event_free(c->ev);
	close(c->fd);
	free(c);
}

/* c went away: release its ports; a primary channel takes its domain. */
static void
channel_close(struct channel *c)
{
	struct domain *d = domain_find(c->domid);
	bool primary = c->primary;

	log_debug("channel of dom%u closed%s", c->domid,
		  primary ? ": domain dies" : "");
	if (d)
		evtchn_release(d, c);
	channel_unlink_free(c);
	if (primary && d && !d->dying)
		domain_kill(d);
}

void
channel_drop_domain(uint32_t domid)
{
	struct channel *c, *next;

	for (c = channels; c; c = next) {
		next = c->next;
		if (c->domid == domid)
			channel_unlink_free(c);
	}
}

void
channel_exit(void)
{
	while (channels)
		channel_unlink_free(channels);
	if (listen_ev)
		event_free(listen_ev);
	if (listen_fd >= 0)
		close(listen_fd);
	listen_ev = NULL;
	listen_fd = -1;
}

static bool
privileged(const struct req *x)
{
	return x->self->domid == 0;
}

/* The domain a request names, DOMID_SELF meaning the caller. */
static struct domain *
target(const struct req *x, uint32_t domid)
{
	return domid == DOMID_SELF ? x->self : domain_find(domid);
}

/* A new channel pair for domid: our end is served, the other returned. */
static int
new_pair(struct req *x, uint32_t domid, bool primary)
{
	struct channel *c;
	unsigned n = 0;
	int sv[2];

	for (c = channels; c; c = c->next)
		n += c->domid == domid;
	if (n >= MAX_CHANNELS_PER_DOMAIN)
		return EMFILE;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return errno;
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0 ||
	    channel_new(sv[0], domid, primary) == NULL) {
		int err = errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	x->fds[x->nfds++] = sv[1];
	return 0;
}

static int
do_hello(struct req *x)
{
	x->out->domid = x->self->domid;
	x->out->privileged = privileged(x);
	return 0;
}

static int
do_clone(struct req *x)
{
	return new_pair(x, x->self->domid, false);
}

static int
do_domain_create(struct req *x)
{
	uint32_t domid = x->in->domid;
	int err;

	err = domain_create(&domid, x->in->flags, x->in->handle.data,
			    x->in->handle.len);
	if (err == 0) {
		x->out->domid = domid;
		log_debug("created dom%u", domid);
	}
	return err;
}

static int
do_domain_destroy(struct req *x)
{
	struct domain *d = domain_find(x->in->domid);

	if (d == NULL)
		return ESRCH;
	if (d->domid == 0)
		return EINVAL;
	log_debug("destroying dom%u", d->domid);
	domain_destroy(d);
	return 0;
}

static int
do_domain_pause(struct req *x)
{
	struct domain *d = domain_find(x->in->domid);

	if (d == NULL)
		return ESRCH;
	d->paused = x->in->op == XSIM__OP__OP_DOMAIN_PAUSE;
	return 0;
}

static int
do_domain_shutdown(struct req *x)
{
	struct domain *d = target(x, x->in->domid);

	if (d == NULL)
		return ESRCH;
	if (d != x->self && !privileged(x))
		return EPERM;
	if (x->in->reason > SHUTDOWN_soft_reset)
		return EINVAL;
	domain_shutdown(d, x->in->reason);
	return 0;
}

static int
do_domain_getinfo(struct req *x)
{
	static Xsim__DomInfo info[MAX_INFO];
	static Xsim__DomInfo *ptrs[MAX_INFO];
	struct domain *d;
	size_t n = 0;

	if (!privileged(x) && !x->self->xenstore &&
	    x->self->domid != domain_exc_handler)
		return EPERM;
	for (d = domain_from(x->in->domid);
	     d && n < x->in->count && n < MAX_INFO; d = d->next, n++) {
		xsim__dom_info__init(&info[n]);
		info[n].domid = d->domid;
		info[n].dying = d->dying;
		info[n].shutdown = d->shutdown;
		info[n].crashed = d->crashed;
		info[n].paused = d->paused;
		info[n].shutdown_reason = d->shutdown_reason;
		info[n].nr_pages = d->nr_pages;
		info[n].xenstore = d->xenstore;
		info[n].mem_kb = d->mem_kb;
		info[n].max_kb = d->max_kb;
		info[n].handle.data = d->handle;
		info[n].handle.len = sizeof(d->handle);
		ptrs[n] = &info[n];
	}
	x->out->n_info = n;
	x->out->info = ptrs;
	return 0;
}

static int
do_domain_channel(struct req *x)
{
	struct domain *d = domain_find(x->in->domid);
	int err;

	if (d == NULL || d->dying)
		return ESRCH;
	if (d->domid == 0)
		return EINVAL;
	if (d->channel_given)
		return EBUSY;
	err = new_pair(x, d->domid, true);
	if (err == 0)
		d->channel_given = true;
	return err;
}

static int
do_virq_handler(struct req *x)
{
	if (x->in->virq != VIRQ_DOM_EXC)
		return EINVAL;
	if (domain_find(x->in->domid) == NULL)
		return ESRCH;
	domain_exc_handler = x->in->domid;
	return 0;
}

static int
do_evtchn_alloc(struct req *x)
{
	struct domain *d = target(x, x->in->domid);
	uint32_t remote = x->in->remote_domid;

	if (d == NULL || d->dying)
		return ESRCH;
	if (d != x->self && !privileged(x))
		return EPERM;
	if (remote == DOMID_SELF)
		remote = x->self->domid;
	return evtchn_alloc_unbound(d, remote, NULL, &x->out->port);
}

/* Hand the new port's eventfds to the caller. */
static int
give_port_fds(struct req *x, uint32_t port)
{
	int n = evtchn_fds(x->self, port, x->fds);

	if (n < 0) {
		evtchn_close(x->self, port);
		return -n;
	}
	x->nfds = (unsigned)n;
	x->out->port = port;
	return 0;
}

static int
do_evtchn_bind_unbound(struct req *x)
{
	uint32_t remote = x->in->remote_domid, port;
	int err;

	if (remote == DOMID_SELF)
		remote = x->self->domid;
	err = evtchn_alloc_unbound(x->self, remote, x->c, &port);
	return err ? err : give_port_fds(x, port);
}

static int
do_evtchn_bind_interdomain(struct req *x)
{
	struct domain *r = target(x, x->in->remote_domid);
	uint32_t port;
	int err;

	if (r == NULL || r->dying)
		return ESRCH;
	err = evtchn_bind_interdomain(x->self, r, x->in->port, x->c, &port);
	return err ? err : give_port_fds(x, port);
}

static int
do_evtchn_bind_virq(struct req *x)
{
	uint32_t port;
	int err = evtchn_bind_virq(x->self, x->in->virq, x->c, &port);

	return err ? err : give_port_fds(x, port);
}

static int
do_evtchn_attach(struct req *x)
{
	int n, err = evtchn_attach(x->self, x->in->port, x->c);

	if (err)
		return err;
	n = evtchn_fds(x->self, x->in->port, x->fds);
	if (n < 0) {
		x->self->ports[x->in->port].owner = NULL;
		return -n;
	}
	x->nfds = (unsigned)n;
	x->out->port = x->in->port;
	return 0;
}

/*
 * New descriptors for a port this channel holds: a process that kept the
 * channel across exec (libxenevtchn's xenevtchn_fdopen) gets back what
 * exec closed.  The binding itself never moved.
 */
static int
do_evtchn_reopen(struct req *x)
{
	uint32_t port = x->in->port;
	int n;

	if (port == 0 || port >= XSIM_NR_PORTS ||
	    x->self->ports[port].state == PORT_FREE ||
	    x->self->ports[port].owner != x->c)
		return EINVAL;
	n = evtchn_fds(x->self, port, x->fds);
	if (n < 0)
		return -n;
	x->nfds = (unsigned)n;
	x->out->port = port;
	return 0;
}

static int
do_evtchn_unbind(struct req *x)
{
	uint32_t port = x->in->port;

	if (port == 0 || port >= XSIM_NR_PORTS ||
	    x->self->ports[port].state == PORT_FREE ||
	    x->self->ports[port].owner != x->c)
		return EINVAL;
	evtchn_close(x->self, port);
	return 0;
}

static int
do_gnt_map(struct req *x)
{
	struct domain *d = target(x, x->in->domid);
	int64_t pfn;
	int fd;

	if (d == NULL || d->dying)
		return ESRCH;
	pfn = gnt_check(d, x->self->domid, x->in->ref, x->in->writable);
	if (pfn < 0) {
		log_debug("dom%u may not map grant %u of dom%u", x->self->domid,
			  x->in->ref, d->domid);
		return (int)-pfn;
	}
	fd = domain_page_fd(d, (uint64_t)pfn, x->in->writable);
	if (fd < 0)
		return -fd;
	x->fds[x->nfds++] = fd;
	return 0;
}

static int
do_gnt_share(struct req *x)
{
	uint32_t pfns[XSIM_MSG_MAX_FDS], n = x->in->count, i;
	int err, fd;

	if (n == 0 || n > XSIM_MSG_MAX_FDS)
		return EINVAL;
	err = gnt_share(x->self, x->in->domid, n, x->in->writable, x->refs,
			pfns);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		fd = domain_page_fd(x->self, pfns[i], true);
		if (fd < 0) {
			/* All or nothing: the caller closes the fds. */
			for (i = 0; i < n; i++)
				gnt_end(x->self, x->refs[i]);
			return -fd;
		}
		x->fds[x->nfds++] = fd;
	}
	x->out->refs = x->refs;
	x->out->n_refs = n;
	return 0;
}

static int
do_gnt_end(struct req *x)
{
	return gnt_end(x->self, x->in->ref);
}

static int
do_foreign_map(struct req *x)
{
	struct domain *d = target(x, x->in->domid);
	int fd;

	if (d == NULL)
		return ESRCH;
	if (d != x->self && !privileged(x))
		return EPERM;
	fd = domain_page_fd(d, x->in->pfn, x->in->writable);
	if (fd < 0)
		return -fd;
	x->fds[x->nfds++] = fd;
	return 0;
}

/*
 * The toolstack seeds a reserved entry of a domain's grant table (Xen's
 * xc_dom_gnttab_seed): GNTTAB_RESERVED_XENSTORE then grants the
 * domain's ring page to the xenstore domain, which is how a xenstore
 * stub domain may map it and nothing else of that domain.
 */
static int
do_gnt_seed(struct req *x)
{
	struct domain *d = target(x, x->in->domid);

	if (d == NULL || d->dying)
		return ESRCH;
	if (x->in->ref >= GNTTAB_NR_RESERVED_ENTRIES ||
	    !d->grants[x->in->ref].in_use)
		return EINVAL;
	if (domain_find(x->in->remote_domid) == NULL)
		return ESRCH;
	d->grants[x->in->ref].domid = x->in->remote_domid;
	log_debug("dom%u grant %u seeded for dom%u", d->domid, x->in->ref,
		  x->in->remote_domid);
	return 0;
}

static int
do_domain_memory(struct req *x)
{
	struct domain *d = domain_find(x->in->domid);

	if (d == NULL || d->dying)
		return ESRCH;
	return mem_set(d, (pid_t)x->in->pid, x->in->mem_kb, x->in->max_kb);
}

/*
 * A port's state (EVTCHNOP_status): a domain may ask of its own ports,
 * the privileged one of anybody's.  Xen's numbers (xen/xen.h).
 */
static int
do_evtchn_status(struct req *x)
{
	struct domain *d = target(x, x->in->domid);
	const struct port *p;

	if (d == NULL)
		return ESRCH;
	if (d != x->self && !privileged(x))
		return EPERM;
	if (x->in->port >= XSIM_NR_PORTS)
		return EINVAL;
	p = &d->ports[x->in->port];
	switch (p->state) {
	case PORT_FREE:
		x->out->status = EVTCHNSTAT_closed;
		break;
	case PORT_UNBOUND:
		x->out->status = EVTCHNSTAT_unbound;
		x->out->domid = p->remote_dom;
		break;
	case PORT_INTERDOMAIN:
		x->out->status = EVTCHNSTAT_interdomain;
		x->out->domid = p->remote_dom;
		x->out->port = p->remote_port;
		break;
	case PORT_VIRQ:
		x->out->status = EVTCHNSTAT_virq;
		x->out->port = p->virq;
		break;
	}
	return 0;
}

/* Only for itself: the caller's domain is its channel's. */
static int
do_mem_increase(struct req *x)
{
	uint64_t before = x->self->mem_kb;
	int err = mem_increase(x->self, x->in->mem_kb);

	x->out->mem_kb = x->self->mem_kb - before; /* granted */
	return err;
}

static const struct {
	int (*fn)(struct req *x);
	bool priv; /* only the privileged domain may ask */
} ops[] = {
	[XSIM__OP__OP_HELLO] = {do_hello, false},
	[XSIM__OP__OP_CLONE] = {do_clone, false},
	[XSIM__OP__OP_DOMAIN_CREATE] = {do_domain_create, true},
	[XSIM__OP__OP_DOMAIN_DESTROY] = {do_domain_destroy, true},
	[XSIM__OP__OP_DOMAIN_PAUSE] = {do_domain_pause, true},
	[XSIM__OP__OP_DOMAIN_UNPAUSE] = {do_domain_pause, true},
	[XSIM__OP__OP_DOMAIN_SHUTDOWN] = {do_domain_shutdown, false},
	[XSIM__OP__OP_DOMAIN_GETINFO] = {do_domain_getinfo, false},
	[XSIM__OP__OP_DOMAIN_CHANNEL] = {do_domain_channel, true},
	[XSIM__OP__OP_VIRQ_HANDLER] = {do_virq_handler, true},
	[XSIM__OP__OP_EVTCHN_ALLOC] = {do_evtchn_alloc, false},
	[XSIM__OP__OP_EVTCHN_BIND_UNBOUND] = {do_evtchn_bind_unbound, false},
	[XSIM__OP__OP_EVTCHN_BIND_INTERDOMAIN] = {do_evtchn_bind_interdomain,
						  false},
	[XSIM__OP__OP_EVTCHN_BIND_VIRQ] = {do_evtchn_bind_virq, false},
	[XSIM__OP__OP_EVTCHN_ATTACH] = {do_evtchn_attach, false},
	[XSIM__OP__OP_EVTCHN_UNBIND] = {do_evtchn_unbind, false},
	[XSIM__OP__OP_EVTCHN_REOPEN] = {do_evtchn_reopen, false},
	[XSIM__OP__OP_GNT_MAP] = {do_gnt_map, false},
	[XSIM__OP__OP_GNT_SHARE] = {do_gnt_share, false},
	[XSIM__OP__OP_GNT_END] = {do_gnt_end, false},
	[XSIM__OP__OP_FOREIGN_MAP] = {do_foreign_map, false},
	[XSIM__OP__OP_GNT_SEED] = {do_gnt_seed, true},
	[XSIM__OP__OP_DOMAIN_MEMORY] = {do_domain_memory, true},
	[XSIM__OP__OP_MEM_INCREASE] = {do_mem_increase, false},
	[XSIM__OP__OP_EVTCHN_STATUS] = {do_evtchn_status, false},
};

static const char *
op_name(int op)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&xsim__op__descriptor, op);

	return v ? v->name : "an unknown op";
}

static int
dispatch(struct req *x)
{
	unsigned op = (unsigned)x->in->op;

	if (x->self == NULL)
		return ESRCH;
	if (op >= sizeof(ops) / sizeof(ops[0]) || ops[op].fn == NULL)
		return ENOSYS;
	if (ops[op].priv && !privileged(x))
		return EPERM;
	return ops[op].fn(x);
}

/* Read and answer one request of c; c may be freed. */
static void
channel_input(struct channel *c)
{
	static uint8_t buf[XSIM_MSG_MAX];
	Xsim__Reply out = XSIM__REPLY__INIT;
	struct req x = {.c = c, .out = &out};
	Xsim__Request *in;
	unsigned nfds;
	size_t len;
	ssize_t n;
	int err;

	n = xsim_msg_recv(c->fd, buf, sizeof(buf), NULL, 0, &nfds);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		if (errno != ECONNRESET)
			log_warn("dropping channel of dom%u", c->domid);
		channel_close(c);
		return;
	}
	in = xsim__request__unpack(NULL, (size_t)n, buf);
	x.in = in;
	if (in == NULL) {
		log_warnx("dropping channel of dom%u: malformed request",
			  c->domid);
		channel_close(c);
		return;
	}
	x.self = domain_find(c->domid);
	err = dispatch(&x);
	/*
	 * A xenstore domain has only the rights Xen's policy gives it; what
	 * it is refused beyond them is worth a line (guests' refusals are
	 * routine and stay at debug level).
	 */
	if (err == EPERM && x.self && x.self->xenstore && x.self->domid != 0)
		log_warnx("xenstore domain %u refused %s: %s", c->domid,
			  op_name(x.in->op), strerror(err));
	else if (err)
		log_debug("dom%u op %d: %s", c->domid, x.in->op, strerror(err));
	if (err) {
		close_fds(x.fds, x.nfds);
		memset(&out, 0, sizeof(out));
		xsim__reply__init(&out);
		out.err = err;
		x.nfds = 0;
	}
	xsim__request__free_unpacked(in, NULL);
	len = xsim__reply__get_packed_size(&out);
	if (len > sizeof(buf)) {
		log_warnx("reply to dom%u too large", c->domid);
		close_fds(x.fds, x.nfds);
		channel_close(c);
		return;
	}
	xsim__reply__pack(&out, buf);
	err = xsim_msg_send(c->fd, buf, len, x.fds, x.nfds);
	close_fds(x.fds, x.nfds);
	if (err < 0) {
		/* A guest killed inside a hypercall: normal, not worth a word.
		 */
		if (errno != EPIPE && errno != ECONNRESET)
			log_warn("dropping channel of dom%u: reply", c->domid);
		channel_close(c);
	}
}

static void
channel_read_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	channel_input(arg);
}

static void
channel_accept(void)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_warn("SO_PEERCRED");
		close(fd);
		return;
	}
	if (cred.uid != dom0_uid) {
		log_warnx("refused dom0 connection from pid %d uid %u",
			  (int)cred.pid, (unsigned)cred.uid);
		close(fd);
		return;
	}
	if (channel_new(fd, 0, false) == NULL) {
		log_warn("new dom0 channel");
		close(fd);
	}
}

static void
channel_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	channel_accept();
}

/*
 * The socket is bound under a temporary name and renamed into place
 * once it listens: whoever waits for path to appear (xsim start) may
 * connect at once, where between bind and listen it was refused.
 */
int
channel_listen(struct event_base *b, const char *path, uid_t uid)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, err;

	base = b;
	dom0_uid = uid;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.new",
			     path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	unlink(sa.sun_path);
	/* main() set umask 077: the socket is never open to others. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(sa.sun_path, 0600) < 0 ||
	    chown(sa.sun_path, uid, (gid_t)-1) < 0 || listen(fd, 64) < 0 ||
	    rename(sa.sun_path, path) < 0)
		goto fail;
	listen_ev = event_new(base, fd, EV_READ | EV_PERSIST, channel_accept_cb,
			      NULL);
	if (listen_ev == NULL || event_add(listen_ev, NULL) < 0) {
		errno = ENOMEM;
		goto fail;
	}
	listen_fd = fd;
	return 0;
fail:
	err = errno;
	close(fd);
	unlink(sa.sun_path);
	errno = err;
	return -1;
}
