/* SPDX-License-Identifier: MIT */
/*
 * `xsim create`, in both its forms: xl's, from a configuration file with
 * KEY=VALUE settings after it, and the older one that names the domain
 * and gives the guest kernel's arguments after `--` (tests use it).
 * Turns either into struct dom_opts for dom_create(); owns the reading
 * of the file and the splitting of `extra`.
 */
#ifndef CREATE_H
#define CREATE_H

/*
 * argv[0] is "create".  *rundir may be changed by -r.  Returns xsim's
 * exit status: dom_create's, 1 for a bad configuration (with
 * "FILE:LINE: what"), 2 for bad usage.
 */
int create_main(int argc, char **argv, const char **rundir);

/*
 * Create a guest in the background from configuration text (a migrated
 * guest's, domcfg.h); source names it in messages; uuid as in dom_opts
 * (NULL: a fresh one).  The host is initialised already.  0, or 1 after
 * printing what failed.
 */
int create_from_text(const char *text, const char *source, const char *uuid);

#endif /* CREATE_H */
