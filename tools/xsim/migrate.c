/* SPDX-License-Identifier: MIT */
/*
 * Migration (migrate.h).  The words, all in the local tree of each host
 * (the agents carry them through etcd; tools/pool-agent/migrate.c):
 *
 *   source  /tool/pool/mig/out/<uuid> = "<req> <target> <deadline>\n
 *           <config>", written by `xsim migrate` once the guest is paused
 *   source  /tool/pool/migrate-result/<req> = "handed <target>" or
 *           "error: <why>" (the compare-and-swap), later "running
 *           <domid>" or "failed: <why>" (the target's report)
 *   target  /tool/pool/incoming/<uuid> = "<req> <source> <target>\n
 *           <config>", which the receiver takes (removes) and builds
 *   target  /tool/pool/mig/done/<uuid> = "<req> <source> running
 *           <domid>" or "<req> <source> failed: <why>", its report
 *
 * <config> is the guest's saved configuration (domcfg.h): the target
 * builds a new domain from it, with a new guest process started from
 * its kernel and arguments.  The guest's "state" carried over is its
 * configuration and /vm/<uuid>; the simulated guest has no memory worth
 * copying, and what it wrote in its home (~/data, ~/device) is the
 * host's, not the pool's, as in Xen, where a resumed guest writes it
 * again.  Its vifs keep their MAC addresses (saved at creation).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>

#include "config.h"
#include "create.h"
#include "dom.h"
#include "domcfg.h"
#include "host.h"
#include "migrate.h"
#include "pool.h"
#include "record.h"
#include "util.h"
#include "xenstore.h"

#define HANDOVER_TIMEOUT_MS 30000 /* the agent's compare-and-swap ... */
#define DEADLINE_S 20		  /* ... which it sends only this soon */
#define REBUILD_TIMEOUT_MS 60000  /* the target's build, devices included */
#define SETTLE_TRIES 3		  /* etcd asked directly, at most */
#define POLL_MS 20

static char *
read_node(struct xs_handle *xsh, const char *path)
{
	return xs_read(xsh, XBT_NULL, path, NULL);
}

