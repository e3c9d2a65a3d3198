/* SPDX-License-Identifier: MIT */
/*
 * Scenarios for the simulated hypervisor, run by tests/integration/hyp_*.sh
 * against a private xenhyp.  The program is both sides: run as
 * "hyptest <scenario>" it is a dom0 toolstack that creates domains and
 * starts guests, each by exec'ing itself as "hyptest guest <role> ...",
 * with nothing but the inherited hypercall channel to act through.
 *
 * Every check prints what failed and exits 1; "PASS <scenario>" on
 * success.  Waits are bounded only to turn a hang into a failure (30 s);
 * nothing asserts on timing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>

#include "hyptest.h"
#include "ring.h"
#include "xensim.h"

const char *who = "dom0";

void
fail(int line, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "FAIL (%s, line %d): ", who, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " [errno %s]\n", strerror(err));
	exit(1);
}

xc_interface *xch;
xenforeignmemory_handle *fmem;

void
wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	CHECK(poll(&p, 1, HANG_GUARD_MS) == 1, "no event (hang guard)");
}

struct guest {
	uint32_t domid;
	uint32_t port; /* its xenstore event channel, remote dom0 */
	pid_t pid;
	FILE *out; /* the guest's stdout */
	int in;	   /* the guest's stdin */
};

static void
open_dom0(void)
{
	xch = xc_interface_open(NULL, NULL, 0);
	CHECK(xch, "xc_interface_open");
	fmem = xenforeignmemory_open(NULL, 0);
	CHECK(fmem, "xenforeignmemory_open");
}

/* Toolstack: create a domain and its xenstore port, fill the start info. */
static void
create_domain(struct guest *g)
{
	struct xen_domctl_createdomain cfg = {.max_vcpus = 1};
	xen_pfn_t pfn = XSIM_START_INFO_PFN;
	struct xsim_start_info *si;
	int port;

	memset(g, 0, sizeof(*g));
	CHECK(xc_domain_create(xch, &g->domid, &cfg) == 0, "create");
	port = xc_evtchn_alloc_unbound(xch, g->domid, 0);
	CHECK(port > 0, "alloc_unbound");
	g->port = (uint32_t)port;
	si = xenforeignmemory_map(fmem, g->domid, PROT_READ | PROT_WRITE, 1,
				  &pfn, NULL);
	CHECK(si, "map start info of dom%u", g->domid);
	CHECK(memcmp(si->magic, XSIM_START_MAGIC, 8) == 0 &&
		      si->domid == g->domid,
	      "start info of dom%u", g->domid);
	si->store_evtchn = g->port;
	xenforeignmemory_unmap(fmem, si, 1);
	CHECK(xc_domain_unpause(xch, g->domid) == 0, "unpause");
}

/* Toolstack: start "hyptest guest role args..." as domain g. */
static void
start_guest(struct guest *g, const char *role, const char *arg1,
	    const char *arg2)
{
	int chan = xsim_domain_channel(xch, g->domid), up[2], down[2];
	char num[16];

	CHECK(chan >= 0, "channel of dom%u", g->domid);
	CHECK(pipe(up) == 0 && pipe(down) == 0, "pipe");
	fflush(NULL);
	g->pid = fork();
	CHECK(g->pid >= 0, "fork");
	if (g->pid == 0) {
		dup2(down[0], 0);
		dup2(up[1], 1);
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
		snprintf(num, sizeof(num), "%d", chan);
		setenv(XENHYP_CHANNEL_ENV, num, 1);
		execl("/proc/self/exe", "hyptest", "guest", role,
		      arg1 ? arg1 : "", arg2 ? arg2 : "", (char *)NULL);
		_exit(127);
	}
	/* Only the guest may hold its channel, or it would never die. */
	close(chan);
	close(up[1]);
	close(down[0]);
	g->out = fdopen(up[0], "r");
	g->in = down[1];
	CHECK(g->out, "fdopen");
}

/* The next line the guest prints (without the newline). */
static char *
guest_line(struct guest *g, char *buf, size_t len)
{
	CHECK(fgets(buf, (int)len, g->out), "dom%u said nothing", g->domid);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int
guest_wait(struct guest *g)
{
	int status;

	if (g->in >= 0)
		close(g->in);
	g->in = -1;
	CHECK(waitpid(g->pid, &status, 0) == g->pid, "waitpid");
	fclose(g->out);
	return status;
}

static void
guest_ok(struct guest *g)
{
	int status = guest_wait(g);

	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "guest dom%u failed (status %#x)", g->domid, status);
}

