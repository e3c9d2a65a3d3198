/* SPDX-License-Identifier: MIT */
/*
 * The live-update session and its CONTROL command (lu.h), with Xen's
 * sub-commands and reply texts:
 *
 *   -f <file>          check the binary, open the session (this connection's)
 *   -c <cmdline>       the new binary's command line, split on blanks
 *   -s [-t N] [-F] [-v V]   start: the request waits (a deferred request,
 *                      tried again every RETRY_MS) until no transaction is
 *                      open and no commit waits for the pool's verdict
 *                      (hold.h), or for N seconds; then -F goes ahead
 *                      without them (the held commits answered EIO), else
 *                      the reply names the domains that hold them and for
 *                      how long
 *   -a                 abort
 *   -b <size>, -d <len> <data>   a xenstore domain's new kernel, uploaded
 *                      in chunks instead of -f (lu_upload.c)
 *
 * From -f on, new transactions wait (dispatch_hold_transactions), as in
 * Xen.  Every step answers "OK" or a text saying what went wrong; the
 * OK of -s is sent by the new binary, from the stream.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <talloc.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "dispatch.h"
#include "hold.h"
#include "log.h"
#include "lu_int.h"
#include "lu_stream.h"
#include "release.h"
#include "txn.h"
#include "txn_sched.h"

#define RETRY_MS 100
/*
 * lu_start's answer for a -s set aside (park), which has no reply yet;
 * not an errno, nor TXN_WAIT.
 */
#define PARKED (-2)

struct lu_config lu_config;
static struct lu_session *session;
static struct event *retry;
/* Whose waiting -s an abort ended (compared, never dereferenced). */
static const struct conn *cancelled;

char *
lu_state_path(void *ctx)
{
	return talloc_asprintf(ctx, "%s/%s", lu_config.rundir, LU_STATE_FILE);
}

static int
destroy_session(struct lu_session *s)
{
	(void)s;
	session = NULL;
	if (retry)
		event_del(retry);
	dispatch_hold_transactions(false);
	return 0;
}

static void retry_parked(void);

static void
lu_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = {0, RETRY_MS * 1000};

	(void)fd;
	(void)what;
	(void)arg;
	if (session == NULL || !session->started)
		return;
	if (session->parked)
		retry_parked();
	else
		conn_retry_soon(session->conn);
	if (session)
		evtimer_add(retry, &tv);
}

struct lu_session *
lu_session(void)
{
	return session;
}

const char *
lu_session_open(struct conn *c)
{
	if (session)
		return "live-update session already active.";
	/* A child of the connection: it ends if the connection goes. */
	session = talloc_zero(c, struct lu_session);
	if (session == NULL)
		return "Allocation failure.";
	talloc_set_destructor(session, destroy_session);
	session->conn = c;
	session->version = XS_MIG_VERSION_1;
	session->image_fd = -1;
	dispatch_hold_transactions(true);
	return NULL;
}

static const char *
lu_binary(struct conn *c, const char *file)
{
	struct stat st;
	const char *why;

	log_info("live-update: binary %s", file);
	if (stat(file, &st) != 0)
		return "File not accessible.";
	if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
		return "File not executable.";
	if ((why = lu_session_open(c)) != NULL)
		return why;
	if (!(session->file = talloc_strdup(session, file))) {
		talloc_free(session);
		return "Allocation failure.";
	}
	/* Here, not at -s: the loop stops for it, apart from the exec. */
	if (lu_probe(session->file, &session->ours, &session->image, &why) !=
	    0) {
		talloc_free(session);
		return why;
	}
	return NULL;
}

static const char *
lu_cmdline(struct conn *c, const char *cmdline)
{
	if (session == NULL || session->conn != c)
		return "Not in live-update session.";
	talloc_free(session->cmdline);
	session->cmdline = talloc_strdup(session, cmdline);
	return session->cmdline ? NULL : "Allocation failure.";
}

static const char *
lu_abort(void)
{
	log_info("live-update: abort");
	if (session == NULL)
		return "No live-update session active.";
	/* A waiting -s (on another connection) learns why at once. */
	if (session->parked)
		conn_reply_str(session->conn, session->parked,
			       "Cancellation was requested");
	else if (session->started) {
		cancelled = session->conn;
		conn_retry_soon(session->conn);
	}
	talloc_free(session);
	return NULL;
}

