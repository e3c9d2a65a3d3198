/* SPDX-License-Identifier: MIT */
/*
 * crash-steps: the persistence path (db.c, journal.c, tdb) killed at
 * every step, deterministically (tdb's run-die-during-transaction idea;
 * die.h is the seam).
 *
 * A store is prepared once (some of it folded into the tdb file, some in
 * the journal) and kept as a snapshot.  Then, for N = 1, 2, ... until a
 * run passes its last step alive, a copy of the snapshot is opened by a
 * daemon that makes one change (a loop turn of five requests: a value,
 * a removal, nodes created with their parents and a value of 800 bytes,
 * permissions, a MKDIR) and
 * dies at step N of persisting it; the "fold" runs also fold the journal
 * into the tdb file right after the change, in a child, and die at the
 * fold's steps, the child's and then the parent's.  Each variant runs
 * clean (the step does not happen) and torn (a write leaves half its
 * bytes).  After each death another process opens the files, which must
 * load (no "damaged"), hold exactly the state after some first k of the
 * five requests (k = 0: before the change, k = 5: after it; the daemon
 * may serve them in more than one loop turn, each persisted whole, when
 * a turn runs past its time budget), pass CONTROL check, and take a new
 * change and a fold that a third process then finds.
 *
 * Usage: crash-steps [-v]; the exit status says whether all held; -v
 * lists the steps, and the states when one did not hold.
 *	crash-steps --phase prepare|change|fold|verify DIR
 * runs one phase alone (sync batch) on DIR/tdb, for a look at the files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <talloc.h>
#include <unistd.h>

#include "db.h"
#include "die.h"
#include "harness.h"
#include "perms.h"
#include "store.h"

#define STATE_MAX (1 << 16)

/* In memory if we can: every N costs a few processes and their syncs. */
static char top[64];
static bool verbose;

/* A request of a loop turn: path, then arg (alen bytes) if any. */
struct req {
	uint32_t type;
	const char *path;
	const char *arg;
	size_t alen;
};

#define WR(p, v)                                                               \
	{                                                                      \
		XS_WRITE, p, v, sizeof(v) - 1                                  \
	}
#define RM(p)                                                                  \
	{                                                                      \
		XS_RM, p, NULL, 0                                              \
	}
#define MK(p)                                                                  \
	{                                                                      \
		XS_MKDIR, p, NULL, 0                                           \
	}
#define PERMS(p, v)                                                            \
	{                                                                      \
		XS_SET_PERMS, p, v, sizeof(v)                                  \
	}
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* One loop turn: every request in one write; 0 if each said OK. */
static int
turn(struct hpeer *p, const struct req *reqs, size_t n)
{
	uint8_t buf[4096];
	size_t len = 0, plen, i;
	struct xsd_sockmsg h;
	struct hmsg m;

	for (i = 0; i < n; i++) {
		plen = strlen(reqs[i].path) + 1;
		if (len + sizeof(h) + plen + reqs[i].alen > sizeof(buf))
			return -1;
		h = (struct xsd_sockmsg){reqs[i].type, (uint32_t)i + 1, 0,
					 (uint32_t)(plen + reqs[i].alen)};
		memcpy(buf + len, &h, sizeof(h));
		memcpy(buf + len + sizeof(h), reqs[i].path, plen);
		if (reqs[i].alen)
			memcpy(buf + len + sizeof(h) + plen, reqs[i].arg,
			       reqs[i].alen);
		len += sizeof(h) + h.len;
	}
	hpeer_send_raw(p, buf, len);
	for (i = 0; i < n; i++)
		if (!hpeer_next(p, &m) || m.hdr.type == XS_ERROR)
			return -1;
	return 0;
}

/* Open the store at dir/tdb; folds after fold_after journal entries. */
static struct hpeer *
open_store(const char *dir, int sync, const char *fold_after)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/tdb", dir);
	setenv("XENSTORED_FOLD_AFTER", fold_after, 1);
	if (harness_init_db(path, sync) != 0)
		return NULL;
	return hpeer_new(0, true);
}

