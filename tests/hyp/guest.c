/* SPDX-License-Identifier: MIT */
/*
 * The guest roles of hyptest: each runs in a process started by the dom0
 * half as a guest domain, with only its inherited channel, and checks what
 * such a guest can and cannot do.
 */
#include <errno.h>
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
#include "xsim_msg.h"

static struct xsim_start_info *
guest_start_info(void)
{
	xen_pfn_t pfn = XSIM_START_INFO_PFN;
	struct xsim_start_info *si;

	si = xenforeignmemory_map(fmem, DOMID_SELF, PROT_READ, 1, &pfn, NULL);
	CHECK(si && memcmp(si->magic, XSIM_START_MAGIC, 8) == 0,
	      "own start info");
	return si;
}

/*
 * Share a writable and a read-only page with domain argv[0], and put a
 * request on our own xenstore ring for dom0 to find; print both refs,
 * then, when told, check what the mapper wrote back.
 */
static int
role_sharer(char **argv)
{
	uint32_t peer = (uint32_t)atoi(argv[0]), rw, ro;
	xen_pfn_t pfn = XSIM_STORE_PFN;
	struct xenstore_domain_interface *ring;
	xengntshr_handle *gs = xengntshr_open(NULL, 0);
	char *a, *b, line[64];

	CHECK(gs, "xengntshr_open");
	a = xengntshr_share_pages(gs, peer, 1, &rw, 1);
	b = xengntshr_share_pages(gs, peer, 1, &ro, 0);
	CHECK(a && b && rw != ro, "share pages");
	strcpy(a, "granted by A");
	strcpy(b, "read-only from A");
	ring = xenforeignmemory_map(fmem, DOMID_SELF, PROT_READ | PROT_WRITE, 1,
				    &pfn, NULL);
	CHECK(ring, "map own xenstore page");
	CHECK(ring_write(ring, RING_CLIENT, "hello xenstored", 16) == 16,
	      "ring write");
	printf("%u %u\n", rw, ro);
	fflush(stdout);
	CHECK(fgets(line, sizeof(line), stdin), "no go-ahead");
	CHECK(strcmp(a, "written by B") == 0, "page says [%s]", a);
	CHECK(xengntshr_unshare(gs, a, 1) == 0, "unshare");
	REFUSED(xengntshr_unshare(gs, a, 1) == 0, EINVAL, "unshare twice");
	xenforeignmemory_unmap(fmem, ring, 1);
	xengntshr_close(gs);
	return 0;
}

/* Map domain argv[0]'s grants argv[1] = "rw ro" as their grantee. */
static int
role_mapper(char **argv)
{
	uint32_t dom = (uint32_t)atoi(argv[0]), rw, ro;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	char *p;

	CHECK(gt, "xengnttab_open");
	CHECK(sscanf(argv[1], "%u %u", &rw, &ro) == 2, "refs");
	p = xengnttab_map_grant_ref(gt, dom, rw, PROT_READ | PROT_WRITE);
	CHECK(p, "map writable grant");
	CHECK(strcmp(p, "granted by A") == 0, "page says [%s]", p);
	strcpy(p, "written by B");
	CHECK(xengnttab_unmap(gt, p, 1) == 0, "unmap");
	REFUSED(xengnttab_map_grant_ref(gt, dom, ro, PROT_READ | PROT_WRITE),
		EPERM, "writable map of a read-only grant");
	p = xengnttab_map_grant_ref(gt, dom, ro, PROT_READ);
	CHECK(p && strcmp(p, "read-only from A") == 0, "map read-only grant");
	REFUSED(xengnttab_map_grant_ref(gt, dom, 100, PROT_READ), EINVAL,
		"unused grant reference");
	REFUSED(xengnttab_map_grant_ref(gt, dom, 99999, PROT_READ), EINVAL,
		"grant reference out of range");
	REFUSED(xengnttab_map_grant_ref(gt, dom, GNTTAB_RESERVED_XENSTORE,
					PROT_READ),
		EPERM, "xenstore page of another domain");
	xengnttab_close(gt);
	return 0;
}