static long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * What holds the update back: open transactions (Xen's), and commits
 * whose replies wait for the pool's verdict (hold.h), which must not be
 * carried into the new binary as a queued "OK".
 */
typedef time_t since_fn(const struct conn *c);
static since_fn *const waits_for[] = {txn_oldest, hold_since};
static const char *const waits_what[] = {
	"Domains with long running transactions:",
	"Commits waiting for the pool's verdict:",
};

/* Xen's rule: nothing open, or -F and all of it past -t. */
static bool
may_go(time_t now)
{
	unsigned total = 0, old = 0, i;
	struct conn *c;
	time_t t;

	for (c = conn_first(); c; c = c->next)
		for (i = 0; i < 2 && !c->closing; i++) {
			if ((t = waits_for[i](c)) == 0)
				continue;
			total++;
			if (now - t >= (time_t)session->timeout)
				old++;
		}
	return total == 0 || (session->force && old == total);
}

/* Why we give up: the domains with what holds us back past -t. */
static const char *
refusal(void *ctx, time_t now)
{
	const char *head;
	char *text = NULL;
	struct conn *c;
	unsigned i;
	time_t t;

	for (i = 0; i < 2; i++) {
		head = waits_what[i];
		for (c = conn_first(); c; c = c->next) {
			if (c->closing || (t = waits_for[i](c)) == 0 ||
			    now - t < (time_t)session->timeout)
				continue;
			text = talloc_asprintf(ctx, "%s%s%s\nDomain %u: %ld s",
					       text ? text : "",
					       head && text ? "\n" : "",
					       head ? head : "", c->who.domid,
					       (long)(now - t));
			if (text == NULL)
				return "Allocation failure.";
			head = NULL;
		}
	}
	return text ? text : "Overlapping transactions";
}

/*
 * One try of a started update: wait, refuse, or dump the state and exec.
 * Returns TXN_WAIT to be tried again, or the reply text (never on a
 * successful exec, which does not return).
 */
static const char *
try_start(void *ctx, struct conn *c, struct msg *m, int *wait)
{
	time_t now = time(NULL);
	const char *why;
	char *path;
	long t0;

	*wait = 0;
	if (!may_go(now)) {
		if (now < session->started_at + (time_t)session->timeout) {
			*wait = 1;
			return NULL;
		}
		if (!session->force)
			return refusal(ctx, now);
	}
	if ((path = lu_state_path(ctx)) == NULL)
		return "Allocation failure.";
	t0 = ms_now();
	/* Xen's stream has no place for a cleaning half done. */
	release_finish();
	/* -F past held commits: their fate is not known, never "OK". */
	hold_give_up("live-update");
	if (lu_dump(path, session, c, m, &why) != 0) {
		if (strcmp(why, "busy") == 0) {
			*wait = 1;
			return NULL;
		}
		return why;
	}
	log_info("live-update: state written in %ld ms", ms_now() - t0);
	why = lu_exec(ctx, session);
	unlink(path);
	if (session->image_fd >= 0)
		close(session->image_fd);
	session->image_fd = -1;
	return why;
}

static int
parse_start(const char **argv, unsigned argc)
{
	unsigned i;

	session->force = false;
	session->timeout = 0;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-F") == 0)
			session->force = true;
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			session->timeout = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "-v") == 0 && i + 1 < argc &&
			 (atoi(argv[i + 1]) == XS_MIG_VERSION_1 ||
			  atoi(argv[i + 1]) == XS_MIG_VERSION_2))
			session->version = (unsigned)atoi(argv[++i]);
		else
			return EINVAL;
	}
	return 0;
}

/*
 * A xenstore domain's -s waits aside, as Xen's delayed requests do:
 * dom0's one ring carries every dom0 client, and a request waiting on
 * it would hold all of them back, the commits the update waits for
 * among them.  The retry timer tries it (retry_parked); its reply goes
 * when the update fails, or comes from the new kernel.  PARKED, or
 * ENOMEM (the session ends).
 */
