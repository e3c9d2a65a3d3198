/* SPDX-License-Identifier: MIT */
/*
 * What the two halves of hyptest share: the check macros, the dom0 or
 * guest handles, and the ring loop both ends run.  hyptest.c holds the
 * dom0 scenarios, guest.c the guest roles.
 */
#ifndef HYPTEST_H
#define HYPTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>

#include "ring.h"

/* Only turns a hang into a failure; nothing asserts on timing. */
#define HANG_GUARD_MS 30000

/* Who is failing, for messages: "dom0" or "guest <role>". */
extern const char *who;
/* This process's handles (dom0's, or the guest's own). */
extern xc_interface *xch;
extern xenforeignmemory_handle *fmem;

/* Print what failed, with errno, and exit 1. */
void fail(int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			fail(__LINE__, __VA_ARGS__);                           \
	} while (0)

/* The call must fail with errno e. */
#define REFUSED(call, e, what)                                                 \
	do {                                                                   \
		errno = 0;                                                     \
		CHECK(!(call) && errno == (e), "%s: not refused with %s",      \
		      what, #e);                                               \
	} while (0)

/* Wait until fd is readable (or fail after HANG_GUARD_MS). */
void wait_readable(int fd);

/*
 * Move len bytes through the ring as side, notifying port after every
 * step and waiting for the peer's notification when stuck.
 */
void ring_xfer(xenevtchn_handle *xce, int port,
	       struct xenstore_domain_interface *ring, enum ring_side side,
	       bool writing, char *buf, size_t len);

/* The message sizes of the ring scenario, in order. */
extern const size_t ring_sizes[6];

/* Run as guest: argv is "<role> <arg1> <arg2>". */
int guest_main(int argc, char **argv);

#endif /* HYPTEST_H */