/* Try the grants of domain argv[0] meant for someone else. */
static int
role_intruder(char **argv)
{
	uint32_t dom = (uint32_t)atoi(argv[0]), rw, ro;
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xen_pfn_t pfn = XSIM_STORE_PFN;

	CHECK(gt, "xengnttab_open");
	CHECK(sscanf(argv[1], "%u %u", &rw, &ro) == 2, "refs");
	REFUSED(xengnttab_map_grant_ref(gt, dom, rw, PROT_READ), EPERM,
		"map a grant meant for another domain");
	REFUSED(xengnttab_map_grant_ref(gt, dom, ro, PROT_READ), EPERM,
		"map a read-only grant meant for another domain");
	REFUSED(xenforeignmemory_map(fmem, dom, PROT_READ, 1, &pfn, NULL),
		EPERM, "foreign map without privilege");
	xengnttab_close(gt);
	return 0;
}

/* Attach our xenstore port and echo every event back, argv[0] times. */
static int
role_echo(char **argv)
{
	struct xsim_start_info *si = guest_start_info();
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	int i, n = atoi(argv[0]), port;

	CHECK(xce, "xenevtchn_open");
	port = xsim_evtchn_attach(xce, si->store_evtchn);
	CHECK(port == (int)si->store_evtchn, "attach port %u",
	      si->store_evtchn);
	REFUSED(xsim_evtchn_attach(xce, si->store_evtchn) >= 0, EBUSY,
		"attach twice");
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < n; i++) {
		wait_readable(xenevtchn_fd(xce));
		CHECK(xenevtchn_pending(xce) == port, "pending");
		CHECK(xenevtchn_unmask(xce, (evtchn_port_t)port) == 0,
		      "unmask");
		CHECK(xenevtchn_notify(xce, (evtchn_port_t)port) == 0,
		      "notify");
	}
	xenevtchn_close(xce);
	return 0;
}

/*
 * Move len bytes through the ring as side, notifying port after every
 * step and waiting for the peer's notification when stuck: the loop
 * xenstored and a guest's xenbus driver both run.
 */
void
ring_xfer(xenevtchn_handle *xce, int port,
	  struct xenstore_domain_interface *ring, enum ring_side side,
	  bool writing, char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (writing)
			n = ring_write(ring, side, buf + done, len - done);
		else
			n = ring_read(ring, side, buf + done, len - done);
		CHECK(n >= 0, "ring indexes");
		if (n > 0) {
			done += (size_t)n;
			CHECK(xenevtchn_notify(xce, (evtchn_port_t)port) == 0,
			      "notify");
			continue;
		}
		wait_readable(xenevtchn_fd(xce));
		CHECK(xenevtchn_pending(xce) == port, "pending");
		CHECK(xenevtchn_unmask(xce, (evtchn_port_t)port) == 0,
		      "unmask");
	}
}

const size_t ring_sizes[] = {0, 1, 1000, 1008, 3000, XENSTORE_PAYLOAD_MAX};

/*
 * A guest's xenstore client: requests of every size (wrapping the ring,
 * larger than it) go out on the request ring, and the echo must come back
 * on the response ring.
 */
static int
role_ring(char **argv)
{
	struct xsim_start_info *si = guest_start_info();
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xen_pfn_t pfn = XSIM_STORE_PFN;
	struct xenstore_domain_interface *ring;
	static char out[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	static char in[sizeof(out)];
	struct xsd_sockmsg hdr;
	size_t i, j, total;
	int port;

	(void)argv;
	CHECK(xce, "xenevtchn_open");
	port = xsim_evtchn_attach(xce, si->store_evtchn);
	CHECK(port > 0, "attach");
	ring = xenforeignmemory_map(fmem, DOMID_SELF, PROT_READ | PROT_WRITE, 1,
				    &pfn, NULL);
	CHECK(ring, "map own xenstore page");
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < sizeof(ring_sizes) / sizeof(ring_sizes[0]); i++) {
		hdr.type = XS_WRITE;
		hdr.req_id = (uint32_t)i;
		hdr.tx_id = 0;
		hdr.len = (uint32_t)ring_sizes[i];
		memcpy(out, &hdr, sizeof(hdr));
		for (j = 0; j < hdr.len; j++)
			out[sizeof(hdr) + j] = (char)('a' + (i + j) % 26);
		total = sizeof(hdr) + hdr.len;
		ring_xfer(xce, port, ring, RING_CLIENT, true, out, total);
		ring_xfer(xce, port, ring, RING_CLIENT, false, in, total);
		CHECK(memcmp(in, out, total) == 0, "echo of message %zu", i);
	}
	xenforeignmemory_unmap(fmem, ring, 1);
	xenevtchn_close(xce);
	return 0;
}

