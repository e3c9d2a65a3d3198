/* SPDX-License-Identifier: MIT */
/*
 * A guest's configuration kept beside its record, RUNDIR/domains/NAME.cfg,
 * in xl.cfg syntax (config.h): what `xsim create` was given, whichever
 * form, so that a migration can rebuild the guest elsewhere from it
 * (docs/pool.md).  Writing the text only; reading it back is config.c's.
 */
#ifndef DOMCFG_H
#define DOMCFG_H

struct dom_opts;
struct xs_handle;

/*
 * The configuration of o as xl.cfg text (name, memory, maxmem, vcpus,
 * kernel, extra, actions, driver_domain, disk, vif), malloc()ed; NULL
 * with errno.
 */
char *domcfg_text(const struct dom_opts *o);

/*
 * Save o's configuration as RUNDIR/domains/NAME.cfg, once domain domid
 * has its devices: a vif spec without mac= gets the MAC its device was
 * given (read through /libxl/<domid>), so that the guest keeps it on
 * another host.  0 or -1 with errno.
 */
int domcfg_save(const struct dom_opts *o, struct xs_handle *xsh,
		unsigned domid);

/* The saved configuration of name, malloc()ed; NULL after a message. */
char *domcfg_load(const char *name);

#endif /* DOMCFG_H */
