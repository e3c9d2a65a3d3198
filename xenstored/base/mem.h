/* SPDX-License-Identifier: MIT */
/*
 * Headroom: memory kept for serving when guests have taken the rest.
 *
 * The daemon's memory may be bounded (ulimit -v, or the host runs out).
 * If the requests that make it grow (a watch, a transaction and the
 * nodes it touches) could take all of it, the next request of anyone,
 * even a read, would find nothing to be read into or answered with.  So
 * growth stops a little early: it is refused with ENOMEM unless
 * MEM_HEADROOM bytes could still be had, and what is left serves reads,
 * replies and the removals that give memory back.  Nodes need no check:
 * they live in the store's arena, apart from the heap.
 */
#ifndef MEM_H
#define MEM_H

/* Bytes that growth leaves to everything else. */
#define MEM_HEADROOM (256u << 10)

/*
 * 0 if MEM_HEADROOM bytes can be allocated now, else ENOMEM: the caller
 * refuses the growth it was about to make.  Costs a malloc and a free.
 */
int mem_headroom(void);

#endif /* MEM_H */
