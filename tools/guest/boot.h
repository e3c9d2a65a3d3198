/* SPDX-License-Identifier: MIT */
/*
 * What the simulated guest kernel finds and sets up when it boots: its
 * start info, its xenstore page and event channel, and the libxenstore
 * handle over them (the xenbus driver's connection).  Also the few
 * hypercalls the script uses on its own behalf (shut down, break the
 * ring on purpose).  Besides the drivers (front.c, back.c, which own
 * their grant and event channel handles), the only part of the guest
 * that includes the hypervisor's headers.
 */
#ifndef BOOT_H
#define BOOT_H

#include <stdbool.h>
#include <stddef.h>

struct xs_handle;

/*
 * Boot: read the start info, map the xenstore page, attach the event
 * channel, open the handle.  Returns the handle, or NULL after printing
 * on stderr what failed.
 */
struct xs_handle *boot_xenstore(void);

/* Our domain id (valid after boot_xenstore()). */
unsigned boot_domid(void);

/*
 * Tell the hypervisor we shut down, reason "poweroff", "reboot", "halt"
 * (poweroff) or "crash"; 0 or -1 with errno.  Only the first call
 * counts: later ones do nothing and return 0.
 */
int boot_shutdown(const char *reason);

/*
 * Put len raw bytes on the request ring, bypassing the library, and
 * notify; with bad_index, first move the producer index far beyond the
 * consumer (an index the daemon must refuse).  0, or -1 with errno.
 */
int boot_ring_garbage(const void *bytes, size_t len, bool bad_index);

/*
 * Put count READ requests for path on the request ring, bypassing the
 * library and never reading a reply (a guest that floods the daemon);
 * waits for room as needed, at most timeout_ms each time.  Returns how
 * many went, or -1 with errno.
 */
long boot_ring_flood(const char *path, long count, int timeout_ms);

#endif /* BOOT_H */
