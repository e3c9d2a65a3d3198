/* SPDX-License-Identifier: MIT */
/*
 * Command-line parsing for xenstored (options.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "frame.h"
#include "lu.h"
#include "options.h"
#include "quota.h"
#include "store.h"

static const char usage_text[] =
	"Usage: xenstored [options]\n"
	"\n"
	"  -F, --pid-file <file>      write the daemon's pid to <file>\n"
	"  -H, -h, --help             print this text and exit\n"
	"  -N, --no-fork              stay in the foreground\n"
	"  -P, --output-pid           print the pid on standard output\n"
	"  -T, --trace-file <file>    write the access log to <file>\n"
	"  -E, --entry-nb <n>         nodes a domain may own (quota nodes)\n"
	"  -S, --entry-size <n>       bytes of one node (quota node-size)\n"
	"  -W, --watch-nb <n>         watches of a domain (quota watches)\n"
	"  -t, --transaction <n>      open transactions of a domain\n"
	"  -A, --perm-nb <n>          permissions of one node\n"
	"  -M, --path-max <n>         length of a path (at most 2048)\n"
	"  -Q, --quota <what>=<n>     set a quota by name: nodes, watches,\n"
	"                             outstanding, memory, transactions,\n"
	"                             transaction-nodes, node-permissions,\n"
	"                             path-max, node-size\n"
	"  -q, --quota-soft <what>=<n> set a soft quota (a warning only)\n"
	"  -w, --timeout watch-event=<sec>  drop a guest's undelivered watch\n"
	"                             events after <sec> (0: never)\n"
	"  -K, --keep-orphans         give a dead domain's nodes to dom0\n"
	"  -V, --verbose              log more (repeat for debug)\n"
	"      --priv-domid <id>      the privileged domain (default 0)\n"
	"      --db <file>            the store's database (default\n"
	"                             $XENSTORED_RUNDIR/tdb)\n"
	"      --sync none|batch|fsync  when changes reach the database:\n"
	"                             after replies, before replies "
	"(default),\n"
	"                             before replies and fsync'd\n"
	"      --reset-db             start empty if the database is damaged\n"
	"                             (it is kept as <file>.damaged)\n"
	"  -U, --live-update          take over from the daemon that exec'd "
	"us:\n"
	"                             its state in "
	"$XENSTORED_RUNDIR/state_dump\n"
	"                             " LU_IMAGE_HELP "\n"
	"      --check-state <file>   check that a live update's state <file>\n"
	"                             can be read, and exit (0 if it can)\n"
	"  -e, --event <port>         run as a xenstore domain: serve dom0 on\n"
	"                             its ring, bound to its event channel\n"
	"                             <port>; no sockets\n"
	"  -I, --internal-db          keep the store in memory only (no\n"
	"                             database files)\n"
	"\n"
	"Environment: XENSTORED_RUNDIR (default /var/run/xenstored; with -e\n"
	"the working directory) holds the sockets \"socket\" and\n"
	"\"socket_ro\" and a live update's state; XENSTORED_PATH overrides\n"
	"the path of \"socket\".\n";

static const struct option long_options[] = {
	{"pid-file", required_argument, NULL, 'F'},
	{"help", no_argument, NULL, 'H'},
	{"no-fork", no_argument, NULL, 'N'},
	{"output-pid", no_argument, NULL, 'P'},
	{"trace-file", required_argument, NULL, 'T'},
	{"entry-nb", required_argument, NULL, 'E'},
	{"entry-size", required_argument, NULL, 'S'},
	{"watch-nb", required_argument, NULL, 'W'},
	{"transaction", required_argument, NULL, 't'},
	{"perm-nb", required_argument, NULL, 'A'},
	{"path-max", required_argument, NULL, 'M'},
	{"quota", required_argument, NULL, 'Q'},
	{"quota-soft", required_argument, NULL, 'q'},
	{"timeout", required_argument, NULL, 'w'},
	{"keep-orphans", no_argument, NULL, 'K'},
	{"verbose", no_argument, NULL, 'V'},
	{"priv-domid", required_argument, NULL, 1},
	{"db", required_argument, NULL, 2},
	{"sync", required_argument, NULL, 3},
	{"reset-db", no_argument, NULL, 4},
	{"live-update", no_argument, NULL, 'U'},
	{"check-state", required_argument, NULL, 5},
	{"event", required_argument, NULL, 'e'},
	{"internal-db", no_argument, NULL, 'I'},
	{NULL, 0, NULL, 0},
};

static void __attribute__((noreturn)) usage(int status, const char *problem)
{
	if (problem)
		fprintf(stderr, "xenstored: %s\n", problem);
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static unsigned
number(const char *arg, unsigned long max)
{
	unsigned long v;

	if (frame_parse_uint(arg, max, &v))
		usage(1, "bad number");
	return (unsigned)v;
}

static void
set_hard(enum quota_id id, const char *arg)
{
	quota_global.hard[id] = number(arg, 0x7fffffff);
}

static void
parse_timeout(struct options *o, const char *arg)
{
	static const char key[] = "watch-event=";

	if (strncmp(arg, key, sizeof(key) - 1) != 0)
		usage(1, "unknown timeout");
	o->watch_event_timeout = number(arg + sizeof(key) - 1, 0x7fffffff);
}

static void
parse_sync(struct options *o, const char *arg)
{
	enum db_sync mode;

	if (db_parse_sync(arg, &mode))
		usage(1, "--sync takes none, batch or fsync");
	o->sync = (int)mode;
}

static void
set_paths(struct options *o)
{
	const char *path = getenv("XENSTORED_PATH");

	o->rundir = getenv("XENSTORED_RUNDIR");
	/*
	 * A xenstore domain's run directory is the one its host gave it as
	 * its working directory (Xen's stub domain's 9pfs share): a live
	 * update's state goes there, never into dom0's /var/run.
	 */
	if ((o->rundir == NULL || o->rundir[0] == '\0') && o->event_port >= 0) {
		char *cwd = getcwd(NULL, 0);

		if (cwd == NULL)
			exit(1);
		o->rundir = cwd;
	}
	if (o->rundir == NULL || o->rundir[0] == '\0')
		o->rundir = "/var/run/xenstored";
	if (asprintf(&o->socket_ro, "%s/socket_ro", o->rundir) < 0)
		exit(1);
	if (o->db_file == NULL &&
	    asprintf(&o->db_file, "%s/tdb", o->rundir) < 0)
		exit(1);
	if (path && path[0] != '\0') {
		o->socket = path;
	} else {
		char *s;

		if (asprintf(&s, "%s/socket", o->rundir) < 0)
			exit(1);
		o->socket = s;
	}
}

