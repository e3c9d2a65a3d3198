/* SPDX-License-Identifier: MIT */
/*
 * dom0's side of xsim-xenbus set up (host.h).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenforeignmemory.h>

#include "host.h"
#include "log.h"
#include "xensim.h"

void
host_setup(struct xenbus_host *h, uint32_t stub_domid)
{
	xenforeignmemory_handle *fmem;
	xen_pfn_t pfn = XSIM_STORE_PFN;

	if ((h->xch = xc_interface_open(NULL, NULL, 0)) == NULL)
		fatal("cannot reach the hypervisor");
	if (xc_dom_gnttab_seed(h->xch, 0, false, XSIM_CONSOLE_PFN,
			       XSIM_STORE_PFN, 0, stub_domid) < 0)
		fatal("cannot grant dom0's ring to domain %u", stub_domid);
	if ((fmem = xenforeignmemory_open(NULL, 0)) == NULL)
		fatal("xenforeignmemory_open");
	h->intf = xenforeignmemory_map(fmem, 0, PROT_READ | PROT_WRITE, 1, &pfn,
				       NULL);
	if (h->intf == NULL)
		fatal("cannot map dom0's ring");
	memset(h->intf, 0, sizeof(*h->intf));
	if ((h->xce = xenevtchn_open(NULL, 0)) == NULL)
		fatal("xenevtchn_open");
	h->ring_port = xenevtchn_bind_unbound_port(h->xce, stub_domid);
	if (h->ring_port < 0)
		fatal("cannot allocate dom0's xenstore port");
	h->virq_port = xenevtchn_bind_virq(h->xce, VIRQ_DOM_EXC);
	if (h->virq_port < 0)
		fatal("cannot bind VIRQ_DOM_EXC");
}

struct evconnlistener *
host_listen(struct event_base *base, const char *path, evconnlistener_cb cb)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct evconnlistener *l;

	if (strlen(path) >= sizeof(sun.sun_path))
		fatalx("socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	unlink(path);
	umask(077);
	l = evconnlistener_new_bind(
		base, cb, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
		64, (struct sockaddr *)&sun, sizeof(sun));
	if (l == NULL)
		fatal("cannot listen on %s", path);
	return l;
}

int
host_write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -1;
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	if (fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