/* ---- scenarios (dom0) ---- */

/* Two domains share pages; a third and dom0 are refused. */
static int
scenario_grant(void)
{
	struct guest a, b, c;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	struct xenstore_domain_interface *ring;
	char refs[64], num[16], buf[32];
	uint32_t rw, ro;

	CHECK(gt, "xengnttab_open");
	create_domain(&a);
	create_domain(&b);
	create_domain(&c);
	snprintf(num, sizeof(num), "%u", b.domid);
	start_guest(&a, "sharer", num, NULL);
	guest_line(&a, refs, sizeof(refs));
	CHECK(sscanf(refs, "%u %u", &rw, &ro) == 2, "refs [%s]", refs);

	/* dom0 is not the grantee of A's pages... */
	REFUSED(xengnttab_map_grant_ref(gt, a.domid, rw, PROT_READ), EPERM,
		"dom0 maps a grant meant for B");
	/* ...but reaches A's xenstore page through reserved grant 1. */
	ring = xengnttab_map_grant_ref(gt, a.domid, GNTTAB_RESERVED_XENSTORE,
				       PROT_READ | PROT_WRITE);
	CHECK(ring, "map grant 1 of dom%u", a.domid);
	CHECK(ring_read(ring, RING_SERVER, buf, sizeof(buf)) == 16 &&
		      strcmp(buf, "hello xenstored") == 0,
	      "request on the xenstore ring");
	CHECK(xengnttab_unmap(gt, ring, 1) == 0, "unmap grant 1");
	REFUSED(xengnttab_unmap(gt, ring, 1) == 0, EINVAL, "unmap twice");

	snprintf(num, sizeof(num), "%u", a.domid);
	start_guest(&b, "mapper", num, refs);
	guest_ok(&b);
	start_guest(&c, "intruder", num, refs);
	guest_ok(&c);
	CHECK(write(a.in, "check\n", 6) == 6, "go-ahead");
	guest_ok(&a);
	REFUSED(xengnttab_map_grant_ref(gt, 0x7000, 1, PROT_READ), ESRCH,
		"map from a domain that does not exist");
	xengnttab_close(gt);
	return 0;
}

/* dom0 binds a guest's xenstore port; events go both ways, bypassing
 * the hypervisor (stopped meanwhile); unbinding and rebinding works. */
/*
 * A non-blocking handle, as the daemon's: every port that fired comes
 * back once, in one batch from epoll, a port unbound after the batch was
 * taken is skipped, and then EAGAIN; a port fired after "none" is found
 * by the next call.
 */
