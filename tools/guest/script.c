/* SPDX-License-Identifier: MIT */
/*
 * The guest's script interpreter (script.h): parses one operation per
 * line, runs it through libxenstore on the guest's ring connection and
 * prints its result in a format tests compare byte for byte.  Owns the
 * current transaction and the block of lines being recorded for a retry;
 * knows nothing about rings or hypervisors (boot.h does).
 *
 * Language (words split on blanks; '#' starts a comment line; relative
 * paths are the daemon's business: it resolves them under our home):
 *
 *   read P                read P = VALUE        | read P: ENOENT
 *   write P [VALUE...]    write P: OK           (VALUE is the rest of the line)
 *   mkdir P / rm P        mkdir P: OK
 *   dir P                 dir P = a b c         (names sorted)
 *   getperms P            getperms P = n1 r0
 *   setperms P PERM...    setperms P: OK
 *   watch P TOKEN         watch P TOKEN: OK     (also unwatch)
 *   wait N                N lines "event PATH TOKEN", in arrival order
 *                         (only the script's own watches: tokens starting
 *                         with "xenbus:" are the drivers', xenbus.h)
 *   incr P                incr P = N            (read, add one, write)
 *   begin                 begin: OK             then the block's lines run
 *   commit                the block's output, then commit: OK; on EAGAIN
 *                         the whole block runs again in a new transaction
 *                         (up to 100 times), only the last run's output
 *                         is printed
 *   try-commit            the same without retrying: commit: EAGAIN
 *   abort                 the block's output, then abort: OK
 *   sleep [S]             S seconds; without S: until told to shut down
 *                         through control/shutdown (prints "sleeping" once
 *                         its watch is set; on poweroff, halt or reboot
 *                         it clears the node, prints "shutdown <how>",
 *                         tells the hypervisor, and the guest exits 0)
 *   serve                 block until SIGTERM or SIGINT, then exit 0
 *                         (a backend kernel's idle loop: xsim-guest -s -b
 *                         serve is dom0's backend drivers)
 *   garbage               a header announcing a 2 GiB payload on the ring
 *   garbage-index         a request producer index 3 rings ahead
 *   bench-read N P        N sequential READs of P through the library,
 *                         timed: "bench-read N: <ops/s> ops/s p50 <us>
 *                         p99 <us> from <us> to <us>" (monotonic clock;
 *                         for make bench's ring figures)
 *   flood N P             N READ requests for P straight onto the ring,
 *                         never reading the replies; prints how many
 *                         went before the ring stayed full for a second
 *                         (garbage, garbage-index and flood stop the PV
 *                         drivers first: their requests share the ring)
 *   incr-loop N P T       N rounds incrementing P, and T in a transaction
 *                         (incr.h): "incr-loop N: plain V tx V retries R
 *                         p50 U p99 U max U" (the crash tests)
 *   introduce D MFN PORT, release D, resume D, set-target D T,
 *   isintroduced D, getdomainpath D, control CMD [ARG...]
 *                         the privileged calls (a guest gets EACCES;
 *                         isintroduced prints "= yes" or "= no", and no
 *                         also when refused: libxenstore cannot tell)
 *   domid                 domid N
 *   echo TEXT             TEXT
 *   mark TEXT             TEXT, at once even inside a transaction block,
 *                         and not run again on a retry (for tests to
 *                         know how far the guest got)
 *   exit [N]              stop; status N (default 0)
 *
 * Errors print as the errno's name (EACCES), as the wire protocol has it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xs_wire.h" /* before xenstore.h, which then defers to it */
#include "xenstore.h"

#include "boot.h"
#include "incr.h"
#include "script.h"
#include "xenbus.h"

#define MAX_WORDS 32
#define BLOCK_MAX 256
#define TXN_ATTEMPTS 100

struct words {
	int n;
	char *w[MAX_WORDS];
	const char *rest[MAX_WORDS]; /* the line from word i on */
};

