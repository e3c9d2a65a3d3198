/* SPDX-License-Identifier: MIT */
/*
 * Domains, their memory and their grant tables (domain.h).  Owns domain
 * lifecycle and the grant check; event channel rules are evtchn.c's and
 * the channels to processes are channel.c's.
 *
 * Memory is one memfd per page rather than one per domain: a descriptor
 * handed to a mapper then reaches exactly the granted page, never its
 * neighbours, and a read-only grant gets a descriptor reopened O_RDONLY,
 * which the kernel refuses to map writable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "channel.h"
#include "domain.h"
#include "evtchn.h"
#include "xenctrl.h"
#include "xensim.h"

uint32_t domain_exc_handler;

static struct domain *domains;
static uint32_t pages_per_domain;
static uint32_t last_domid;

struct domain *
domain_find(uint32_t domid)
{
	struct domain *d;

	for (d = domains; d && d->domid <= domid; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

struct domain *
domain_from(uint32_t domid)
{
	struct domain *d;

	for (d = domains; d; d = d->next)
		if (d->domid >= domid)
			return d;
	return NULL;
}

static void
free_domain(struct domain *d)
{
	uint32_t i;

	for (i = 0; d->page_fd && i < d->nr_pages; i++)
		if (d->page_fd[i] >= 0)
			close(d->page_fd[i]);
	free(d->page_fd);
	free(d->page_used);
	free(d);
}

static int
fill_start_info(struct domain *d)
{
	struct xsim_start_info *si;

	si = mmap(NULL, XSIM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		  d->page_fd[XSIM_START_INFO_PFN], 0);
	if (si == MAP_FAILED)
		return errno;
	memcpy(si->magic, XSIM_START_MAGIC, sizeof(si->magic));
	si->domid = d->domid;
	si->nr_pages = d->nr_pages;
	si->store_pfn = XSIM_STORE_PFN;
	si->console_pfn = XSIM_CONSOLE_PFN;
	si->store_domid = 0;
	munmap(si, XSIM_PAGE_SIZE);
	return 0;
}

static void
reserve_grant(struct domain *d, uint32_t ref, uint32_t pfn)
{
	d->grants[ref].in_use = true;
	d->grants[ref].domid = 0;
	d->grants[ref].pfn = pfn;
	d->page_used[pfn] = true;
}

static struct domain *
new_domain(uint32_t domid)
{
	struct domain *d = calloc(1, sizeof(*d));
	uint32_t i;
	char name[32];

	if (d == NULL)
		return NULL;
	d->domid = domid;
	d->nr_pages = pages_per_domain;
	d->page_fd = calloc(d->nr_pages, sizeof(int));
	d->page_used = calloc(d->nr_pages, sizeof(bool));
	if (d->page_fd == NULL || d->page_used == NULL) {
		free_domain(d);
		return NULL;
	}
	for (i = 0; i < d->nr_pages; i++)
		d->page_fd[i] = -1;
	for (i = 0; i < XSIM_NR_PORTS; i++)
		d->ports[i].in = d->ports[i].out = -1;
	for (i = 0; i < d->nr_pages; i++) {
		snprintf(name, sizeof(name), "dom%u-pfn%u", domid, i);
		d->page_fd[i] = memfd_create(name, MFD_CLOEXEC);
		if (d->page_fd[i] < 0 ||
		    ftruncate(d->page_fd[i], XSIM_PAGE_SIZE) < 0) {
			free_domain(d);
			return NULL;
		}
	}
	d->page_used[XSIM_START_INFO_PFN] = true;
	reserve_grant(d, GNTTAB_RESERVED_XENSTORE, XSIM_STORE_PFN);
	reserve_grant(d, GNTTAB_RESERVED_CONSOLE, XSIM_CONSOLE_PFN);
	if (fill_start_info(d) != 0) {
		free_domain(d);
		return NULL;
	}
	return d;
}

static void
link_domain(struct domain *d)
{
	struct domain **pp = &domains;

	while (*pp && (*pp)->domid < d->domid)
		pp = &(*pp)->next;
	d->next = *pp;
	*pp = d;
}

int
domain_init(uint32_t nr_pages)
{
	struct domain *d;

	pages_per_domain = nr_pages;
	d = new_domain(0);
	if (d == NULL)
		return errno ? errno : ENOMEM;
	d->xenstore = true;
	link_domain(d);
	return 0;
}

void
domain_exit(void)
{
	struct domain *d;

	while ((d = domains) != NULL) {
		domains = d->next;
		evtchn_close_all(d);
		free_domain(d);
	}
}

int
domain_create(uint32_t *domid, uint32_t flags, const uint8_t *handle,
	      size_t handle_len)
{
	struct domain *d;
	uint32_t id = *domid, i;

	if (id == 0) {
		/* Round robin, so a dead domain's id is not reused soon. */
		for (i = 0; i < XSIM_MAX_DOMID; i++) {
			id = last_domid % XSIM_MAX_DOMID + 1;
			last_domid = id;
			if (domain_find(id) == NULL)
				break;
		}
		if (i == XSIM_MAX_DOMID)
			return ENOSPC;
	} else if (id > XSIM_MAX_DOMID) {
		return EINVAL;
	} else if (domain_find(id)) {
		return EEXIST;
	}
	d = new_domain(id);
	if (d == NULL)
		return errno ? errno : ENOMEM;
	d->paused = true;
	d->xenstore = (flags & XEN_DOMCTL_CDF_xs_domain) != 0;
	if (handle && handle_len == sizeof(d->handle))
		memcpy(d->handle, handle, sizeof(d->handle));
	link_domain(d);
	*domid = id;
	return 0;
}

