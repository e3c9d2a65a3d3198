/* SPDX-License-Identifier: MIT */
/*
 * xenstored: start-up, the event loop, signals and shutdown.  Everything
 * else is wired here and lives in its own module.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <talloc.h>
#include <unistd.h>

#include "conn.h"
#include "db.h"
#include "guest.h"
#include "guest_state.h"
#include "hyp.h"
#include "domain.h"
#include "domain_rec.h"
#include "log.h"
#include "lu.h"
#include "options.h"
#include "release.h"
#include "ring_cursor.h"
#include "store.h"
#include "trace.h"
#include "sock.h"
#include "watch.h"
#include "wiring.h"

static struct options opts;
static struct event_base *base;
static bool pid_file_written;
static bool stopping;

static void
signal_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	log_info("signal %d: shutting down", (int)sig);
	stopping = true;
	event_base_loopbreak(base);
}

static void
signal_hup_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	trace_reopen();
}

static void
write_pid_file(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		fatal("cannot open pid file %s", path);
	if (lockf(fd, F_TLOCK, 0) != 0)
		exit(0); /* another xenstored holds it: we are not needed */
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, buf, strlen(buf)) < 0)
		fatal("cannot write pid file %s", path);
	pid_file_written = true;
	/* fd stays open: the lock lasts as long as we do. */
}

static void
daemonise(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		fatal("setsid");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		fatal("chdir");
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* Tell systemd we are ready, if it started us with Type=notify. */
static void
notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	static const char msg[] = "READY=1";
	int fd;

	if (path == NULL || path[0] == '\0' ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, path);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, sizeof(msg) - 1, 0, (struct sockaddr *)&sun,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			       strlen(path))) < 0)
		log_warn("%s: sd_notify", __func__);
	close(fd);
}

/*
 * After a live update the store comes from the stream, not from the
 * files.  If the old binary was ours, with the same files, they hold
 * what the stream does (it wrote them last just before): they stay, and
 * the nodes come in as loaded.  Otherwise they start again, empty, and
 * get every node the stream holds.
 */
static void
fresh_db(void)
{
	char journal[4096];

	snprintf(journal, sizeof(journal), "%s.journal", opts.db_file);
	unlink(opts.db_file);
	unlink(journal);
}

/* Without them a restart may answer a read twice (ring_cursor.h). */
static void
open_ring_cursors(void)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s.rings", opts.db_file);
	if (ring_cursor_open(path) != 0)
		log_warn("cannot map %s: a crash restart may answer a guest's "
			 "read twice",
			 path);
}

/* The store: from the database if it holds one, else a new base tree. */
static void
load_store(void)
{
	int loaded;

	if (opts.internal_db) {
		/* A xenstore domain's store lives in its memory only. */
		if (store_create_base(opts.priv_domid) != 0)
			fatalx("out of memory creating the store");
		log_info("store in memory: %zu nodes", store_count());
		return;
	}
	if (db_open(opts.db_file, (enum db_sync)opts.sync, opts.reset_db))
		exit(1);
	loaded = db_load();
	if (loaded < 0) {
		log_warnx("refusing to start: %s is damaged (--reset-db starts "
			  "empty and keeps it as %s.damaged)",
			  opts.db_file, opts.db_file);
		exit(1);
	}
	if (loaded == 0 && store_create_base(opts.priv_domid) != 0)
		fatalx("out of memory creating the store");
	if (db_flush() != 0)
		fatalx("cannot write %s", opts.db_file);
	wiring_stream(opts.db_file, db_was_reset());
	log_info("store %s from %s: %zu nodes", loaded ? "loaded" : "created",
		 opts.db_file, store_count());
}