static struct xs_handle *xsh;
static unsigned op_timeout;
static xs_transaction_t txn = XBT_NULL;
static FILE *out;

/* The transaction block being recorded, and its buffered output. */
static bool in_block;
static bool replaying;
static char *block[BLOCK_MAX];
static unsigned block_len;
static char *blockbuf;
static size_t blockbuf_len;

/* The operation running, for the hang guard; written before alarm(). */
static char cur_op[128];
static size_t cur_op_len;

static void
on_alarm(int sig)
{
	static const char msg[] = ": timeout\n";

	(void)sig;
	if (write(STDOUT_FILENO, cur_op, cur_op_len) < 0 ||
	    write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static const char *
errname(int err)
{
	const char *s = strerrorname_np(err);

	return s != NULL ? s : "EUNKNOWN";
}

/* "<what>: OK" or "<what>: <ERRNO>", for calls that return bool. */
static void
result(bool ok, const char *what, const char *arg)
{
	int err = errno;

	if (ok)
		fprintf(out, "%s %s: OK\n", what, arg);
	else
		fprintf(out, "%s %s: %s\n", what, arg, errname(err));
}

/*
 * Split copy, a copy of orig, into words; rest[i] points into orig, so
 * that a value keeps its blanks.
 */
static int
split(char *copy, const char *orig, struct words *wd)
{
	char *p = copy;

	wd->n = 0;
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			break;
		if (wd->n == MAX_WORDS)
			return -1;
		wd->rest[wd->n] = orig + (p - copy);
		wd->w[wd->n++] = p;
		p += strcspn(p, " \t\r\n");
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
op_dir(const char *path)
{
	unsigned n, i;
	char **names = xs_directory(xsh, txn, path, &n);

	if (names == NULL) {
		fprintf(out, "dir %s: %s\n", path, errname(errno));
		return;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	fprintf(out, "dir %s =", path);
	for (i = 0; i < n; i++)
		fprintf(out, " %s", names[i]);
	fputc('\n', out);
	free(names);
}

static void
op_getperms(const char *path)
{
	static const char letter[] = {'n', 'r', 'w', 'b'};
	struct xs_permissions *p;
	unsigned n, i;

	p = xs_get_permissions(xsh, txn, path, &n);
	if (p == NULL) {
		fprintf(out, "getperms %s: %s\n", path, errname(errno));
		return;
	}
	fprintf(out, "getperms %s =", path);
	for (i = 0; i < n; i++)
		fprintf(out, " %c%u", letter[p[i].perms & 3], p[i].id);
	fputc('\n', out);
	free(p);
}

static void
op_setperms(struct words *wd)
{
	struct xs_permissions perms[MAX_WORDS];
	char buf[MAX_WORDS * 16], *b = buf;
	unsigned n = (unsigned)wd->n - 2, i;
	bool ok;

	for (i = 0; i < n; i++) {
		if (strlen(wd->w[i + 2]) >= 15) {
			errno = EINVAL;
			result(false, "setperms", wd->w[1]);
			return;
		}
		b = stpcpy(b, wd->w[i + 2]) + 1;
	}
	ok = xs_strings_to_perms(perms, n, buf) &&
	     xs_set_permissions(xsh, txn, wd->w[1], perms, n);
	result(ok, "setperms", wd->w[1]);
}

static void
op_incr(const char *path)
{
	unsigned len;
	char *v = xs_read(xsh, txn, path, &len), num[32];
	unsigned long n = 0;

	if (v == NULL && errno != ENOENT) {
		fprintf(out, "incr %s: %s\n", path, errname(errno));
		return;
	}
	if (v != NULL)
		n = strtoul(v, NULL, 10);
	free(v);
	snprintf(num, sizeof(num), "%lu", n + 1);
	if (!xs_write(xsh, txn, path, num, (unsigned)strlen(num)))
		fprintf(out, "incr %s: %s\n", path, errname(errno));
	else
		fprintf(out, "incr %s = %s\n", path, num);
}

static int
op_wait(const char *count)
{
	int n = atoi(count), i;
	unsigned num;
	char **ev;

	for (i = 0; i < n; i++) {
		ev = xenbus_script_event(&num);
		if (ev == NULL) {
			fprintf(out, "wait %s: %s\n", count, errname(errno));
			return 1;
		}
		fprintf(out, "event %s %s\n", ev[XS_WATCH_PATH],
			ev[XS_WATCH_TOKEN]);
		free(ev);
		fflush(out);
	}
	return -1;
}

/* Sleep until control/shutdown says so, as a PV kernel does. */
static int
op_sleep_forever(void)
{
	static const char *const features[] = {"control/feature-poweroff",
					       "control/feature-reboot"};
	unsigned num, i;
	char **ev, *v;

	alarm(0);
	if (!xs_watch(xsh, "control/shutdown", "shutdown")) {
		fprintf(out, "sleep: %s\n", errname(errno));
		return 1;
	}
	for (i = 0; i < 2; i++)
		xs_write(xsh, XBT_NULL, features[i], "1", 1);
	fprintf(out, "sleeping\n");
	fflush(out);
	for (;;) {
		ev = xenbus_script_event(&num);
		if (ev == NULL) {
			fprintf(out, "sleep: %s\n", errname(errno));
			return 1;
		}
		free(ev);
		v = xs_read(xsh, XBT_NULL, "control/shutdown", NULL);
		if (v != NULL &&
		    (strcmp(v, "poweroff") == 0 || strcmp(v, "halt") == 0 ||
		     strcmp(v, "reboot") == 0)) {
			/* Acknowledge, as Linux does, then go. */
			xs_write(xsh, XBT_NULL, "control/shutdown", "", 0);
			fprintf(out, "shutdown %s\n", v);
			fflush(out);
			if (boot_shutdown(v) < 0)
				fprintf(stderr, "xsim-guest: shutdown: %s\n",
					strerror(errno));
			free(v);
			return 0;
		}
		free(v);
	}
}

/* A backend kernel's idle loop: until SIGTERM or SIGINT, then exit 0. */
static int
op_serve(void)
{
	sigset_t set;
	int sig;

	alarm(0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Our other threads block every signal: these come to us. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (sigwait(&set, &sig) != 0)
		;
	return 0;
}

static int
op_sleep(struct words *wd)
{
	struct timespec ts;
	double s;

	if (wd->n == 1)
		return op_sleep_forever();
	s = atof(wd->w[1]);
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	alarm(0);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return -1;
}

static void
op_garbage(bool bad_index)
{
	struct xsd_sockmsg hdr = {
		.type = XS_WRITE,
		.req_id = 0xbad,
		.len = 0x7fffffff,
	};

	/* Our raw bytes must not interleave with a driver's request. */
	xenbus_stop_drivers();
	result(boot_ring_garbage(&hdr, sizeof(hdr), bad_index) == 0,
	       bad_index ? "garbage-index" : "garbage", "ring");
}

static void
op_flood(const char *count, const char *path)
{
	long sent;

	/* Our raw requests must not interleave with a driver's. */
	xenbus_stop_drivers();
	sent = boot_ring_flood(path, atol(count), 1000);
	if (sent < 0)
		fprintf(out, "flood %s: %s\n", count, errname(errno));
	else
		fprintf(out, "flood %s: %ld sent\n", count, sent);
}

static unsigned
num(const char *s)
{
	return (unsigned)strtoul(s, NULL, 0);
}

static void
op_control(struct words *wd)
{
	char data[1024], *d = data, *reply;
	int i;

	for (i = 2; i < wd->n; i++) {
		if ((size_t)(d - data) + strlen(wd->w[i]) + 1 > sizeof(data))
			break;
		d = stpcpy(d, wd->w[i]) + 1;
	}
	reply = xs_control_command(xsh, wd->w[1], data, (unsigned)(d - data));
	if (reply == NULL) {
		fprintf(out, "control %s: %s\n", wd->w[1], errname(errno));
		return;
	}
	fprintf(out, "control %s = %s\n", wd->w[1], reply);
	free(reply);
}

/* The operations that take a domain id as their first argument. */
static int
op_domain(struct words *wd)
{
	const char *op = wd->w[0];
	unsigned d = num(wd->w[1]);
	char *s;

	if (strcmp(op, "introduce") == 0 && wd->n == 4) {
		result(xs_introduce_domain(xsh, d, strtoul(wd->w[2], NULL, 0),
					   num(wd->w[3])),
		       op, wd->w[1]);
	} else if (strcmp(op, "release") == 0) {
		result(xs_release_domain(xsh, d), op, wd->w[1]);
	} else if (strcmp(op, "resume") == 0) {
		result(xs_resume_domain(xsh, d), op, wd->w[1]);
	} else if (strcmp(op, "set-target") == 0 && wd->n == 3) {
		result(xs_set_target(xsh, d, num(wd->w[2])), op, wd->w[1]);
	} else if (strcmp(op, "isintroduced") == 0) {
		/* libxenstore's false is also its error: "no" covers both. */
		fprintf(out, "%s %s = %s\n", op, wd->w[1],
			xs_is_domain_introduced(xsh, d) ? "yes" : "no");
	} else if (strcmp(op, "getdomainpath") == 0) {
		s = xs_get_domain_path(xsh, d);
		if (s == NULL)
			result(false, op, wd->w[1]);
		else
			fprintf(out, "%s %s = %s\n", op, wd->w[1], s);
		free(s);
	} else {
		return 0;
	}
	return 1;
}

static int run_words(struct words *wd);

/* Run the recorded block again in a new transaction; output buffered. */
static bool
replay_block(void)
{
	struct words wd;
	char copy[4096];
	unsigned i;

	txn = xs_transaction_start(xsh);
	if (txn == XBT_NULL)
		return false;
	replaying = true;
	for (i = 0; i < block_len; i++) {
		snprintf(copy, sizeof(copy), "%s", block[i]);
		if (split(copy, block[i], &wd) == 0 && wd.n > 0)
			run_words(&wd);
	}
	replaying = false;
	return true;
}

static void
block_output_reset(void)
{
	if (out != stdout)
		fclose(out);
	free(blockbuf);
	blockbuf = NULL;
	out = open_memstream(&blockbuf, &blockbuf_len);
	if (out == NULL)
		out = stdout;
}

/* Leave the block: print its output, then the closing line. */
static void
block_finish(const char *what, bool ok, int err)
{
	unsigned i;

	if (out != stdout)
		fclose(out);
	out = stdout;
	if (blockbuf != NULL)
		fwrite(blockbuf, 1, blockbuf_len, out);
	free(blockbuf);
	blockbuf = NULL;
	for (i = 0; i < block_len; i++)
		free(block[i]);
	block_len = 0;
	in_block = false;
	txn = XBT_NULL;
	if (ok)
		fprintf(out, "%s: OK\n", what);
	else
		fprintf(out, "%s: %s\n", what, errname(err));
}

static void
op_end(const char *op)
{
	bool abort = strcmp(op, "abort") == 0;
	bool retry = strcmp(op, "commit") == 0;
	bool ok;
	int attempt = 1, err;

	if (!in_block) {
		errno = EINVAL;
		result(false, op, "(no transaction)");
		return;
	}
	for (;;) {
		ok = xs_transaction_end(xsh, txn, abort);
		err = errno;
		if (ok || err != EAGAIN || !retry || attempt++ == TXN_ATTEMPTS)
			break;
		block_output_reset();
		if (!replay_block()) {
			err = errno;
			break;
		}
	}
	block_finish(abort ? "abort" : "commit", ok, err);
}

static void
op_begin(void)
{
	if (in_block) {
		errno = EBUSY;
		result(false, "begin", "(nested)");
		return;
	}
	txn = xs_transaction_start(xsh);
	if (txn == XBT_NULL) {
		fprintf(out, "begin: %s\n", errname(errno));
		return;
	}
	fprintf(out, "begin: OK\n");
	fflush(out);
	in_block = true;
	block_output_reset();
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sequential READs over the ring, with their latency percentiles. */
static void
op_bench_read(long count, const char *path)
{
	double *lat, start, t;
	unsigned len;
	long i;
	char *v;

	if (count <= 0 ||
	    (lat = malloc((size_t)count * sizeof(*lat))) == NULL) {
		fprintf(out, "bench-read: bad count\n");
		return;
	}
	start = now_us();
	for (i = 0; i < count; i++) {
		t = now_us();
		v = xs_read(xsh, txn, path, &len);
		lat[i] = now_us() - t;
		if (v == NULL) {
			fprintf(out, "bench-read %s: %s\n", path,
				errname(errno));
			free(lat);
			return;
		}
		free(v);
	}
	t = now_us() - start;
	qsort(lat, (size_t)count, sizeof(*lat), cmp_double);
	/* Start and end on the monotonic clock: several guests add up. */
	fprintf(out,
		"bench-read %ld: %.0f ops/s p50 %.1f p99 %.1f"
		" from %.0f to %.0f\n",
		count, count / (t / 1e6), lat[count / 2], lat[count * 99 / 100],
		start, start + t);
	free(lat);
}

/* Returns -1 to go on, or an exit status. */
static int
run_words(struct words *wd)
{
	const char *op = wd->w[0], *a1 = wd->n > 1 ? wd->w[1] : NULL;
	int n = wd->n;

	if (strcmp(op, "read") == 0 && n == 2) {
		unsigned len;
		char *v = xs_read(xsh, txn, a1, &len);

		if (v == NULL)
			fprintf(out, "read %s: %s\n", a1, errname(errno));
		else
			fprintf(out, "read %s = %.*s\n", a1, (int)len, v);
		free(v);
	} else if (strcmp(op, "write") == 0 && n >= 2) {
		const char *v = n > 2 ? wd->rest[2] : "";

		result(xs_write(xsh, txn, a1, v, (unsigned)strlen(v)), op, a1);
	} else if (strcmp(op, "mkdir") == 0 && n == 2) {
		result(xs_mkdir(xsh, txn, a1), op, a1);
	} else if (strcmp(op, "rm") == 0 && n == 2) {
		result(xs_rm(xsh, txn, a1), op, a1);
	} else if (strcmp(op, "dir") == 0 && n == 2) {
		op_dir(a1);
	} else if (strcmp(op, "getperms") == 0 && n == 2) {
		op_getperms(a1);
	} else if (strcmp(op, "setperms") == 0 && n >= 3) {
		op_setperms(wd);
	} else if ((strcmp(op, "watch") == 0 || strcmp(op, "unwatch") == 0) &&
		   n == 3) {
		bool ok = op[0] == 'w' ? xs_watch(xsh, a1, wd->w[2])
				       : xs_unwatch(xsh, a1, wd->w[2]);

		fprintf(out, "%s %s %s: %s\n", op, a1, wd->w[2],
			ok ? "OK" : errname(errno));
	} else if (strcmp(op, "wait") == 0 && n == 2) {
		return op_wait(a1);
	} else if (strcmp(op, "incr") == 0 && n == 2) {
		op_incr(a1);
	} else if (strcmp(op, "begin") == 0 && n == 1) {
		op_begin();
	} else if ((strcmp(op, "commit") == 0 || strcmp(op, "abort") == 0 ||
		    strcmp(op, "try-commit") == 0) &&
		   n == 1) {
		op_end(op);
	} else if (strcmp(op, "sleep") == 0 && n <= 2) {
		return op_sleep(wd);
	} else if (strcmp(op, "serve") == 0 && n == 1) {
		return op_serve();
	} else if (strcmp(op, "garbage") == 0 && n == 1) {
		op_garbage(false);
	} else if (strcmp(op, "garbage-index") == 0 && n == 1) {
		op_garbage(true);
	} else if (strcmp(op, "incr-loop") == 0 && n == 4) {
		if (incr_loop(xsh, out, atol(a1), wd->w[2], wd->w[3]) != 0)
			return 1;
	} else if (strcmp(op, "bench-read") == 0 && n == 3) {
		op_bench_read(atol(a1), wd->w[2]);
	} else if (strcmp(op, "flood") == 0 && n == 3) {
		op_flood(a1, wd->w[2]);
	} else if (strcmp(op, "control") == 0 && n >= 2) {
		op_control(wd);
	} else if (n >= 2 && op_domain(wd)) {
		/* done */
	} else if (strcmp(op, "domid") == 0 && n == 1) {
		fprintf(out, "domid %u\n", boot_domid());
	} else if (strcmp(op, "mark") == 0) {
		if (!replaying) {
			printf("%s\n", n > 1 ? wd->rest[1] : "");
			fflush(stdout);
		}
	} else if (strcmp(op, "echo") == 0) {
		fprintf(out, "%s\n", n > 1 ? wd->rest[1] : "");
	} else if (strcmp(op, "exit") == 0 && n <= 2) {
		return n == 2 ? atoi(a1) : 0;
	} else {
		fprintf(stderr, "xsim-guest: bad operation: %s", op);
		while (--n > 0)
			fprintf(stderr, " %s", wd->w[wd->n - n]);
		fprintf(stderr, "\n");
		return 2;
	}
	return -1;
}

void
script_init(struct xs_handle *h, unsigned timeout)
{
	struct sigaction sa = {.sa_handler = on_alarm};

	xsh = h;
	op_timeout = timeout;
	out = stdout;
	sigaction(SIGALRM, &sa, NULL);
}

int
script_line(const char *line)
{
	static char orig[4096];
	char copy[sizeof(orig)];
	struct words wd;
	size_t len = strlen(line);
	bool record;
	int r;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len >= sizeof(orig)) {
		fprintf(stderr, "xsim-guest: line too long\n");
		return 2;
	}
	memcpy(orig, line, len);
	orig[len] = '\0';
	memcpy(copy, orig, len + 1);
	if (split(copy, orig, &wd) < 0) {
		fprintf(stderr, "xsim-guest: too many words: %s\n", orig);
		return 2;
	}
	if (wd.n == 0 || wd.w[0][0] == '#')
		return -1;
	record = in_block && strcmp(wd.w[0], "commit") != 0 &&
		 strcmp(wd.w[0], "try-commit") != 0 &&
		 strcmp(wd.w[0], "abort") != 0;
	if (record) {
		if (block_len == BLOCK_MAX) {
			fprintf(stderr, "xsim-guest: transaction too long\n");
			return 2;
		}
		block[block_len] = strdup(orig);
		if (block[block_len++] == NULL)
			return 2;
	}
	cur_op_len = (size_t)snprintf(cur_op, sizeof(cur_op), "%s", wd.w[0]);
	if (cur_op_len >= sizeof(cur_op))
		cur_op_len = sizeof(cur_op) - 1;
	alarm(op_timeout);
	r = run_words(&wd);
	alarm(0);
	fflush(out);
	return r;
}

int
script_end(void)
{
	if (in_block) {
		xs_transaction_end(xsh, txn, true);
		block_finish("abort", true, 0);
	}
	fflush(stdout);
	return 0;
}