void
domain_destroy(struct domain *d)
{
	struct domain **pp;

	for (pp = &domains; *pp != d; pp = &(*pp)->next)
		;
	*pp = d->next;
	channel_drop_domain(d->domid);
	evtchn_close_all(d);
	free_domain(d);
	evtchn_raise_virq(VIRQ_DOM_EXC);
}

void
domain_kill(struct domain *d)
{
	if (!d->shutdown) {
		d->shutdown = true;
		d->crashed = true;
		d->shutdown_reason = SHUTDOWN_crash;
	}
	d->dying = true;
	channel_drop_domain(d->domid);
	evtchn_close_all(d);
	evtchn_raise_virq(VIRQ_DOM_EXC);
}

void
domain_shutdown(struct domain *d, uint32_t reason)
{
	d->shutdown = true;
	d->shutdown_reason = reason;
	d->crashed = reason == SHUTDOWN_crash;
	evtchn_raise_virq(VIRQ_DOM_EXC);
}

int
domain_page_fd(struct domain *d, uint64_t pfn, bool writable)
{
	char path[64];
	int fd;

	if (pfn >= d->nr_pages)
		return -EINVAL;
	if (writable) {
		fd = fcntl(d->page_fd[pfn], F_DUPFD_CLOEXEC, 0);
	} else {
		/* A new open file description that cannot be written. */
		snprintf(path, sizeof(path), "/proc/self/fd/%d",
			 d->page_fd[pfn]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

int64_t
gnt_check(const struct domain *d, uint32_t mapper, uint32_t ref, bool writable)
{
	const struct grant *g;

	if (ref >= XSIM_NR_GRANTS || !d->grants[ref].in_use)
		return -EINVAL;
	g = &d->grants[ref];
	if (g->domid != mapper)
		return -EPERM;
	if (writable && g->readonly)
		return -EPERM;
	return g->pfn;
}

int
gnt_share(struct domain *d, uint32_t grantee, unsigned count, bool writable,
	  uint32_t *refs, uint32_t *pfns)
{
	uint32_t ref = GNTTAB_NR_RESERVED_ENTRIES, pfn = XSIM_FIRST_FREE_PFN;
	unsigned i;

	for (i = 0; i < count; i++, ref++, pfn++) {
		while (ref < XSIM_NR_GRANTS && d->grants[ref].in_use)
			ref++;
		while (pfn < d->nr_pages && d->page_used[pfn])
			pfn++;
		if (ref >= XSIM_NR_GRANTS || pfn >= d->nr_pages)
			return ENOMEM;
		refs[i] = ref;
		pfns[i] = pfn;
	}
	for (i = 0; i < count; i++) {
		struct grant *g = &d->grants[refs[i]];

		g->in_use = g->shared = true;
		g->readonly = !writable;
		g->domid = grantee;
		g->pfn = pfns[i];
		d->page_used[pfns[i]] = true;
	}
	return 0;
}

int
gnt_end(struct domain *d, uint32_t ref)
{
	struct grant *g;

	if (ref >= XSIM_NR_GRANTS || !d->grants[ref].in_use ||
	    ref < GNTTAB_NR_RESERVED_ENTRIES)
		return EINVAL;
	g = &d->grants[ref];
	if (g->shared) {
		/*
		 * A fresh page replaces the old one: a mapper that kept the
		 * old page mapped never sees what the next grant holds.
		 */
		char name[32];
		int fd;

		snprintf(name, sizeof(name), "dom%u-pfn%u", d->domid, g->pfn);
		fd = memfd_create(name, MFD_CLOEXEC);
		if (fd < 0)
			return errno;
		if (ftruncate(fd, XSIM_PAGE_SIZE) < 0) {
			close(fd);
			return ENOMEM;
		}
		close(d->page_fd[g->pfn]);
		d->page_fd[g->pfn] = fd;
		d->page_used[g->pfn] = false;
	}
	memset(g, 0, sizeof(*g));
	return 0;
}
