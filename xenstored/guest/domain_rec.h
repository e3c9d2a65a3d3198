/* SPDX-License-Identifier: MIT */
/*
 * What SET_QUOTA and SET_FEATURE gave a domain, on disk: a side record
 * "domain/<domid>" (a DomainSettings, record.proto), put in the turn of
 * the request, so that a crash restart keeps them for guests and dom0.
 */
#ifndef DOMAIN_REC_H
#define DOMAIN_REC_H

struct domain;

/*
 * Save d's quotas and features with this turn: 0 or ENOMEM.  Marks d as
 * having settings of its own (a live update carries them then).
 */
int domain_rec_save(struct domain *d);

/* domid is released: its record goes with this turn. */
void domain_rec_forget(unsigned domid);

/*
 * At a start after a crash or restart: give each saved domain its
 * quotas, and its features if it is not introduced (its guest record
 * has them then).  After guest_state_restore().
 */
void domain_rec_restore(void);

#endif /* DOMAIN_REC_H */