void
options_parse(int argc, char **argv, struct options *o)
{
	int opt;

	memset(o, 0, sizeof(*o));
	o->watch_event_timeout = 20;
	o->sync = DB_SYNC_BATCH;
	o->event_port = -1;
	while ((opt = getopt_long(argc, argv,
				  "F:HhNPT:E:S:W:t:A:M:Q:q:w:KVUe:I",
				  long_options, NULL)) != -1) {
		switch (opt) {
		case 'F':
			o->pid_file = optarg;
			break;
		case 'H':
		case 'h':
			usage(0, NULL);
		case 'N':
			o->foreground = true;
			break;
		case 'P':
			o->print_pid = true;
			break;
		case 'T':
			o->trace_file = optarg;
			break;
		case 'E':
			set_hard(QUOTA_NODES, optarg);
			break;
		case 'S':
			set_hard(QUOTA_NODE_SIZE, optarg);
			break;
		case 'W':
			set_hard(QUOTA_WATCHES, optarg);
			break;
		case 't':
			set_hard(QUOTA_TRANSACTIONS, optarg);
			break;
		case 'A':
			set_hard(QUOTA_PERMS, optarg);
			break;
		case 'M':
			set_hard(QUOTA_PATH_MAX, optarg);
			if (quota_global.hard[QUOTA_PATH_MAX] > 2048)
				quota_global.hard[QUOTA_PATH_MAX] = 2048;
			break;
		case 'Q':
		case 'q':
			if (quota_assign(&quota_global, optarg, opt == 'q'))
				usage(1, "unknown quota or bad value");
			break;
		case 'w':
			parse_timeout(o, optarg);
			break;
		case 'K':
			o->keep_orphans = true;
			break;
		case 'V':
			o->verbose++;
			break;
		case 1:
			o->priv_domid = number(optarg, 0x7fef);
			break;
		case 2:
			o->db_file = optarg;
			break;
		case 3:
			parse_sync(o, optarg);
			break;
		case 4:
			o->reset_db = true;
			break;
		case 'U':
			o->live_update = true;
			break;
		case 5:
			o->check_state = optarg;
			break;
		case 'e':
			o->event_port = (int)number(optarg, 0xffff);
			break;
		case 'I':
			o->internal_db = true;
			break;
		default:
			usage(1, NULL);
		}
	}
	if (optind != argc)
		usage(1, "unexpected argument");
	set_paths(o);
}