static void
pending_batch(void)
{
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	int local[4], remote[4], seen[4] = {0}, i, k, p;

	CHECK(xce != NULL, "xenevtchn_open");
	CHECK(fcntl(xenevtchn_fd(xce), F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
	for (i = 0; i < 4; i++) {
		local[i] = xenevtchn_bind_unbound_port(xce, 0);
		remote[i] = xenevtchn_bind_interdomain(xce, 0,
						       (evtchn_port_t)local[i]);
		CHECK(local[i] > 0 && remote[i] > 0, "loopback pair");
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 4; i++)
			CHECK(xenevtchn_notify(xce, (evtchn_port_t)remote[i]) ==
				      0,
			      "notify");
		wait_readable(xenevtchn_fd(xce));
		p = xenevtchn_pending(xce);
		for (i = 0; i < 4 && p != local[i]; i++)
			;
		CHECK(i < 4, "a fired port first");
		seen[i]++;
		/* The batch is taken: unbinding one of the rest drops it. */
		if (k == 0)
			xenevtchn_unbind(xce,
					 (evtchn_port_t)local[(i + 1) % 4]);
		while ((p = xenevtchn_pending(xce)) >= 0) {
			for (i = 0; i < 4 && p != local[i]; i++)
				;
			CHECK(i < 4, "a fired port");
			seen[i]++;
		}
		CHECK(errno == EAGAIN, "EAGAIN once every port is taken");
	}
	for (i = 0, p = 0; i < 4; i++) {
		CHECK(seen[i] <= 2, "each port once a round");
		p += seen[i];
	}
	CHECK(p == 3 + 3, "three bound ports fired twice, each taken");
	CHECK(xenevtchn_notify(xce, (evtchn_port_t)remote[0]) == 0 ||
		      xenevtchn_notify(xce, (evtchn_port_t)remote[1]) == 0,
	      "notify after none");
	wait_readable(xenevtchn_fd(xce));
	CHECK(xenevtchn_pending(xce) >= 0, "fired after none: found");
	xenevtchn_close(xce);
}

static int
scenario_event(const char *hyp_pid)
{
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	pid_t hyp = (pid_t)atoi(hyp_pid);
	struct guest a;
	int round, i, local;
	char line[32];

	CHECK(xce && hyp > 0, "xenevtchn_open / hypervisor pid");
	create_domain(&a);
	start_guest(&a, "echo", "6", NULL);
	CHECK(strcmp(guest_line(&a, line, sizeof(line)), "ready") == 0,
	      "guest ready");
	for (round = 0; round < 2; round++) {
		local = xenevtchn_bind_interdomain(xce, a.domid, a.port);
		CHECK(local > 0, "bind_interdomain");
		REFUSED(xenevtchn_bind_interdomain(xce, a.domid, a.port) >= 0,
			EINVAL, "bind a bound port again");
		/* The hot path must not need the hypervisor at all. */
		CHECK(kill(hyp, SIGSTOP) == 0, "stop hypervisor");
		for (i = 0; i < 3; i++) {
			CHECK(xenevtchn_notify(xce, (evtchn_port_t)local) == 0,
			      "notify");
			wait_readable(xenevtchn_fd(xce));
			CHECK(xenevtchn_pending(xce) == local, "pending");
			CHECK(xenevtchn_unmask(xce, (evtchn_port_t)local) == 0,
			      "unmask");
		}
		CHECK(kill(hyp, SIGCONT) == 0, "continue hypervisor");
		CHECK(xenevtchn_unbind(xce, (evtchn_port_t)local) == 0,
		      "unbind");
		REFUSED(xenevtchn_notify(xce, (evtchn_port_t)local) == 0,
			EINVAL, "notify an unbound port");
	}
	guest_ok(&a);

	/* A local pair: bind_unbound_port and loopback interdomain. */
	local = xenevtchn_bind_unbound_port(xce, 0);
	CHECK(local > 0, "bind_unbound_port");
	i = xenevtchn_bind_interdomain(xce, 0, (evtchn_port_t)local);
	CHECK(i > 0 && i != local, "loopback bind");
	CHECK(xenevtchn_notify(xce, (evtchn_port_t)i) == 0, "notify");
	wait_readable(xenevtchn_fd(xce));
	CHECK(xenevtchn_pending(xce) == local, "loopback pending");
	xenevtchn_close(xce);
	pending_batch();
	return 0;
}

/*
 * dom0 serves a guest's xenstore ring as xenstored will: map grant 1,
 * bind the port, read whole messages and echo them, with the hypervisor
 * stopped all along.
 */
static int
scenario_ring(const char *hyp_pid)
{
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	static char msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xenstore_domain_interface *ring;
	pid_t hyp = (pid_t)atoi(hyp_pid);
	struct xsd_sockmsg hdr;
	struct guest a;
	char line[32];
	size_t i;
	int local;

	CHECK(xce && gt && hyp > 0, "handles / hypervisor pid");
	create_domain(&a);
	ring = xengnttab_map_grant_ref(gt, a.domid, GNTTAB_RESERVED_XENSTORE,
				       PROT_READ | PROT_WRITE);
	CHECK(ring, "map grant 1");
	local = xenevtchn_bind_interdomain(xce, a.domid, a.port);
	CHECK(local > 0, "bind");
	start_guest(&a, "ring", NULL, NULL);
	CHECK(strcmp(guest_line(&a, line, sizeof(line)), "ready") == 0,
	      "guest ready");
	CHECK(kill(hyp, SIGSTOP) == 0, "stop hypervisor");
	for (i = 0; i < sizeof(ring_sizes) / sizeof(ring_sizes[0]); i++) {
		ring_xfer(xce, local, ring, RING_SERVER, false, msg,
			  sizeof(hdr));
		memcpy(&hdr, msg, sizeof(hdr));
		CHECK(hdr.req_id == i && hdr.len == ring_sizes[i],
		      "header %zu: id %u len %u", i, hdr.req_id, hdr.len);
		ring_xfer(xce, local, ring, RING_SERVER, false,
			  msg + sizeof(hdr), hdr.len);
		ring_xfer(xce, local, ring, RING_SERVER, true, msg,
			  sizeof(hdr) + hdr.len);
	}
	guest_ok(&a);
	CHECK(kill(hyp, SIGCONT) == 0, "continue hypervisor");
	xengnttab_unmap(gt, ring, 1);
	xengnttab_close(gt);
	xenevtchn_close(xce);
	return 0;
}

/*
 * Wait for VIRQ_DOM_EXC on vport until dom is dying (a shutdown and the
 * death that follows may come as one event or two), then check its state.
 */
static void
expect_dead(xenevtchn_handle *xce, int vport, uint32_t dom, int reason)
{
	xc_dominfo_t info;

	do {
		wait_readable(xenevtchn_fd(xce));
		CHECK(xenevtchn_pending(xce) == vport, "VIRQ_DOM_EXC pending");
		CHECK(xenevtchn_unmask(xce, (evtchn_port_t)vport) == 0,
		      "unmask");
		CHECK(xc_domain_getinfo(xch, dom, 1, &info) == 1 &&
			      info.domid == dom,
		      "getinfo dom%u", dom);
	} while (!info.dying);
	CHECK(info.shutdown, "dom%u dying but not shut down", dom);
	CHECK(info.shutdown_reason == (unsigned)reason,
	      "dom%u shutdown reason %u, not %d", dom, info.shutdown_reason,
	      reason);
}

/* Guests that crash or exit make their domains dead; dom0 hears it. */
static int
scenario_death(void)
{
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	struct guest a, b, c;
	xc_dominfo_t info[8];
	int vport, n, i, dead = 0;

	CHECK(xce, "xenevtchn_open");
	vport = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC);
	CHECK(vport > 0, "bind VIRQ_DOM_EXC");
	create_domain(&a);
	create_domain(&b);
	create_domain(&c);
	CHECK(xc_domain_getinfo(xch, a.domid, 1, info) == 1 && !info[0].dying &&
		      !info[0].shutdown,
	      "dom%u alive", a.domid);

	start_guest(&a, "die", "kill", NULL);
	CHECK(WIFSIGNALED(guest_wait(&a)), "guest killed");
	expect_dead(xce, vport, a.domid, SHUTDOWN_crash);

	start_guest(&b, "die", "0", NULL); /* SHUTDOWN_poweroff, exit 0 */
	guest_ok(&b);
	/* Shutdown and death may be one event or two. */
	expect_dead(xce, vport, b.domid, SHUTDOWN_poweroff);

	/* The daemon's view: every dying domain, c still alive. */
	n = xc_domain_getinfo(xch, 0, 8, info);
	CHECK(n == 4, "4 domains, got %d", n);
	for (i = 0; i < n; i++) {
		dead += info[i].dying;
		CHECK(info[i].dying == (info[i].domid == a.domid ||
					info[i].domid == b.domid),
		      "dom%u dying %d", info[i].domid, info[i].dying);
	}
	CHECK(dead == 2, "%d dead", dead);
	REFUSED(xsim_domain_channel(xch, a.domid) >= 0, ESRCH,
		"channel of a dead domain");

	/* Destroying removes the domain and raises the VIRQ again. */
	CHECK(xc_domain_destroy(xch, a.domid) == 0, "destroy");
	CHECK(xc_domain_destroy(xch, b.domid) == 0, "destroy");
	wait_readable(xenevtchn_fd(xce));
	CHECK(xenevtchn_pending(xce) == vport, "VIRQ after destroy");
	n = xc_domain_getinfo(xch, a.domid, 1, info);
	CHECK(n == 1 && info[0].domid == c.domid, "dom%u gone", a.domid);
	REFUSED(xc_domain_destroy(xch, a.domid) == 0, ESRCH, "destroy twice");
	REFUSED(xc_domain_destroy(xch, 0) == 0, EINVAL, "destroy dom0");
	xenevtchn_close(xce);
	return 0;
}

