/* SPDX-License-Identifier: MIT */
/*
 * The daemon's containers: libbsd's intrusive red-black trees
 * (<bsd/sys/tree.h>) and lists (<bsd/sys/queue.h>), the BSD kernels' own.
 *
 * Why these: a guest makes the daemon's tables grow (watches, the nodes
 * of its transactions, domains, the paths a loop turn changed), and a
 * container that allocates on insert must either abort when memory runs
 * out (GLib's do) or report a failure half-way through an update.  An
 * intrusive tree or list never allocates: its links live in the element,
 * so the only allocation is the element's own (talloc, checked by the
 * caller before anything is linked), and an insert cannot fail.  Lookups
 * cost O(log n) comparisons.
 *
 * Use RB_GENERATE_LOCAL in the one file that owns a tree.
 */
#ifndef CONTAINERS_H
#define CONTAINERS_H

#include <bsd/sys/queue.h>
#include <bsd/sys/tree.h>

/*
 * RB_GENERATE_STATIC, with the unused functions (RB_NFIND, RB_PREV...)
 * marked as such: libbsd leaves its __unused undefined on glibc.
 */
#define RB_GENERATE_LOCAL(name, type, field, cmp)                              \
	RB_GENERATE_INTERNAL(name, type, field, cmp,                           \
			     __attribute__((unused)) static)

#endif /* CONTAINERS_H */