/* Shut down with reason argv[0], or die of a signal if it is "kill". */
static int
role_die(char **argv)
{
	if (strcmp(argv[0], "kill") == 0)
		raise(SIGKILL);
	CHECK(xc_domain_shutdown(xch, DOMID_SELF, atoi(argv[0])) == 0,
	      "shutdown self");
	return 0;
}

/*
 * Everything a guest might try in order to act as another domain, given
 * a victim domain argv[0] whose xenstore port is argv[1].
 */
static int
role_impostor(char **argv)
{
	uint32_t victim = (uint32_t)atoi(argv[0]), me, domid = 0;
	evtchn_port_t vport = (evtchn_port_t)atoi(argv[1]);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xen_pfn_t pfn = XSIM_STORE_PFN;
	xc_dominfo_t info;
	int priv;

	CHECK(xce && gt, "open handles");
	CHECK(xsim_whoami(xch, &me, &priv) == 0 && me != 0 && !priv,
	      "identity");
	REFUSED(xc_domain_create(xch, &domid, NULL) == 0, EPERM, "create");
	REFUSED(xc_domain_destroy(xch, victim) == 0, EPERM, "destroy");
	REFUSED(xc_domain_shutdown(xch, victim, SHUTDOWN_poweroff) == 0, EPERM,
		"shut another domain down");
	REFUSED(xc_domain_getinfo(xch, 0, 1, &info) >= 0, EPERM, "getinfo");
	REFUSED(xsim_domain_channel(xch, victim) >= 0, EPERM,
		"take another domain's channel");
	REFUSED(xc_evtchn_alloc_unbound(xch, victim, me) >= 0, EPERM,
		"allocate a port in another domain");
	REFUSED(xenevtchn_bind_interdomain(xce, victim, vport) >= 0, EPERM,
		"bind a port reserved for dom0");
	REFUSED(xenevtchn_bind_virq(xce, VIRQ_DOM_EXC) >= 0, EPERM,
		"bind VIRQ_DOM_EXC");
	REFUSED(xengnttab_map_grant_ref(gt, victim, GNTTAB_RESERVED_XENSTORE,
					PROT_READ),
		EPERM, "map another domain's xenstore page");
	REFUSED(xenforeignmemory_map(fmem, 0, PROT_READ, 1, &pfn, NULL), EPERM,
		"foreign map of dom0");

	/* Without our channel, as an ordinary user: no way in either. */
	unsetenv(XENHYP_CHANNEL_ENV);
	CHECK(setgid(65534) == 0 && setuid(65534) == 0, "drop to nobody");
	REFUSED(xc_interface_open(NULL, NULL, 0), EACCES,
		"dom0 socket as another user");
	xenevtchn_close(xce);
	xengnttab_close(gt);
	return 0;
}

/*
 * The xenstore domain (created with XEN_DOMCTL_CDF_xs_domain and made
 * VIRQ_DOM_EXC's handler): what Xen's policy gives it works, given a
 * guest argv[0] whose grant 1 and xenstore port argv[1] were made for us;
 * everything else is refused (and the hypervisor logs it).
 */