/* lu.h's open_store: 1 if the files stay, 0 if they start empty, -1. */
static int
open_store(const char *stream_db, const struct db_position *pos,
	   bool have_store)
{
	bool keep = stream_db && strcmp(stream_db, opts.db_file) == 0;
	enum db_sync sync = (enum db_sync)opts.sync;

	/* A xenstore domain's store lives in its memory only (-I). */
	if (opts.internal_db)
		return have_store || store_create_base(opts.priv_domid) == 0
			       ? 0
			       : -1;
	if (!keep)
		fresh_db();
	if ((keep ? db_open_current(opts.db_file, sync, pos)
		  : db_open(opts.db_file, sync, false)) != 0) {
		if (!keep)
			return -1;
		keep = false;
		fresh_db();
		if (db_open(opts.db_file, sync, false) != 0)
			return -1;
	}
	db_skip_load();
	if (!keep && have_store)
		db_write_all();
	else if (!keep && store_create_base(opts.priv_domid) != 0)
		return -1;
	return keep;
}

static void
setup_state(void)
{
	struct domain *priv;

	if (domain_init() || watch_init() || store_init())
		fatalx("out of memory setting up the store");
	if (wiring_store() != 0)
		fatalx("cannot observe the store");
	priv = domain_get(opts.priv_domid);
	if (priv == NULL)
		fatalx("out of memory setting up domains");
	priv->introduced = true;
	/* A live update's store comes with its state (lu.h's open_store). */
	if (!opts.live_update)
		load_store();
	/* On tmpfs (--sync=none) replies need not wait for the write. */
	if (wiring_connections(base, opts.sync != DB_SYNC_NONE,
			       opts.sync == DB_SYNC_NONE) != 0)
		fatalx("cannot set up the event loop");
	if (!opts.internal_db && opts.sync != DB_SYNC_NONE)
		open_ring_cursors();
}

static void
hyp_event_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	guest_event();
}

static void
watch_hypervisor(void)
{
	struct event *ev = event_new(base, hyp_fd(), EV_READ | EV_PERSIST,
				     hyp_event_cb, NULL);

	if (ev == NULL || event_add(ev, NULL) != 0)
		fatalx("cannot watch the event channels");
}

/* Guests need a hypervisor; without one the sockets are all we serve. */
static void
setup_hypervisor(void)
{
	if (!hyp_available() && hyp_open() != 0) {
		log_info("no hypervisor: serving the sockets only");
		return;
	}
	watch_hypervisor();
}

/*
 * In a xenstore domain (-e), dom0 is served on its own ring, as a guest
 * is but privileged: its kernel granted us the page (reserved grant
 * reference 1) and allocated the event channel port we were given.
 */
static void
setup_dom0_ring(void)
{
	int err;

	if (!hyp_available())
		fatalx("a xenstore domain needs the hypervisor");
	err = guest_introduce(opts.priv_domid, (unsigned)opts.event_port);
	if (err)
		fatalx("cannot serve dom%u on its ring (event channel %d): %s",
		       opts.priv_domid, opts.event_port, strerror(err));
}

/* The hooks of live update (lu.h): our listeners and sockets. */
static int
adopt_listener(int fd, bool readonly)
{
	return sock_adopt_listener(base, fd, readonly, opts.priv_domid);
}

static struct conn *
adopt_conn(int fd, bool readonly)
{
	return sock_adopt_conn(fd, readonly, opts.priv_domid);
}

static const struct lu_hooks lu_hooks = {
	.listener_fd = sock_listener_fd,
	.adopt_listener = adopt_listener,
	.adopt_conn = adopt_conn,
	.is_socket = sock_is_conn,
	.open_store = open_store,
};

/*
 * What to serve: the state a live update handed over (-U), else nothing
 * yet.  Sockets the old binary did not hand over are made anew; in a
 * xenstore domain there are none, only dom0's ring.
 */
