/* SPDX-License-Identifier: MIT */
/*
 * libxenforeignmemory for the simulated hypervisor: mapping pages of
 * another domain's memory by frame number, as Xen's <xenforeignmemory.h>
 * declares it.  Only the privileged domain may map foreign pages; any
 * domain may map its own (the simulated guest kernel reaches its start
 * info and xenstore page this way).
 *
 * Contract: NULL or -1 with errno on failure.  With err == NULL any page
 * failing fails the call; with err != NULL each page's errno (or 0) is
 * stored there and the call fails only if no page could be mapped.
 * errno: ESRCH no such domain; EPERM not privileged; EINVAL frame out of
 * the domain's memory.
 */
#ifndef XENSIM_XENFOREIGNMEMORY_H
#define XENSIM_XENFOREIGNMEMORY_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>

struct xentoollog_logger;
typedef struct xenforeignmemory_handle xenforeignmemory_handle;

/* Open a handle: NULL with errno. */
xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
					       unsigned open_flags);

/* Close; existing mappings stay valid until unmapped. */
int xenforeignmemory_close(xenforeignmemory_handle *fmem);

/* Map pages frames arr[] of dom contiguously with prot. */
void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom,
			   int prot, size_t pages, const xen_pfn_t arr[],
			   int err[]);

/* Unmap a mapping of pages pages; 0 or -1. */
int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr,
			   size_t pages);

#endif /* XENSIM_XENFOREIGNMEMORY_H */
