/* SPDX-License-Identifier: MIT */
/*
 * libxengnttab for the simulated hypervisor: mapping pages other domains
 * granted (xengnttab_*) and granting pages of one's own memory
 * (xengntshr_*), with the names and semantics of Xen's <xengnttab.h>.
 *
 * Contract: pointers are NULL and ints -1 with errno on failure.  A
 * mapping belongs to the handle that made it and stays valid until
 * unmapped (or the handle is closed).  A mapping is granted only if the
 * granting domain's grant table entry names the caller's domain, and a
 * writable mapping only if the entry is not read-only.
 *
 * errno: ESRCH no such (live) granting domain; EINVAL bad reference,
 * entry not in use, or address not mapped by this handle; EPERM the
 * entry grants another domain, or read-only when writing was asked;
 * ENOMEM no free page or grant entry.
 */
#ifndef XENSIM_XENGNTTAB_H
#define XENSIM_XENGNTTAB_H

#include <stdint.h>

#include <xen/xen.h>

struct xentoollog_logger;
typedef struct xengntdev_handle xengnttab_handle;

/* Open a handle: NULL with errno. */
xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger,
				 unsigned open_flags);

/* Close, unmapping everything still mapped; 0 or -1. */
int xengnttab_close(xengnttab_handle *xgt);

/*
 * Map domid's grant ref (one page) with prot (PROT_READ, optionally
 * PROT_WRITE).  Unmap with xengnttab_unmap(xgt, addr, 1).
 */
void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid,
			      uint32_t ref, int prot);

/* Map count grants of one domain contiguously. */
void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count,
				      uint32_t domid, uint32_t *refs, int prot);

/* Unmap count pages mapped at start_address by this handle. */
int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count);

/* Accepted for compatibility; the simulator has no per-handle limit. */
int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants);

typedef struct xengntdev_handle xengntshr_handle;

/* Open a handle for granting: NULL with errno. */
xengntshr_handle *xengntshr_open(struct xentoollog_logger *logger,
				 unsigned open_flags);

/* Close; pages still shared stay granted until the domain dies. */
int xengntshr_close(xengntshr_handle *xgs);

/*
 * Take count free pages of the caller's memory, grant them to domid
 * (writable if writable != 0), store the references in refs and map the
 * pages here.  Returns the mapping, NULL with errno.
 */
void *xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count,
			    uint32_t *refs, int writable);

/* End the grants of pages shared at start_address and give them back. */
int xengntshr_unshare(xengntshr_handle *xgs, void *start_address,
		      uint32_t count);

#endif /* XENSIM_XENGNTTAB_H */