static void
take_over_or_listen(void)
{
	bool have_rw = false, have_ro = false;

	guest_init(opts.priv_domid, opts.keep_orphans);
	if (opts.live_update && lu_restore(&have_rw, &have_ro) != 0)
		fatalx("live update: the state cannot be taken over");
	setup_hypervisor();
	/* Guests served before a crash or a restart: where they were. */
	if (!opts.live_update && hyp_available())
		guest_state_restore();
	/* Quotas and features set per domain, dom0's too. */
	if (!opts.live_update)
		domain_rec_restore();
	release_restore();
	if (opts.event_port >= 0) {
		/* After a live update dom0's ring came with the state. */
		if (!opts.live_update)
			setup_dom0_ring();
	} else if ((!have_rw &&
		    sock_listen(base, opts.socket, false, opts.priv_domid)) ||
		   (!have_ro &&
		    sock_listen(base, opts.socket_ro, true, opts.priv_domid)))
		fatalx("cannot serve the sockets");
	if (opts.live_update) {
		/* Deaths during the exec had no VIRQ to tell us. */
		if (hyp_available())
			guest_check_domains();
		if (db_flush() != 0)
			fatalx("cannot write %s", opts.db_file);
		if (!opts.internal_db)
			wiring_stream(opts.db_file, false);
	}
}

static void
add_signal(int sig, event_callback_fn cb)
{
	struct event *ev = evsignal_new(base, sig, cb, NULL);

	if (ev == NULL || event_add(ev, NULL) != 0)
		fatalx("cannot handle signal %d", sig);
}

/* Turns of the loop until a signal stops it; a turn blocks only if idle. */
static void
serve(void)
{
	bool reaping = false;

	while (!stopping) {
		if (event_base_loop(base, conn_busy() || reaping
						  ? EVLOOP_NONBLOCK
						  : EVLOOP_ONCE) < 0)
			fatalx("event loop failed");
		reaping = wiring_end_turn();
	}
}

int
main(int argc, char **argv)
{
	options_parse(argc, argv, &opts);
	if (opts.check_state)
		return lu_check_file(opts.check_state) ? 1 : 0;
	log_init("xenstored", opts.foreground, opts.verbose);
	log_set_mirror(trace_line);
	/* A xenstore domain has no file system of its own to make it in. */
	if (opts.event_port < 0 && mkdir(opts.rundir, 0755) != 0 &&
	    errno != EEXIST)
		fatal("cannot create %s", opts.rundir);
	/* Relative trace and memreport files go in the run directory. */
	if (trace_init(opts.rundir, opts.trace_file) != 0)
		fatal("cannot open trace file %s", opts.trace_file);
	/* A live update's new binary is the daemon already. */
	if (!opts.foreground && !opts.live_update)
		daemonise();
	if (opts.pid_file)
		write_pid_file(opts.pid_file);
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	if (base == NULL)
		fatalx("cannot create the event loop");
	setup_state();
	conn_set_event_timeout(opts.watch_event_timeout);
	if (lu_init(argc, argv, opts.rundir, &lu_hooks, opts.priv_domid) != 0)
		fatalx("cannot set up live update");
	/* A xenstore domain's new kernel comes uploaded, as on Xen. */
	if (opts.event_port >= 0)
		lu_upload_enable();
	take_over_or_listen();
	add_signal(SIGTERM, signal_stop_cb);
	add_signal(SIGINT, signal_stop_cb);
	add_signal(SIGHUP, signal_hup_cb);
	if (opts.print_pid) {
		printf("%ld\n", (long)getpid());
		fflush(stdout);
	}
	notify_ready();
	if (opts.event_port >= 0)
		log_info("serving dom%u on its ring", opts.priv_domid);
	else
		log_info("serving on %s", opts.socket);

	serve();

	conn_shutdown();
	if (!opts.internal_db) {
		wiring_stream_close();
		db_flush();
		db_close();
	}
	hyp_close();
	if (opts.event_port < 0) {
		unlink(opts.socket);
		unlink(opts.socket_ro);
	}
	if (pid_file_written)
		unlink(opts.pid_file);
	return 0;
}