/* The state to crash in, first: turns folded into the tdb file. */
static int
prepare_folded(const char *dir, int sync)
{
	static const struct req turns[] = {
		WR("/p/a", "a"), WR("/p/b", "b"), WR("/p/b/x", "bx"),
		WR("/p/c", "c"), WR("/p/d", "d"),
	};
	struct hpeer *p = open_store(dir, sync, "1");

	if (p == NULL || turn(p, turns, 3) || turn(p, turns + 3, 2))
		return -1;
	harness_close_db(); /* waits for the fold under way */
	return 0;
}

/* Then, in another process, turns left in the journal. */
static int
prepare_journal(const char *dir, int sync)
{
	static const struct req turns[] = {
		WR("/p/d", "d2"),
		RM("/p/c"),
		WR("/p/c", "c2"),
		PERMS("/p/d", "n0\0r2"),
	};
	struct hpeer *p = open_store(dir, sync, "1000000");

	if (p == NULL || turn(p, turns, 2) || turn(p, turns + 2, 2))
		return -1;
	harness_close_db();
	return 0;
}

/* How many of change()'s requests it sends (expected() varies it). */
#define NCHANGE 5
static unsigned nchange = NCHANGE;

/* The change that dies: one loop turn, then (fold) a fold of it all. */
static int
change(const char *dir, int sync, bool fold, unsigned n, bool torn)
{
	/* A value of 800 bytes: the journal record spans sectors. */
#define V80                                                                    \
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV" \
	"WXYZ012345678"
#define V800 V80 V80 V80 V80 V80 V80 V80 V80 V80 V80
	static const struct req reqs[] = {
		WR("/p/a", "changed"),	 RM("/p/b"), WR("/q/new/deep", V800),
		PERMS("/p/c", "n0\0r1"), MK("/p/e"),
	};
	_Static_assert(COUNT(reqs) == NCHANGE, "NCHANGE requests");
	struct hpeer *p = open_store(dir, sync, fold ? "1" : "1000000");

	if (p == NULL)
		return -1;
	if (n)
		die_arm(n, torn);
	if (nchange && turn(p, reqs, nchange))
		return -1;
	harness_close_db();
	return 0;
}

static int
dump_node(struct node *n, void *arg)
{
	char *out = arg, path[XENSTORE_PAYLOAD_MAX + 1], perm[PERM_STRLEN_MAX];
	size_t len = strlen(out);
	unsigned i;

	node_path(n, path, sizeof(path));
	len += (size_t)snprintf(out + len, STATE_MAX - len, "%s birth %llu",
				path, (unsigned long long)node_birth(n));
	for (i = 0; i < n->nperms && len < STATE_MAX; i++) {
		perms_format_one(&node_perms(n)[i], perm);
		len += (size_t)snprintf(out + len, STATE_MAX - len, " %s",
					perm);
	}
	if (len < STATE_MAX)
		snprintf(out + len, STATE_MAX - len, " = %.*s\n", n->vlen,
			 (const char *)node_value(n));
	return 0;
}

/* The whole tree as text into dir/state: paths, births, perms, values. */
static int
dump(const char *dir)
{
	static char out[STATE_MAX];
	static const char *const roots[] = {"/", "@introduceDomain",
					    "@releaseDomain"};
	char path[256];
	FILE *f;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < 3; i++)
		store_walk(store_lookup(roots[i]), dump_node, out);
	snprintf(path, sizeof(path), "%s/state", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(out, f);
	return fclose(f);
}

/*
 * After a crash: the files load, the store is consistent, and it takes
 * a new change and a fold of everything.
 */
