/* SPDX-License-Identifier: MIT */
/*
 * The daemon's command line: Xen's C daemon's options where they apply
 * (docs/xenstored.8.md).
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>

struct options {
	bool foreground;	      /* -N */
	bool print_pid;		      /* -P */
	int verbose;		      /* -V */
	const char *pid_file;	      /* -F */
	const char *trace_file;	      /* -T */
	const char *rundir;	      /* $XENSTORED_RUNDIR */
	const char *socket;	      /* $XENSTORED_PATH, else rundir/socket */
	char *socket_ro;	      /* rundir/socket_ro */
	unsigned watch_event_timeout; /* -w watch-event=<sec> */
	unsigned priv_domid;
	char *db_file;		 /* --db, default rundir/tdb */
	int sync;		 /* --sync: enum db_sync */
	bool reset_db;		 /* --reset-db */
	bool keep_orphans;	 /* -K */
	bool live_update;	 /* -U: restore rundir/state_dump */
	const char *check_state; /* --check-state <file> */
	int event_port;	  /* -e: dom0's port, in a xenstore domain; or -1 */
	bool internal_db; /* -I: no database files */
};

/*
 * Parse argv into opts (quota options go straight into quota_global).
 * Prints the usage and exits: 0 for --help, 1 for a bad option.
 */
void options_parse(int argc, char **argv, struct options *opts);

#endif /* OPTIONS_H */
