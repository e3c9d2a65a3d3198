/* SPDX-License-Identifier: MIT */
/*
 * libxenforeignmemory over the simulated hypervisor
 * (xenforeignmemory.h): mapping another domain's frames by number.  The
 * hypervisor decides who may (the privileged domain, or a domain mapping
 * itself) and hands over one descriptor per page.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "chan.h"
#include "xenforeignmemory.h"
#include "xensim.h"

struct xenforeignmemory_handle {
	struct xsim_chan chan;
};

xenforeignmemory_handle *
xenforeignmemory_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	xenforeignmemory_handle *h = calloc(1, sizeof(*h));
	int err;

	(void)logger;
	(void)open_flags;
	if (h == NULL)
		return NULL;
	if (chan_open(&h->chan) < 0) {
		err = errno;
		free(h);
		errno = err;
		return NULL;
	}
	return h;
}

int
xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
	if (fmem == NULL)
		return 0;
	chan_close(&fmem->chan);
	free(fmem);
	return 0;
}

/* Map frame pfn of dom at page i of area; 0 or an errno. */
static int
map_one(xenforeignmemory_handle *fmem, uint32_t dom, int prot, void *area,
	size_t i, xen_pfn_t pfn)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	Xsim__Reply *r;
	unsigned n;
	int fd;

	req.op = XSIM__OP__OP_FOREIGN_MAP;
	req.domid = dom;
	req.pfn = pfn;
	req.writable = (prot & PROT_WRITE) != 0;
	r = chan_call(&fmem->chan, &req, &fd, 1, &n);
	if (r == NULL)
		return errno;
	xsim__reply__free_unpacked(r, NULL);
	if (n != 1) {
		chan_close_fds(&fd, n);
		return EPROTO;
	}
	if (chan_map_at(area, (unsigned)i, fd, prot) < 0)
		return errno;
	return 0;
}

void *
xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot,
		     size_t pages, const xen_pfn_t arr[], int err[])
{
	size_t i, ok = 0;
	int e = 0;
	void *area;

	if (pages == 0 || pages > 1024 || (prot & ~(PROT_READ | PROT_WRITE))) {
		errno = EINVAL;
		return NULL;
	}
	area = chan_reserve((unsigned)pages);
	if (area == NULL)
		return NULL;
	for (i = 0; i < pages; i++) {
		int r = map_one(fmem, dom, prot, area, i, arr[i]);

		if (err)
			err[i] = r;
		if (r == 0)
			ok++;
		else if (e == 0)
			e = r;
		if (r != 0 && err == NULL)
			break;
	}
	if (ok == 0 || (err == NULL && e != 0)) {
		munmap(area, pages * XSIM_PAGE_SIZE);
		errno = e;
		return NULL;
	}
	return area;
}

int
xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
	(void)fmem;
	return munmap(addr, pages * XSIM_PAGE_SIZE);
}
