/* SPDX-License-Identifier: MIT */
/*
 * Inside live update: what lu.c (the session and its command), lu_dump.c
 * (writing the state), lu_exec.c (the new binary) and lu_restore.c
 * (taking the state over) share.  Nothing else includes this.
 */
#ifndef LU_INT_H
#define LU_INT_H

#include <stdbool.h>
#include <time.h>

#include "lu.h"

struct conn;
struct msg;
struct lu_image;

#define LU_STATE_FILE "state_dump"

/* The one session, between -f and its end (-a, failure, exec). */
struct lu_session {
	struct conn *conn; /* who opened it: only it may go on */
	char *file;	   /* the new binary */
	char *cmdline;	   /* -c, or NULL: our own argv again */
	bool started;	   /* -s came */
	bool force;	   /* -F */
	unsigned timeout;  /* -t, seconds */
	unsigned version;  /* -v: the stream's version (1 by default) */
	time_t started_at;
	bool ours;    /* the new binary is our daemon: our records go too */
	bool image;   /* ... and takes our store's image (store.h) */
	int image_fd; /* the image written for the exec, or -1 */
	struct lu_image *kernel; /* -b: the uploaded kernel (lu_upload.c) */
	struct msg *parked;	 /* a xenstore domain's waiting -s (lu.c) */
};

/* What lu_init was given. */
struct lu_config {
	int argc;
	char **argv;
	const char *rundir;
	const struct lu_hooks *hooks;
	unsigned priv_domid;
};
extern struct lu_config lu_config;

/*
 * Open the one session on c (-f, -b), holding new transactions back from
 * now on; NULL, or why not (another session is open, no memory).
 */
const char *lu_session_open(struct conn *c);

/* The open session, or NULL. */
struct lu_session *lu_session(void);

/* The path of state_dump, on ctx; NULL on ENOMEM. */
char *lu_state_path(void *ctx);

/*
 * Write the daemon's state to path, with the "OK" reply to m (the
 * caller's live-update -s request on c) queued last on c.  0, or -1 with
 * *why: "busy" for a state Xen's format cannot carry now (input longer
 * than 64 kB), which passes on the next try.
 */
int lu_dump(const char *path, struct lu_session *s, struct conn *c,
	    const struct msg *m, const char **why);

/*
 * Run the new binary with --help before anything else: whether it starts
 * at all (-1 with *why if not), whether it is our daemon (*ours), and
 * whether it takes our store's image (*image: its help names the tag).
 */
int lu_probe(char *file, bool *ours, bool *image, const char **why);

/*
 * What the old binary tells ours through the environment: a descriptor
 * of the old binary to exec again if the state cannot be taken over (so
 * the old binary takes its own state back), and, to the old binary taken
 * back, why not (one of LU_WHY_*), which it tells the caller.
 */
#define LU_ENV_FALLBACK "XENSTORED_LU_FALLBACK_FD"
#define LU_ENV_REFUSED "XENSTORED_LU_REFUSED"
#define LU_REFUSED_FMT "Error activating new binary: %s."
#define LU_WHY_STATE "it refuses the state"
#define LU_WHY_CHANNELS "it cannot take the event channels over"
#define LU_WHY_TAKEOVER "it cannot take the state over"
/*
 * The old binary's command line, with -U, for the way back (the new one
 * may have been given another with -c): each argument in hexadecimal,
 * separated by spaces.
 */
#define LU_ENV_FALLBACK_ARGS "XENSTORED_LU_FALLBACK_ARGS"

/*
 * Exec the new binary in place with the session's command line and -U,
 * keeping the descriptors the stream names open.  Returns only on
 * failure, with everything as it was, and the reason.
 */
const char *lu_exec(void *ctx, const struct lu_session *s);

/*
 * The kernel of a xenstore domain, uploaded in chunks (lu_upload.c), as
 * Xen's stub domain takes it: -b SIZE opens the session with SIZE bytes
 * allocated (a second -b on it starts again), -d LEN DATA adds a chunk.
 */
bool lu_upload_enabled(void);
const char *lu_upload_begin(struct conn *c, const char *size, int *err);
const char *lu_upload_data(struct conn *c, const struct msg *m, int *err);

/*
 * The checks, pure (check_lu_upload.c calls them).  A decimal size in
 * 1..max, else 0.  The chunk of a CONTROL payload "live-update\0-d\0
 * <len>\0<len bytes>..." (len bytes, NULs and all, at *data): 0, or
 * EINVAL if the payload is not one or holds fewer bytes.  Whether an
 * image is a xenstored: an ELF whose text knows --check-state.
 */
size_t lu_upload_size(const char *s, size_t max);
int lu_upload_chunk(const char *body, size_t len, const char **data, size_t *n);
bool lu_upload_is_xenstored(const void *img, size_t size);

/* At -s: NULL if the session's kernel is whole and ours, else why not. */
const char *lu_upload_ready(struct lu_session *s);

/*
 * Exec the uploaded kernel in place with argv (the domain's kexec).
 * Returns only on failure, with errno.
 */
void lu_upload_exec(const struct lu_image *image, char **argv);

#endif /* LU_INT_H */