/*
 * Even with the socket opened to everybody, a process of another user is
 * refused by the hypervisor's SO_PEERCRED check.
 */
static void
refused_by_peercred(void)
{
	const char *dir = getenv(XENHYP_RUNDIR_ENV);
	char path[512];
	pid_t pid;
	int status;

	CHECK(dir, "%s not set", XENHYP_RUNDIR_ENV);
	snprintf(path, sizeof(path), "%s/%s", dir, XENHYP_SOCKET_NAME);
	CHECK(chmod(dir, 0711) == 0 && chmod(path, 0666) == 0, "chmod");
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		who = "nobody";
		CHECK(setgid(65534) == 0 && setuid(65534) == 0, "setuid");
		REFUSED(xc_interface_open(NULL, NULL, 0), EACCES,
			"dom0 socket from another uid");
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0,
	      "peer credential check");
	CHECK(chmod(path, 0600) == 0 && chmod(dir, 0700) == 0, "chmod back");
}

/* Nobody acts as a domain it is not. */
static int
scenario_pose(void)
{
	struct guest v, x;
	char port[16], num[16];
	xc_dominfo_t info;
	int ch;

	create_domain(&v);
	create_domain(&x);
	ch = xsim_domain_channel(xch, v.domid);
	CHECK(ch >= 0, "channel of dom%u", v.domid);
	REFUSED(xsim_domain_channel(xch, v.domid) >= 0, EBUSY,
		"a second channel for one domain");
	REFUSED(xsim_domain_channel(xch, 0) >= 0, EINVAL, "a channel for dom0");
	snprintf(num, sizeof(num), "%u", v.domid);
	snprintf(port, sizeof(port), "%u", v.port);
	start_guest(&x, "impostor", num, port);
	guest_ok(&x);
	close(ch);
	refused_by_peercred();

	/* A guest sending junk loses its channel, hence its domain. */
	create_domain(&x);
	start_guest(&x, "garbage", NULL, NULL);
	guest_ok(&x);
	CHECK(xc_domain_getinfo(xch, x.domid, 1, &info) == 1 &&
		      info.domid == x.domid && info.dying,
	      "dom%u dying after junk", x.domid);
	return 0;
}