static int
role_xsdom(char **argv)
{
	uint32_t guest = (uint32_t)atoi(argv[0]), me, domid = 0;
	evtchn_port_t gport = (evtchn_port_t)atoi(argv[1]);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xen_pfn_t pfn = XSIM_STORE_PFN;
	xc_dominfo_t info;
	void *ring;
	int priv;

	CHECK(xce && gt, "open handles");
	CHECK(xsim_whoami(xch, &me, &priv) == 0 && me != 0 && !priv,
	      "identity");
	/* Its rights. */
	CHECK(xc_domain_getinfo(xch, guest, 1, &info) == 1 &&
		      info.domid == guest,
	      "query another domain's state");
	CHECK(xenevtchn_bind_virq(xce, VIRQ_DOM_EXC) >= 0, "bind VIRQ_DOM_EXC");
	ring = xengnttab_map_grant_ref(gt, guest, GNTTAB_RESERVED_XENSTORE,
				       PROT_READ | PROT_WRITE);
	CHECK(ring, "map the guest's xenstore ring through grant 1");
	CHECK(xenevtchn_bind_interdomain(xce, guest, gport) >= 0,
	      "bind the guest's xenstore port");
	/* Nothing else. */
	REFUSED(xc_domain_create(xch, &domid, NULL) == 0, EPERM, "create");
	REFUSED(xc_domain_destroy(xch, guest) == 0, EPERM, "destroy");
	REFUSED(xc_domain_pause(xch, guest) == 0, EPERM, "pause");
	REFUSED(xc_domain_shutdown(xch, guest, SHUTDOWN_poweroff) == 0, EPERM,
		"shut another domain down");
	REFUSED(xsim_domain_channel(xch, guest) >= 0, EPERM,
		"take another domain's channel");
	REFUSED(xc_evtchn_alloc_unbound(xch, guest, me) >= 0, EPERM,
		"allocate a port in another domain");
	REFUSED(xc_domain_set_virq_handler(xch, me, VIRQ_DOM_EXC) == 0, EPERM,
		"choose VIRQ_DOM_EXC's handler");
	REFUSED(xc_dom_gnttab_seed(xch, 0, false, 0, 0, me, me) == 0, EPERM,
		"seed dom0's grant table");
	REFUSED(xsim_domain_memory(xch, me, getpid(), 1024, 1 << 20) == 0,
		EPERM, "set its own memory");
	REFUSED(xc_domain_increase_reservation(xch, guest, 1, 0, 0, NULL) >= 0,
		EPERM, "grow another domain");
	/* No toolstack set its size here: nothing to grow. */
	REFUSED(xc_domain_increase_reservation(xch, DOMID_SELF, 1, 0, 0,
					       NULL) >= 0,
		ENOMEM, "grow without a maximum");
	REFUSED(xengnttab_map_grant_ref(gt, guest, GNTTAB_RESERVED_CONSOLE,
					PROT_READ),
		EPERM, "map the guest's console page");
	REFUSED(xengnttab_map_grant_ref(gt, 0, GNTTAB_RESERVED_XENSTORE,
					PROT_READ),
		EPERM, "map dom0's ring, not granted to it");
	REFUSED(xenforeignmemory_map(fmem, guest, PROT_READ, 1, &pfn, NULL),
		EPERM, "foreign map of a guest");
	REFUSED(xenforeignmemory_map(fmem, 0, PROT_READ, 1, &pfn, NULL), EPERM,
		"foreign map of dom0");
	xengnttab_unmap(gt, ring, 1);
	xenevtchn_close(xce);
	xengnttab_close(gt);
	return 0;
}

/*
 * Send the hypervisor something that is not a request on our own channel:
 * it must drop the channel (which, being our primary one, kills our
 * domain) and carry on.
 */
static int
role_garbage(char **argv)
{
	int fd = atoi(getenv(XENHYP_CHANNEL_ENV));
	char junk[64], c;

	(void)argv;
	/* Framed as a message, so that the protobuf decoder sees it. */
	memset(junk, 0xff, sizeof(junk));
	junk[0] = XSIM_MSG_TAG;
	CHECK(write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk),
	      "write junk");
	CHECK(read(fd, &c, 1) == 0, "channel not dropped");
	return 0;
}

int
guest_main(int argc, char **argv)
{
	static char name[32];
	int ret = 1;

	snprintf(name, sizeof(name), "guest %s", argc > 0 ? argv[0] : "?");
	who = name;
	CHECK(argc == 3, "guest arguments");
	xch = xc_interface_open(NULL, NULL, 0);
	CHECK(xch, "guest xc_interface_open");
	fmem = xenforeignmemory_open(NULL, 0);
	CHECK(fmem, "guest xenforeignmemory_open");
	if (strcmp(argv[0], "sharer") == 0)
		ret = role_sharer(argv + 1);
	else if (strcmp(argv[0], "mapper") == 0)
		ret = role_mapper(argv + 1);
	else if (strcmp(argv[0], "intruder") == 0)
		ret = role_intruder(argv + 1);
	else if (strcmp(argv[0], "echo") == 0)
		ret = role_echo(argv + 1);
	else if (strcmp(argv[0], "die") == 0)
		ret = role_die(argv + 1);
	else if (strcmp(argv[0], "ring") == 0)
		ret = role_ring(argv + 1);
	else if (strcmp(argv[0], "garbage") == 0)
		ret = role_garbage(argv + 1);
	else if (strcmp(argv[0], "impostor") == 0)
		ret = role_impostor(argv + 1);
	else if (strcmp(argv[0], "xsdom") == 0)
		ret = role_xsdom(argv + 1);
	else
		CHECK(0, "unknown role %s", argv[0]);
	xenforeignmemory_close(fmem);
	xc_interface_close(xch);
	return ret;
}
