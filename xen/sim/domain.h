/* SPDX-License-Identifier: MIT */
/*
 * Domains of the simulated hypervisor: their lifecycle flags, their
 * memory (one memfd per page, so that handing over one page gives access
 * to that page only), their grant table and the table of their event
 * channel ports (whose rules live in evtchn.c).
 *
 * A domain is created by a privileged request (dom0 exists from the
 * start), becomes dying when its guest process goes away (domain_kill)
 * and disappears when destroyed.  Functions returning int return 0 or a
 * positive errno unless said otherwise.
 */
#ifndef XSIM_DOMAIN_H
#define XSIM_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define XSIM_NR_GRANTS 128
#define XSIM_NR_PORTS 1024
#define XSIM_MAX_DOMID 0x7FEFU

struct channel;

enum port_state { PORT_FREE, PORT_UNBOUND, PORT_INTERDOMAIN, PORT_VIRQ };

/*
 * An event channel port.  in is the eventfd raised to signal this port,
 * out the one this port's notify raises (the remote port's in); the two
 * ends of a channel hold the same pair crosswise.  A VIRQ port has no out:
 * the hypervisor raises its in.
 */
struct port {
	enum port_state state;
	uint32_t remote_dom, remote_port; /* UNBOUND: who may bind */
	uint32_t virq;
	int in, out;
	struct channel *owner; /* the handle it is attached to, or NULL */
};

struct grant {
	bool in_use, readonly, shared; /* shared: page from share_pages */
	uint32_t domid;		       /* the grantee */
	uint32_t pfn;
};

struct domain {
	struct domain *next; /* in domid order */
	uint32_t domid;
	bool paused, shutdown, dying, crashed, xenstore;
	uint32_t shutdown_reason;
	uint8_t handle[16];
	uint32_t nr_pages;
	int *page_fd;
	bool *page_used;
	struct grant grants[XSIM_NR_GRANTS];
	struct port ports[XSIM_NR_PORTS];
	bool channel_given;
	/* memory.h: KiB (0: not set), and the process held to mem_kb. */
	uint64_t mem_kb, max_kb;
	pid_t mem_pid;
};

/* Create dom0 with nr_pages pages per domain from now on; 0 or errno. */
int domain_init(uint32_t nr_pages);

/* Free every domain (shutdown). */
void domain_exit(void);

/* The domain with this id, or NULL (dying domains included). */
struct domain *domain_find(uint32_t domid);

/* The first domain with an id >= domid, or NULL. */
struct domain *domain_from(uint32_t domid);

/*
 * Create a paused domain: *domid 0 picks a free id, else that id is
 * wanted (EEXIST).  Fills the start info page and reserved grants.
 */
int domain_create(uint32_t *domid, uint32_t flags, const uint8_t *handle,
		  size_t handle_len);

/* Remove d entirely: ports, channels, memory; VIRQ_DOM_EXC fires. */
void domain_destroy(struct domain *d);

/*
 * d's guest process is gone: d becomes shut down (crash, unless it had
 * shut down already) and dying, its ports close; VIRQ_DOM_EXC fires.
 */
void domain_kill(struct domain *d);

/* Mark d shut down for reason; VIRQ_DOM_EXC fires. */
void domain_shutdown(struct domain *d, uint32_t reason);

/*
 * A new descriptor for page pfn of d, read-write or read-only; the caller
 * owns it.  Returns the descriptor, or -errno (EINVAL: no such page).
 */
int domain_page_fd(struct domain *d, uint64_t pfn, bool writable);

/*
 * May domain mapper map grant ref of d (writable or not)?  Returns the
 * granted frame, or -errno: EINVAL bad or unused reference, EPERM granted
 * to another domain or read-only.
 */
int64_t gnt_check(const struct domain *d, uint32_t mapper, uint32_t ref,
		  bool writable);

/*
 * Grant count free pages of d to grantee: refs[] and pfns[] are filled.
 * ENOMEM when pages or grant entries run out (nothing changed then).
 */
int gnt_share(struct domain *d, uint32_t grantee, unsigned count, bool writable,
	      uint32_t *refs, uint32_t *pfns);

/* End grant ref of d (a shared page goes back, zeroed); EINVAL if unused. */
int gnt_end(struct domain *d, uint32_t ref);

/* The domain that receives VIRQ_DOM_EXC besides dom0. */
extern uint32_t domain_exc_handler;

#endif /* XSIM_DOMAIN_H */
