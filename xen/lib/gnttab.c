/* SPDX-License-Identifier: MIT */
/*
 * libxengnttab over the simulated hypervisor (xengnttab.h): mapping
 * granted pages, and granting pages of one's own memory (xengntshr).
 * Owns the handle's list of mappings; the grant check itself is the
 * hypervisor's, which hands over a descriptor for exactly the granted
 * page (read-only if the grant is) or refuses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "chan.h"
#include "xengnttab.h"
#include "xensim.h"
#include "xsim_msg.h"

struct mapping {
	struct mapping *next;
	void *addr;
	uint32_t count;
	uint32_t *refs; /* shared pages: our grant references, else NULL */
};

struct xengntdev_handle {
	struct xsim_chan chan;
	struct mapping *maps;
};

static struct xengntdev_handle *
open_handle(void)
{
	struct xengntdev_handle *h = calloc(1, sizeof(*h));
	int err;

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

xengnttab_handle *
xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return open_handle();
}

xengntshr_handle *
xengntshr_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return open_handle();
}

static int
remember(struct xengntdev_handle *h, void *addr, uint32_t count, uint32_t *refs)
{
	struct mapping *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return -1;
	m->addr = addr;
	m->count = count;
	m->refs = refs;
	m->next = h->maps;
	h->maps = m;
	return 0;
}

/* End our grants of a shared mapping (best effort: the domain may die). */
static void
end_grants(struct xengntdev_handle *h, const struct mapping *m)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	uint32_t i;

	req.op = XSIM__OP__OP_GNT_END;
	for (i = 0; m->refs && i < m->count; i++) {
		req.ref = m->refs[i];
		(void)chan_simple(&h->chan, &req);
	}
}

static int
forget(struct xengntdev_handle *h, void *addr, uint32_t count)
{
	struct mapping **pp, *m;

	for (pp = &h->maps; (m = *pp) != NULL; pp = &m->next)
		if (m->addr == addr && m->count == count)
			break;
	if (m == NULL) {
		errno = EINVAL;
		return -1;
	}
	*pp = m->next;
	munmap(m->addr, (size_t)m->count * XSIM_PAGE_SIZE);
	end_grants(h, m);
	free(m->refs);
	free(m);
	return 0;
}

static int
close_handle(struct xengntdev_handle *h)
{
	if (h == NULL)
		return 0;
	while (h->maps)
		forget(h, h->maps->addr, h->maps->count);
	chan_close(&h->chan);
	free(h);
	return 0;
}

int
xengnttab_close(xengnttab_handle *xgt)
{
	return close_handle(xgt);
}

int
xengntshr_close(xengntshr_handle *xgs)
{
	return close_handle(xgs);
}

void *
xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count,
				uint32_t domid, uint32_t *refs, int prot)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	Xsim__Reply *r;
	void *area;
	uint32_t i;
	unsigned n;
	int fd, err;

	if (count == 0 || count > 1024 || (prot & ~(PROT_READ | PROT_WRITE))) {
		errno = EINVAL;
		return NULL;
	}
	area = chan_reserve(count);
	if (area == NULL)
		return NULL;
	req.op = XSIM__OP__OP_GNT_MAP;
	req.domid = domid;
	req.writable = (prot & PROT_WRITE) != 0;
	for (i = 0; i < count; i++) {
		req.ref = refs[i];
		r = chan_call(&xgt->chan, &req, &fd, 1, &n);
		if (r == NULL)
			goto fail;
		xsim__reply__free_unpacked(r, NULL);
		if (n != 1) {
			chan_close_fds(&fd, n);
			errno = EPROTO;
			goto fail;
		}
		if (chan_map_at(area, i, fd, prot) < 0)
			goto fail;
	}
	if (remember(xgt, area, count, NULL) < 0)
		goto fail;
	return area;
fail:
	err = errno;
	munmap(area, (size_t)count * XSIM_PAGE_SIZE);
	errno = err;
	return NULL;
}

void *
xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
			int prot)
{
	return xengnttab_map_domain_grant_refs(xgt, 1, domid, &ref, prot);
}

int
xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	return forget(xgt, start_address, count);
}

int
xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0;
}

void *
xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count,
		      uint32_t *refs, int writable)
{
	Xsim__Request req = XSIM__REQUEST__INIT;
	struct mapping m = {.count = (uint32_t)count};
	int fds[XSIM_MSG_MAX_FDS], err;
	Xsim__Reply *r;
	unsigned n, i;
	void *area;

	if (count <= 0 || count > XSIM_MSG_MAX_FDS) {
		errno = EINVAL;
		return NULL;
	}
	req.op = XSIM__OP__OP_GNT_SHARE;
	req.domid = domid;
	req.count = (uint32_t)count;
	req.writable = writable != 0;
	r = chan_call(&xgs->chan, &req, fds, XSIM_MSG_MAX_FDS, &n);
	if (r == NULL)
		return NULL;
	m.refs = calloc((size_t)count, sizeof(uint32_t));
	if (n != (unsigned)count || r->n_refs != (size_t)count ||
	    m.refs == NULL) {
		chan_close_fds(fds, n);
		xsim__reply__free_unpacked(r, NULL);
		free(m.refs);
		errno = m.refs ? EPROTO : ENOMEM;
		return NULL;
	}
	memcpy(m.refs, r->refs, sizeof(uint32_t) * (size_t)count);
	xsim__reply__free_unpacked(r, NULL);
	area = chan_reserve((unsigned)count);
	if (area == NULL) {
		err = errno;
		chan_close_fds(fds, n);
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (chan_map_at(area, i, fds[i], PROT_READ | PROT_WRITE) < 0)
			break;
	err = errno;
	if (i < n)
		chan_close_fds(fds + i + 1, n - i - 1);
	if (i < n || remember(xgs, area, m.count, m.refs) < 0) {
		munmap(area, (size_t)count * XSIM_PAGE_SIZE);
		goto fail;
	}
	memcpy(refs, m.refs, sizeof(uint32_t) * (size_t)count);
	return area;
fail:
	end_grants(xgs, &m);
	free(m.refs);
	errno = err;
	return NULL;
}

int
xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
	return forget(xgs, start_address, count);
}
