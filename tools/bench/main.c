/* SPDX-License-Identifier: MIT */
/*
 * xs-bench's command line: which workloads to run against which socket,
 * with how much work, and how to label the figures.  The workloads live
 * in their own files; this file only chooses and calls them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "xsb.h"

static void
usage(FILE *f)
{
	fputs("Usage: xs-bench [options]\n"
	      "  -s SOCKET   daemon socket (default $XENSTORED_PATH, else\n"
	      "              /var/run/xenstored/socket)\n"
	      "  -p PID      daemon pid, for VmRSS/VmHWM (populate)\n"
	      "  -t LIST     workloads: "
	      "seq,tput,tx,watch,storm,populate,lu,ping\n"
	      "              (default seq,tput,tx,watch)\n"
	      "  -N NODES    nodes that populate and lu create (default "
	      "100000)\n"
	      "  -L BINARY   lu: the daemon binary to live-update into\n"
	      "  -K          populate leaves its nodes in the store\n"
	      "  -q          quick: about a tenth of the work\n"
	      "  -n OPS      timed ops per seq figure (default 20000)\n"
	      "  -o OPS      ops per tput figure (default 60000)\n"
	      "  -c COMMITS  commits per tx figure (default 3000)\n"
	      "  -X SECONDS  time cap per tx figure (default 20)\n"
	      "  -r ROUNDS   watch rounds per figure (default 200)\n"
	      "  -W COUNT    largest watcher count, 1..1000 (default 1000);\n"
	      "              the storm's watchers\n"
	      "  -S WRITES   WRITEs of the storm (default 500)\n"
	      "  -w          write figures only (for a --sync pass)\n"
	      "  -k PREFIX   prefix of every key (e.g. fsync.)\n"
	      "  -T TAG      prefix of every figure's text\n"
	      "Prints one line per figure:\n"
	      "  RESULT<TAB>key<TAB>value<TAB>unit<TAB>figure\n"
	      "and '#' lines for notes.\n",
	      f);
}

static unsigned long
number(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0')
		xsb_die("%s: not a number: %s", what, s);
	return v;
}

/* Many watchers need many descriptors: raise the soft limit. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* READ "/" once: the harness's start-up probe. */
static void
ping(const char *socket)
{
	struct xsb_conn *c = xsb_connect(socket);
	char buf[64];

	xsb_read(c, "/", buf, sizeof(buf));
	xsb_close(c);
}

int
main(int argc, char **argv)
{
	struct xsb_opts o = {
		.prefix = "",
		.tag = "",
		.seq_ops = 20000,
		.tput_ops = 60000,
		.tx_commits = 3000,
		.tx_cap = 20,
		.watch_rounds = 200,
		.watch_max = 1000,
		.storm_writes = 500,
		.populate_nodes = 100000,
	};
	const char *tests = "seq,tput,tx,watch";
	bool quick = false;
	char *list, *t, *save;
	int ch;

	o.socket = getenv("XENSTORED_PATH");
	if (o.socket == NULL)
		o.socket = "/var/run/xenstored/socket";
	while ((ch = getopt(argc, argv, "s:p:t:N:L:Kqn:o:c:X:r:W:S:wk:T:h")) !=
	       -1) {
		switch (ch) {
		case 's':
			o.socket = optarg;
			break;
		case 'p':
			o.pid = (int)number(optarg, "-p");
			break;
		case 't':
			tests = optarg;
			break;
		case 'N':
			o.populate_nodes = number(optarg, "-N");
			break;
		case 'L':
			o.lu_binary = optarg;
			break;
		case 'K':
			o.populate_keep = true;
			break;
		case 'q':
			quick = true;
			break;
		case 'n':
			o.seq_ops = (unsigned)number(optarg, "-n");
			break;
		case 'o':
			o.tput_ops = (unsigned)number(optarg, "-o");
			break;
		case 'c':
			o.tx_commits = (unsigned)number(optarg, "-c");
			break;
		case 'X':
			o.tx_cap = (double)number(optarg, "-X");
			break;
		case 'r':
			o.watch_rounds = (unsigned)number(optarg, "-r");
			break;
		case 'W':
			o.watch_max = (unsigned)number(optarg, "-W");
			break;
		case 'S':
			o.storm_writes = number(optarg, "-S");
			break;
		case 'w':
			o.only_writes = true;
			break;
		case 'k':
			o.prefix = optarg;
			break;
		case 'T':
			o.tag = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (quick) {
		o.seq_ops /= 10;
		o.tput_ops /= 10;
		o.tx_commits /= 10;
		o.watch_rounds /= 10;
		o.storm_writes /= 10;
		if (o.watch_max > 100)
			o.watch_max = 100;
	}
	if (o.seq_ops == 0 || o.tput_ops < 16 || o.tx_commits < 16 ||
	    o.watch_rounds == 0 || o.watch_max == 0 || o.watch_max > 1000 ||
	    o.storm_writes == 0)
		xsb_die("counts too small (or -W over 1000)");
	raise_nofile();

	list = strdup(tests);
	if (list == NULL)
		xsb_die("out of memory");
	for (t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "seq") == 0)
			xsb_run_seq(&o);
		else if (strcmp(t, "tput") == 0)
			xsb_run_tput(&o);
		else if (strcmp(t, "tx") == 0)
			xsb_run_tx(&o);
		else if (strcmp(t, "watch") == 0)
			xsb_run_watch(&o);
		else if (strcmp(t, "storm") == 0)
			xsb_run_storm(&o);
		else if (strcmp(t, "populate") == 0)
			xsb_run_populate(&o);
		else if (strcmp(t, "lu") == 0)
			xsb_run_lu(&o);
		else if (strcmp(t, "ping") == 0)
			ping(o.socket);
		else
			xsb_die("unknown workload %s", t);
	}
	free(list);
	return 0;
}