static int
verify(const char *dir, int sync)
{
	static const struct req more[] = {WR("/later", "l")};
	struct hpeer *p = open_store(dir, sync, "1");

	if (p == NULL || dump(dir) != 0 || !harness_check() ||
	    turn(p, more, 1) != 0)
		return -1;
	harness_close_db();
	return 0;
}

/* And a third process finds that change. */
static int
verify_later(const char *dir, int sync)
{
	struct hpeer *p = open_store(dir, sync, "1000000");
	struct node *n;

	if (p == NULL || !harness_check())
		return -1;
	n = store_lookup("/later");
	return n && n->vlen == 1 && memcmp(node_value(n), "l", 1) == 0 ? 0 : -1;
}

/* Run fn in a child process with its output in dir/log; its status. */
static int
child(const char *dir, int (*fn)(const char *, int, bool, unsigned, bool),
      int sync, bool fold, unsigned n, bool torn)
{
	char log[256];
	int status, fd;
	pid_t pid;

	/* Disarmed: only the change arms the seam, in its own process. */
	die_arm(0, false);
	fflush(NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		snprintf(log, sizeof(log), "%s/log", dir);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		_exit(fn(dir, sync, fold, n, torn) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Adapters to child()'s one signature. */
static int
run_prepare(const char *d, int s, bool f, unsigned n, bool t)
{
	(void)n, (void)t;
	return f ? prepare_journal(d, s) : prepare_folded(d, s);
}

static int
run_change(const char *d, int s, bool f, unsigned n, bool t)
{
	return change(d, s, f, n, t);
}

static int
run_verify(const char *d, int s, bool f, unsigned n, bool t)
{
	(void)f, (void)n, (void)t;
	return verify(d, s);
}

static int
run_verify_later(const char *d, int s, bool f, unsigned n, bool t)
{
	(void)f, (void)n, (void)t;
	return verify_later(d, s);
}

/* verify, then verify_later: a process each, as a daemon each. */
static int
check_files(const char *dir, int sync)
{
	if (child(dir, run_verify, sync, false, 0, false) != 0 ||
	    child(dir, run_verify_later, sync, false, 0, false) != 0)
		return -1;
	return 0;
}

static char *
slurp(const char *dir, const char *name)
{
	static char buf[2][STATE_MAX];
	static int which;
	char path[256];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	which ^= 1;
	buf[which][0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf[which], 1, STATE_MAX - 1, f);
		fclose(f);
	}
	buf[which][n] = '\0';
	return buf[which];
}

static int
remove_tree(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* A fresh copy of the snapshot's files in dir. */
static int
copy_snapshot(const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "rm -rf %s && mkdir %s && cp %s/snap/tdb %s/snap/tdb.journal "
		 "%s/",
		 dir, dir, top, top, dir);
	return system(cmd);
}

/* The states after the first k requests of the change, k = 0..5. */
static char states[NCHANGE + 1][STATE_MAX];

/* Which first-k state dir holds, or -1 if none. */
static int
state_k(const char *dir)
{
	const char *st = slurp(dir, "state");
	int k;

	for (k = 0; k <= NCHANGE; k++)
		if (strcmp(st, states[k]) == 0)
			return k;
	return -1;
}

/* Run one variant for every N; 0 if every crash left a first-k state. */
static int
variant(const char *name, int sync, bool fold, bool torn)
{
	char dir[256];
	unsigned n, i, seen[NCHANGE + 1] = {0};
	int st, k;

	snprintf(dir, sizeof(dir), "%s/run", top);
	for (n = 1; n < 10000; n++) {
		if (copy_snapshot(dir) != 0)
			return -1;
		st = child(dir, run_change, sync, fold, n, torn);
		if (!die_died()) {
			if (st != 0)
				goto fail;
			break;
		}
		if (check_files(dir, sync) != 0 || (k = state_k(dir)) < 0)
			goto fail;
		seen[k]++;
	}
	printf("crash-steps: %s: %u steps; a crash at each left the store "
	       "before the change %u times, after it %u times, part-way %u "
	       "times\n",
	       name, n - 1, seen[0], seen[NCHANGE],
	       n - 1 - seen[0] - seen[NCHANGE]);
	for (i = 1; verbose && i < n; i++)
		printf("  step %u: %s\n", i, die_step_name(i));
	return n > 1 ? 0 : -1;
fail:
	printf("crash-steps: %s: after a crash at step %u (%s) the files do "
	       "not load, or hold no state the change's first requests "
	       "leave, or take no more changes; kept in %s:\n%s\n",
	       name, n, die_step_name(n), dir, slurp(dir, "log"));
	if (verbose)
		printf("state:\n%s\nbefore:\n%s\nafter:\n%s\n",
		       slurp(dir, "state"), states[0], states[NCHANGE]);
	return -1;
}

/* The states after each first k requests, as verify() dumps them. */
static int
expected(int sync, bool fold)
{
	char dir[256];
	unsigned k;

	snprintf(dir, sizeof(dir), "%s/run", top);
	for (k = 0; k <= NCHANGE; k++) {
		nchange = k;
		if (copy_snapshot(dir) != 0 ||
		    child(dir, run_change, sync, fold, 0, false) != 0 ||
		    check_files(dir, sync) != 0)
			return -1;
		strcpy(states[k], slurp(dir, "state"));
	}
	nchange = NCHANGE;
	return strcmp(states[0], states[NCHANGE]) != 0 ? 0 : -1;
}

static int
sync_of(const char *s)
{
	return strcmp(s, "fsync") == 0 ? DB_SYNC_FSYNC : DB_SYNC_BATCH;
}

static int
run_all(void)
{
	static const char *const syncs[] = {"batch", "fsync"};
	char snap[256], name[64];
	int failed = 0, sync;
	unsigned i, f, t;

	snprintf(snap, sizeof(snap), "%s/snap", top);
	for (i = 0; i < 2; i++) {
		sync = sync_of(syncs[i]);
		mkdir(snap, 0700);
		if (child(snap, run_prepare, sync, false, 0, false) != 0 ||
		    child(snap, run_prepare, sync, true, 0, false) != 0) {
			printf("crash-steps: cannot prepare the store:\n%s\n",
			       slurp(snap, "log"));
			return -1;
		}
		for (f = 0; f < 2; f++) {
			if (expected(sync, f) != 0) {
				printf("crash-steps: the change does not "
				       "apply\n");
				return -1;
			}
			for (t = 0; t < 2; t++) {
				snprintf(name, sizeof(name), "%s%s, %s",
					 f ? "write and fold" : "write",
					 t ? " torn" : "", syncs[i]);
				failed |= variant(name, sync, f, t);
			}
		}
		if (remove_tree(snap) != 0)
			return -1;
	}
	return failed ? -1 : 0;
}

int
main(int argc, char **argv)
{
	int ret;

	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	/* One phase alone, for a look at the files: prepare, change, fold. */
	if (argc == 4 && strcmp(argv[1], "--phase") == 0) {
		if (strcmp(argv[2], "prepare") == 0)
			return prepare_folded(argv[3], DB_SYNC_BATCH) ||
			       prepare_journal(argv[3], DB_SYNC_BATCH);
		if (strcmp(argv[2], "verify") == 0)
			return verify(argv[3], DB_SYNC_BATCH) ? 1 : 0;
		return change(argv[3], DB_SYNC_BATCH,
			      strcmp(argv[2], "fold") == 0, 0, false)
			       ? 1
			       : 0;
	}
	snprintf(top, sizeof(top), "%s/crash-steps.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (die_init() != 0 || mkdtemp(top) == NULL) {
		perror("crash-steps");
		return 1;
	}
	ret = run_all();
	/* A failure's files stay, for a look. */
	if (ret == 0 && remove_tree(top) != 0)
		return 1;
	return ret == 0 ? 0 : 1;
}