/*
 * A xenstore stub domain has exactly the rights of Xen's policy: its
 * guests' rings through grant 1 (seeded for it), their ports, domain
 * state and VIRQ_DOM_EXC; nothing else.
 */
static int
scenario_xsdom(void)
{
	struct xen_domctl_createdomain cfg = {
		.max_vcpus = 1, .flags = XEN_DOMCTL_CDF_xs_domain};
	struct guest s, v;
	char num[16], port[16];
	int p;

	create_domain(&v);
	memset(&s, 0, sizeof(s));
	CHECK(xc_domain_create(xch, &s.domid, &cfg) == 0, "create xs domain");
	CHECK(xc_dom_gnttab_seed(xch, v.domid, false, XSIM_CONSOLE_PFN,
				 XSIM_STORE_PFN, 0, s.domid) == 0,
	      "seed grant 1 of dom%u", v.domid);
	p = xc_evtchn_alloc_unbound(xch, v.domid, s.domid);
	CHECK(p > 0, "a xenstore port for the xenstore domain");
	CHECK(xc_domain_set_virq_handler(xch, s.domid, VIRQ_DOM_EXC) == 0,
	      "VIRQ_DOM_EXC to the xenstore domain");
	snprintf(num, sizeof(num), "%u", v.domid);
	snprintf(port, sizeof(port), "%d", p);
	start_guest(&s, "xsdom", num, port);
	guest_ok(&s);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "guest") == 0)
		return guest_main(argc - 2, argv + 2);
	if (argc < 2) {
		fprintf(stderr,
			"usage: hyptest grant|event PID|ring PID|death|pose|"
			"xsdom\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	open_dom0();
	if (strcmp(argv[1], "grant") == 0)
		scenario_grant();
	else if (strcmp(argv[1], "event") == 0 && argc == 3)
		scenario_event(argv[2]);
	else if (strcmp(argv[1], "ring") == 0 && argc == 3)
		scenario_ring(argv[2]);
	else if (strcmp(argv[1], "death") == 0)
		scenario_death();
	else if (strcmp(argv[1], "pose") == 0)
		scenario_pose();
	else if (strcmp(argv[1], "xsdom") == 0)
		scenario_xsdom();
	else
		CHECK(0, "unknown scenario %s", argv[1]);
	xenforeignmemory_close(fmem);
	xc_interface_close(xch);
	printf("PASS %s\n", argv[1]);
	return 0;
}