static int
park(struct conn *c, struct msg *m)
{
	struct msg *p = session->parked;

	(void)c;
	if (p != NULL)
		return PARKED;
	if ((p = talloc(session, struct msg)) == NULL ||
	    (p->body = talloc_memdup(p, m->body, m->hdr.len + 1)) == NULL) {
		talloc_free(session);
		return ENOMEM;
	}
	p->hdr = m->hdr;
	p->txn = NULL;
	session->parked = p;
	return PARKED;
}

static void
retry_parked(void)
{
	struct conn *c = session->conn;
	void *ctx = talloc_new(NULL);
	const char *reply;
	int wait;

	if (ctx == NULL)
		return; /* the next try */
	reply = try_start(ctx, c, session->parked, &wait);
	if (!wait) {
		log_warnx("live-update failed: %s", reply);
		conn_reply_str(c, session->parked, reply);
		talloc_free(session);
	}
	talloc_free(ctx);
}

/*
 * -s, first or again: 0 after a reply, TXN_WAIT to wait, PARKED, or an
 * errno.
 */
static int
lu_start(void *ctx, struct conn *c, struct msg *m, const char **argv,
	 unsigned argc, const char **reply)
{
	struct timeval tv = {0, RETRY_MS * 1000};
	int wait;

	if (session == NULL && c == cancelled) {
		cancelled = NULL;
		*reply = "Cancellation was requested";
		return 0;
	}
	if (session == NULL || session->conn != c) {
		*reply = "Not in live-update session.";
		return 0;
	}
	if (!session->started) {
		if (parse_start(argv, argc))
			return EINVAL;
		/* As Xen: the session stays, for more data or -a. */
		if (session->kernel && (*reply = lu_upload_ready(session)))
			return 0;
		log_info("live-update: start, force=%d, timeout=%u",
			 session->force, session->timeout);
		session->started = true;
		session->started_at = time(NULL);
		evtimer_add(retry, &tv);
	}
	if (session->parked) {
		*reply = "live-update session already active.";
		return 0;
	}
	*reply = try_start(ctx, c, m, &wait);
	if (wait)
		return lu_upload_enabled() ? park(c, m) : TXN_WAIT;
	log_warnx("live-update failed: %s", *reply);
	*reply = talloc_strdup(ctx, *reply);
	talloc_free(session);
	return 0;
}

static int
control_lu(void *ctx, struct conn *c, struct msg *m, const char **argv,
	   unsigned argc)
{
	const char *reply = NULL;
	int err = 0;

	if (argc == 0)
		return EINVAL;
	if (strcmp(argv[0], "-a") == 0 && argc == 1)
		reply = lu_abort();
	else if (strcmp(argv[0], "-c") == 0 && argc == 2)
		reply = lu_cmdline(c, argv[1]);
	else if (lu_upload_enabled() && strcmp(argv[0], "-b") == 0 && argc == 2)
		reply = lu_upload_begin(c, argv[1], &err);
	else if (lu_upload_enabled() && strcmp(argv[0], "-d") == 0)
		reply = lu_upload_data(c, m, &err);
	else if (!lu_upload_enabled() && strcmp(argv[0], "-f") == 0 &&
		 argc == 2)
		reply = lu_binary(c, argv[1]);
	else if (strcmp(argv[0], "-s") == 0)
		err = lu_start(ctx, c, m, argv + 1, argc - 1, &reply);
	else
		return EINVAL;
	if (err == PARKED)
		return 0;
	if (err)
		return err;
	conn_reply_str(c, m, reply ? reply : "OK");
	return 0;
}

int
lu_init(int argc, char **argv, const char *rundir, const struct lu_hooks *hooks,
	unsigned priv_domid)
{
	lu_config.argc = argc;
	lu_config.argv = argv;
	lu_config.rundir = rundir;
	lu_config.hooks = hooks;
	lu_config.priv_domid = priv_domid;
	retry = evtimer_new(conn_base(), lu_retry_cb, NULL);
	if (retry == NULL)
		return -1;
	dispatch_set_live_update(control_lu);
	return 0;
}
