/* SPDX-License-Identifier: MIT */
/*
 * Xen's xenstore layout for a domain, as libxl writes it (reference
 * section 11.2): the home /local/domain/<id> with its name, domid, vm,
 * store, memory, cpu and control nodes, the guest-writable areas, the VM
 * directory /vm/<uuid> and the toolstack's /libxl/<id>, with libxl's
 * permissions, in one transaction retried on EAGAIN; and their removal
 * when the domain goes.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#include <stdbool.h>

#include "xenstore.h"

#define LAYOUT_UUID_LEN 36

/* What the layout says about one domain. */
struct layout_dom {
	unsigned domid;
	const char *name;
	char uuid[LAYOUT_UUID_LEN + 1];
	unsigned long store_gfn; /* frame of its xenstore page */
	unsigned store_port;	 /* its end of the xenstore event channel */
	unsigned long memkb;	 /* memory/target */
	unsigned long maxkb;	 /* memory/static-max; 0: memkb */
	unsigned vcpus;
	bool driver_domain; /* gets ~/libxl and ~/device-model, rwperm */
	bool keep_vm;	    /* /vm/<uuid> is there already (a migrated
			       guest's, from the pool): leave it as it is */
};

/*
 * Write every node of d in one transaction, retried while it fails with
 * EAGAIN (a bounded number of times).  0, or -1 with errno.
 */
int layout_domain_create(struct xs_handle *xsh, const struct layout_dom *d);

/*
 * dom0's own nodes, as xen-init-dom0 writes them when the host starts:
 * /local/domain/0/{name,domid} and /local/pool/0/name.  0, or -1 with
 * errno.
 */
int layout_dom0(struct xs_handle *xsh);

/*
 * Remove the nodes of domain domid (its home, its /vm directory, found
 * through ~/vm, unless keep_vm (a guest migrated away: /vm/<uuid> is the
 * target's now), the dom0 backends of its vbd and vif devices, and
 * /libxl/<domid>) in one transaction retried on
 * EAGAIN.  Nodes already gone are no error.  0, or -1 with errno.
 */
int layout_domain_remove(struct xs_handle *xsh, unsigned domid, bool keep_vm);

/*
 * The domain's name as the layout records it (~/name), malloc()ed; NULL
 * with errno if it has none.
 */
char *layout_domain_name(struct xs_handle *xsh, unsigned domid);

/*
 * A fresh random (version 4) UUID: its 16 bytes (the domain handle the
 * hypervisor keeps) and its text form.  0, or -1 with errno.
 */
int layout_new_uuid(unsigned char bytes[16], char uuid[LAYOUT_UUID_LEN + 1]);

#endif /* LAYOUT_H */
