/* SPDX-License-Identifier: MIT */
/*
 * Live update, as Xen's daemon does it (docs/live-update.md): the CONTROL
 * command "live-update" (-f, -c, -s [-t N] [-F] [-v V], -a), the state
 * handed over in Xen's migration stream ($XENSTORED_RUNDIR/state_dump,
 * lu_stream.h), the new binary exec'd in place with -U, and the new
 * process taking everything over.  The unix sockets belong to the top
 * of the daemon (sock.c): they come in through struct lu_hooks.
 */
#ifndef LU_H
#define LU_H

#include <stdbool.h>

struct conn;
struct db_position;

/*
 * What --help says of -U to name the store image (store.h) a binary
 * takes: the old binary of a live update looks for it (lu_probe).
 */
#define LU_IMAGE_HELP "(and its store as " STORE_IMAGE_TAG ")"

struct lu_hooks {
	/* The listening socket's descriptor, -1 if none. */
	int (*listener_fd)(bool readonly);
	/* Serve an inherited listening socket; 0 or -1. */
	int (*adopt_listener)(int fd, bool readonly);
	/* Serve an inherited client socket; NULL with errno. */
	struct conn *(*adopt_conn)(int fd, bool readonly);
	/* Whether c is a socket connection (else a guest's ring). */
	bool (*is_socket)(const struct conn *c);
	/*
	 * In the new binary: open the store's files, which the old binary
	 * (ours) left current if stream_db names them (pos, if not NULL,
	 * says where their journal ends); else start them empty, with the
	 * base tree, or, if the store came as an image (have_store), with
	 * all of it written at the next flush.  1 if they were kept (the
	 * nodes then come in as loaded), 0 if not, -1 on failure.
	 */
	int (*open_store)(const char *stream_db, const struct db_position *pos,
			  bool have_store);
};

/*
 * Set up live update: the command line to exec again (argv as main got
 * it, kept, not copied), the run directory of state_dump, the hooks
 * (kept), the privileged domain.  Registers the CONTROL command.  0 or -1.
 */
int lu_init(int argc, char **argv, const char *rundir,
	    const struct lu_hooks *hooks, unsigned priv_domid);

/*
 * We run as a xenstore domain: the new kernel comes uploaded (-b, -d)
 * by dom0, never named by a file (-f), as in Xen's stub domain.
 */
void lu_upload_enable(void);

/*
 * In the new binary (-U): read state_dump and take over what it holds:
 * the event channel handle, listeners, connections with their pending
 * input and output, watches, nodes, quotas, domains.  Call it after the
 * store, domains, watches and connections are set up and before
 * anything is served; the store must hold only its base tree.  Then
 * look for domains that died meanwhile (guest_check_domains).  Returns
 * 0, or -1 (logged) if the stream cannot be read: the daemon cannot go
 * on then.  *have_ro is set if the read-only listener came over.
 */
int lu_restore(bool *have_rw, bool *have_ro);

/*
 * --check-state: whether the stream in path can be read; 0 or -1, and
 * the reason on stderr.
 */
int lu_check_file(const char *path);

#endif /* LU_H */