/* Wait for path to hold something accept() takes; NULL at the timeout. */
static char *
wait_value(struct xs_handle *xsh, const char *path, int ms,
	   bool (*accept)(const char *))
{
	struct timespec tick = {0, POLL_MS * 1000 * 1000};
	char *v;

	for (; ms > 0; ms -= POLL_MS) {
		v = read_node(xsh, path);
		if (v != NULL && accept(v))
			return v;
		free(v);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

static bool
any(const char *v)
{
	return *v != '\0';
}

static bool
final(const char *v)
{
	return strncmp(v, "running", 7) == 0 || strncmp(v, "failed", 6) == 0;
}

/* Why the guest cannot leave, before anything is touched; NULL: it can. */
static const char *
refuse(struct xs_handle *xsh, const char *me, const char *target, char *buf,
       size_t len)
{
	char path[300], *v;

	if (me == NULL)
		return "this host is not in a pool (xsim start --pool)";
	if (*target == '\0' || strpbrk(target, "/ \t\n") != NULL)
		return "a host name has no '/' or blank";
	if (strcmp(me, target) == 0)
		return "it runs on that host already";
	snprintf(path, sizeof(path), "/tool/pool/hosts/%s", target);
	v = read_node(xsh, path);
	if (v == NULL) {
		snprintf(buf, len, "host %s is not alive in the pool", target);
		return buf;
	}
	free(v);
	return NULL;
}

/*
 * The request: "<req> <target> <deadline>\n<config>", malloc()ed.  The
 * deadline (seconds since the epoch, this host's clock) is informative
 * only: the agent never refuses a request for lateness, since it may be
 * in etcd already; the guest stays paused until etcd says (wait_answer).
 */
static char *
request(const char *req, const char *target, const char *cfg)
{
	size_t n = strlen(req) + strlen(target) + strlen(cfg) + 32;
	char *v = malloc(n);

	if (v != NULL)
		snprintf(v, n, "%s %s %lld\n%s", req, target,
			 (long long)time(NULL) + DEADLINE_S, cfg);
	return v;
}

/* The hand-over happened if the owner the agent mirrors is the target. */
static char *
mirror_says(struct xs_handle *xsh, const char *uuid, const char *target)
{
	char path[300], *owner;
	bool handed;

	snprintf(path, sizeof(path), "/tool/pool/owner/%s", uuid);
	owner = read_node(xsh, path);
	handed = owner != NULL && strcmp(owner, target) == 0;
	free(owner);
	return handed ? strdup("handed") : NULL;
}

/* How long the agent may take to answer: XSIM_MIGRATE_ANSWER_MS. */
static int
answer_ms(void)
{
	const char *e = getenv("XSIM_MIGRATE_ANSWER_MS");
	long v = e != NULL ? strtol(e, NULL, 10) : 0;

	return v > 0 && v < 3600000 ? (int)v : HANDOVER_TIMEOUT_MS;
}

/* A migration under way: what settling it needs. */
struct mig {
	const struct record *r;
	const char *me, *target, *req, *res_path;
	bool etcd;	 /* settled from etcd: the agent is not heard */
	char owner[256]; /* etcd's owner then ("-": none) */
};

/*
 * Ask etcd directly (pool_settle), a few times: a malloc'd answer in
 * the agent's words, with m->owner, or NULL if etcd did not answer.
 */
static char *
settle(struct mig *m)
{
	char res[700];
	int i;

	for (i = 0; i < SETTLE_TRIES; i++)
		if (pool_settle(m->me, m->r->uuid, m->req, m->target, m->owner,
				sizeof(m->owner), res, sizeof(res)) == 0) {
			m->etcd = true;
			return strdup(res);
		}
	return NULL;
}

/*
 * The agent's answer, or the hand-over seen in the owner's mirror, or
 * else etcd's: once sent, a request may land in etcd however late its
 * answer comes, so the guest is resumed only on etcd's word that the
 * hand-over did not happen.  When the agent is silent (dead, paused,
 * or restarted past the request's group), `xs-pool-agent --settle`
 * gets that word, and makes it final (pool.h).  NULL if neither the
 * agent nor etcd answered.
 */
static char *
wait_answer(struct xs_handle *xsh, struct mig *m)
{
	int ms = answer_ms();
	char *res = wait_value(xsh, m->res_path, ms, any);

	if (res == NULL)
		res = mirror_says(xsh, m->r->uuid, m->target);
	if (res != NULL)
		return res;
	fprintf(stderr,
		"xsim: %s: no answer from the pool agent in %g s: settling "
		"the request in etcd (see pool-agent.log)\n",
		m->r->name, ms / 1000.0);
	return settle(m);
}

/* Whether this host owns the guest: etcd's word if heard, else the mirror. */
static bool
owned_here(struct xs_handle *xsh, struct mig *m, char *owner, size_t len)
{
	char path[300], *o;

	if (m->etcd) {
		snprintf(owner, len, "%s", m->owner);
	} else {
		snprintf(path, sizeof(path), "/tool/pool/owner/%s", m->r->uuid);
		o = read_node(xsh, path);
		snprintf(owner, len, "%s", o != NULL ? o : "-");
		free(o);
	}
	return strcmp(owner, m->me) == 0;
}

/*
 * The target could not build the guest.  Its agent handed it back with
 * the report (one etcd revision; our agent writes the owner's mirror
 * before the report's note, on one connection, so the mirror is current
 * here): if this host owns it again, it resumes here; else the copy
 * here has no right to run and goes.
 */
static void
failed(struct xs_handle *xsh, struct mig *m, const char *report)
{
	char owner[256];
	bool back = owned_here(xsh, m, owner, sizeof(owner));

	if (back)
		dom_set_paused(m->r, false);
	else
		dom_destroy_migrated(m->r->name);
	util_errx("%s: host %s could not rebuild it (%s); %s %s in the pool",
		  m->r->name, m->target, report,
		  back ? "it runs here again, owned by"
		       : "its copy here is destroyed, owned by",
		  owner);
}

/* The target's report, waited for in bounded time: NULL if none came. */
static char *
wait_report(struct xs_handle *xsh, struct mig *m)
{
	char *v = NULL;
	int ms;

	for (ms = 0; v == NULL && ms < REBUILD_TIMEOUT_MS; ms += 1000) {
		v = wait_value(xsh, m->res_path, 1000, final);
		/* A silent agent's notes never come: etcd has the report. */
		if (v == NULL && (m->etcd || ms + 1000 >= REBUILD_TIMEOUT_MS) &&
		    (v = settle(m)) != NULL && !final(v)) {
			free(v);
			v = NULL;
		}
	}
	return v;
}

/*
 * After the hand-over: wait for the target, then destroy the copy.
 * Without a report, etcd names the target the owner all the same: the
 * copy goes, the target being the guest's home.
 */
static int
finish(struct xs_handle *xsh, struct mig *m, const char *res)
{
	char *v = final(res) ? strdup(res) : wait_report(xsh, m);
	char owner[256];
	int ret = -1;

	if (v == NULL && m->etcd) {
		owned_here(xsh, m, owner, sizeof(owner));
		dom_destroy_migrated(m->r->name);
		util_errx("%s: no report from host %s within %d s; the guest "
			  "is owned by %s in the pool: its copy here is "
			  "destroyed",
			  m->r->name, m->target, REBUILD_TIMEOUT_MS / 1000,
			  owner);
	} else if (v == NULL)
		util_errx("%s: no report from host %s within %d s, and etcd "
			  "did not answer; the guest stays paused here "
			  "(once etcd says it stayed here: xsim unpause %s)",
			  m->r->name, m->target, REBUILD_TIMEOUT_MS / 1000,
			  m->r->name);
	else if (strncmp(v, "failed", 6) == 0)
		failed(xsh, m, v);
	else if (dom_destroy_migrated(m->r->name) == 0)
		ret = 0;
	free(v);
	return ret;
}

int
migrate_out(const char *which, const char *target)
{
	struct xs_handle *xsh = xs_open(0);
	char why[300], req[128], path[300], res_path[300];
	char *me = NULL, *cfg = NULL, *v = NULL, *res = NULL;
	const char *no;
	struct record r;
	struct mig m = {0};
	uint32_t rnd = 0;
	int ret = -1;

	if (xsh == NULL) {
		util_err("cannot reach xenstored");
		return -1;
	}
	if (record_get(which, &r) < 0)
		goto out;
	me = read_node(xsh, "/tool/pool/host");
	if ((no = refuse(xsh, me, target, why, sizeof(why))) != NULL) {
		util_errx("cannot migrate %s to %s: %s", r.name, target, no);
		goto out;
	}
	if ((cfg = domcfg_load(r.name)) == NULL)
		goto out;
	if (getrandom(&rnd, sizeof(rnd), 0) < 0)
		rnd = (uint32_t)time(NULL);
	snprintf(req, sizeof(req), "%s-%ld-%08x", me, (long)getpid(), rnd);
	snprintf(path, sizeof(path), "/tool/pool/mig/out/%s", r.uuid);
	snprintf(res_path, sizeof(res_path), "/tool/pool/migrate-result/%s",
		 req);
	if ((v = request(req, target, cfg)) == NULL)
		goto out;
	dom_set_paused(&r, true);
	if (!xs_write(xsh, XBT_NULL, path, v, (unsigned)strlen(v))) {
		util_err("cannot write %s", path);
		dom_set_paused(&r, false);
		goto out;
	}
	m.r = &r;
	m.me = me;
	m.target = target;
	m.req = req;
	m.res_path = res_path;
	if ((res = wait_answer(xsh, &m)) == NULL) {
		util_errx("%s: neither the pool agent nor etcd answered; the "
			  "guest stays paused here, its hand-over unknown "
			  "(see pool-agent.log; once etcd says it stayed "
			  "here: xsim unpause %s)",
			  r.name, r.name);
		goto out;
	}
	if (strstr(res, "another migration won") != NULL) {
		/* That one has the guest paused, and takes it away. */
		util_errx("cannot migrate %s to %s: %s", r.name, target,
			  res + 7);
		goto out;
	}
	/* A fast target's report may replace "handed" before we read it. */
	if (strncmp(res, "handed", 6) != 0 && !final(res)) {
		dom_set_paused(&r, false);
		util_errx("cannot migrate %s to %s: %s; it keeps running here",
			  r.name, target,
			  res + (strncmp(res, "error: ", 7) == 0 ? 7 : 0));
		goto out;
	}
	ret = finish(xsh, &m, res);
out:
	if (res != NULL)
		xs_rm(xsh, XBT_NULL, res_path);
	free(me);
	free(cfg);
	free(v);
	free(res);
	xs_close(xsh);
	return ret;
}

/* --- the target's receiver --- */

/*
 * Build the guest in a child, its messages caught: the last line is the
 * reason a failure is reported with.  0 or -1 with why.
 */
static int
build(const char *uuid, const char *source, const char *cfg, char *why,
      size_t len)
{
	char src[300], buf[4096];
	const char *last;
	size_t n = 0;
	ssize_t k;
	int p[2], status;
	pid_t pid;

	snprintf(src, sizeof(src), "migration from %s", source);
	if (pipe(p) < 0) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		close(p[1]);
		_exit(create_from_text(cfg, src, uuid));
	}
	close(p[1]);
	while (pid > 0 && (k = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0) {
		fwrite(buf + n, 1, (size_t)k, stderr); /* our log */
		n += (size_t)k;
		if (n > sizeof(buf) / 2) {
			memmove(buf, buf + n / 2, n - n / 2);
			n -= n / 2;
		}
	}
	close(p[0]);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	last = strrchr(buf, '\n') ? strrchr(buf, '\n') + 1 : buf;
	n = strlen(last) < len ? strlen(last) : len - 1;
	memcpy(why, last, n);
	why[n] = '\0';
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		if (why[0] == '\0')
			snprintf(why, len, "the build failed");
		return -1;
	}
	return 0;
}

/* The domain id of the guest named in cfg, once built; -1 if none. */
static long
built_domid(const char *cfg)
{
	struct config *c = malloc(sizeof(*c));
	struct record r;
	char err[256];
	long id = -1;

	if (c == NULL)
		return -1;
	config_init(c);
	if (config_parse(c, cfg, "config", false, err, sizeof(err)) == 0 &&
	    record_read(c->name, &r) == 0)
		id = r.domid;
	free(c);
	return id;
}

struct by_uuid {
	const char *uuid;
	long domid;
};

static int
match_uuid(const struct record *r, void *arg)
{
	struct by_uuid *b = arg;

	if (strcmp(r->uuid, b->uuid) != 0)
		return 0;
	b->domid = r->domid;
	return 1;
}

static void
receive_one(struct xs_handle *xsh, const char *uuid)
{
	struct by_uuid here = {uuid, -1};
	char path[300], req[128], src[256], why[512], report[1024];
	char *v, *cfg;

	snprintf(path, sizeof(path), "/tool/pool/incoming/%s", uuid);
	v = read_node(xsh, path);
	/* Taken (removed) first: a restarted receiver never builds twice. */
	if (v == NULL || !xs_rm(xsh, XBT_NULL, path)) {
		free(v);
		return;
	}
	cfg = strchr(v, '\n');
	if (cfg == NULL || sscanf(v, "%127s %255s", req, src) != 2) {
		fprintf(stderr, "xsim: %s: not a migration request\n", path);
		free(v);
		return;
	}
	cfg++;
	fprintf(stderr, "xsim: migration %s: guest %s from %s\n", req, uuid,
		src);
	/* Noted again by an agent restarted before our report went out. */
	record_foreach(match_uuid, &here);
	if (here.domid >= 0)
		snprintf(report, sizeof(report), "%s %s running %ld", req, src,
			 here.domid);
	else if (build(uuid, src, cfg, why, sizeof(why)) == 0)
		snprintf(report, sizeof(report), "%s %s running %ld", req, src,
			 built_domid(cfg));
	else
		snprintf(report, sizeof(report), "%s %s failed: %s", req, src,
			 why);
	fprintf(stderr, "xsim: migration %s: %s\n", req,
		strchr(strchr(report, ' ') + 1, ' ') + 1);
	snprintf(path, sizeof(path), "/tool/pool/mig/done/%s", uuid);
	if (!xs_write(xsh, XBT_NULL, path, report, (unsigned)strlen(report)))
		fprintf(stderr, "xsim: cannot write %s: %s\n", path,
			strerror(errno));
	free(v);
}

int
migrate_receive(void)
{
	struct xs_handle *xsh = xs_open(0);
	char **ents, **ev;
	unsigned n, i;

	if (xsh == NULL || !xs_watch(xsh, "/tool/pool/incoming", "in")) {
		util_err("cannot watch /tool/pool/incoming");
		return -1;
	}
	while ((ev = xs_read_watch(xsh, &n)) != NULL) {
		free(ev);
		ents = xs_directory(xsh, XBT_NULL, "/tool/pool/incoming", &n);
		for (i = 0; ents != NULL && i < n; i++)
			receive_one(xsh, ents[i]);
		free(ents);
	}
	util_err("lost xenstored");
	return -1;
}
