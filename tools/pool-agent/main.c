/* SPDX-License-Identifier: MIT */
/*
 * xs-pool-agent: options, the loop, signals, and the helpers the three
 * flows share (agent.h).
 *
 *	xs-pool-agent --host NAME --etcd URL[,URL...] [--prefix P] [--ttl S]
 *		[--socket PATH] [--cacert F --cert F --key F]
 *		[--user U --password-file F]
 *	xs-pool-agent --host NAME --etcd ... --settle UUID REQ TARGET
 *		(xsim's last resort for a migration request: settle.c)
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"

static void
usage(void)
{
	fprintf(stderr,
		"usage: xs-pool-agent --host NAME --etcd URL[,URL...] "
		"[--prefix P] [--ttl SECONDS]\n"
		"       [--socket PATH] [--cacert FILE] [--cert FILE --key "
		"FILE]\n"
		"       [--user NAME --password-file FILE]\n"
		"       [--settle UUID REQUEST TARGET]\n");
	exit(2);
}

void
agent_log(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "xs-pool-agent[%ld.%03ld]: ", (long)ts.tv_sec,
		ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- maps --- */

int
kent_cmp(const struct kent *x, const struct kent *y)
{
	return strcmp(x->key, y->key);
}

RB_GENERATE(kmap, kent, link, kent_cmp)

struct kent *
kmap_get(struct kmap *m, const char *key)
{
	struct kent k = {.key = (char *)(uintptr_t)key};

	return RB_FIND(kmap, m, &k);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		agent_log("out of memory");
		abort();
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t l = strlen(s) + 1;

	return memcpy(xmalloc(l), s, l);
}

void
kmap_set(struct kmap *m, const char *key, int64_t mod, const char *value)
{
	struct kent *e = kmap_get(m, key);

	if (e == NULL) {
		e = xmalloc(sizeof(*e));
		memset(e, 0, sizeof(*e));
		e->key = xstrdup(key);
		RB_INSERT(kmap, m, e);
	}
	e->mod = mod;
	free(e->value);
	e->value = value ? xstrdup(value) : NULL;
}

static void
kent_free(struct kent *e)
{
	free(e->key);
	free(e->value);
	free(e);
}

void
kmap_del(struct kmap *m, const char *key)
{
	struct kent *e = kmap_get(m, key);

	if (e) {
		RB_REMOVE(kmap, m, e);
		kent_free(e);
	}
}

void
kmap_clear(struct kmap *m)
{
	struct kent *e;

	while ((e = RB_MIN(kmap, m)) != NULL) {
		RB_REMOVE(kmap, m, e);
		kent_free(e);
	}
}

/* --- paths and keys --- */

char *
vm_uuid(const char *path)
{
	const char *s, *e;
	char *u;

	if (strncmp(path, "/vm/", 4) != 0)
		return NULL;
	s = path + 4;
	e = strchr(s, '/');
	if (e == NULL)
		e = s + strlen(s);
	if (e == s)
		return NULL;
	u = xmalloc((size_t)(e - s) + 1);
	memcpy(u, s, (size_t)(e - s));
	u[e - s] = '\0';
	return u;
}

bool
agent_owns(struct agent *a, const char *path)
{
	char *u = vm_uuid(path);
	struct kent *o;
	bool mine;

	if (u == NULL)
		return true; /* /pool, and /vm itself */
	o = kmap_get(&a->owners, u);
	mine = o == NULL || strcmp(o->value, a->host) == 0;
	free(u);
	return mine;
}

char *
data_key(struct agent *a, const char *path)
{
	size_t l = strlen(a->data_pfx);
	char *k = xmalloc(l + strlen(path) + 1);

	memcpy(k, a->data_pfx, l);
	strcpy(k + l, path);
	return k;
}

const char *
key_path(struct agent *a, const char *key)
{
	size_t l = strlen(a->data_pfx);

	if (strncmp(key, a->data_pfx, l) != 0 || key[l] != '/')
		return NULL;
	return key + l;
}

void
changes_free(struct change *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].value);
	}
	free(v);
}

void
group_free(struct group *g)
{
	if (g) {
		changes_free(g->v, g->n);
		free(g);
	}
}

void
agent_owner(struct agent *a, const char *uuid, const char *host)
{
	char path[300];

	snprintf(path, sizeof(path), "/tool/pool/owner/%s", uuid);
	if (host == NULL) {
		kmap_del(&a->owners, uuid);
		xsc_sendv(a->xs, XS_RM, 0, NULL, NULL, path, NULL);
		return;
	}
	kmap_set(&a->owners, uuid, 0, host);
	xsc_write(a->xs, 0, path, host, strlen(host), NULL, NULL);
}

bool
agent_shared(const char *p)
{
	return strcmp(p, "/pool") == 0 || strncmp(p, "/pool/", 6) == 0 ||
	       strcmp(p, "/vm") == 0 || strncmp(p, "/vm/", 4) == 0;
}

void
agent_host_key(struct agent *a, const char *key, bool alive)
{
	size_t l = strlen(a->hosts_pfx), n;
	char path[512];

	if (strncmp(key, a->hosts_pfx, l) != 0)
		return;
	key += l;
	n = strcspn(key, "/");
	if (strcmp(key + n, "/alive") != 0 || n == 0 || n > 256)
		return;
	snprintf(path, sizeof(path), "/tool/pool/hosts/%.*s", (int)n, key);
	if (alive)
		xsc_write(a->xs, 0, path, "alive", 5, NULL, NULL);
	else
		xsc_sendv(a->xs, XS_RM, 0, NULL, NULL, path, NULL);
}

/* --- JSON --- */

void
j_key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

void
j_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void
j_b64(yajl_gen g, const void *data, size_t len)
{
	char *s = etcd_b64(data, len);

	if (s == NULL) {
		agent_log("out of memory");
		abort();
	}
	j_str(g, s);
	free(s);
}

void
j_int(yajl_gen g, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	j_str(g, buf);
}

void
j_range_end(yajl_gen g, const char *prefix)
{
	size_t l = strlen(prefix);
	char *e = xstrdup(prefix);

	/* The prefix's last byte + 1: every key that starts with it. */
	e[l - 1]++;
	j_b64(g, e, l);
	free(e);
}

char *
j_done(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	char *s;

	yajl_gen_get_buf(g, &buf, &len);
	s = xmalloc(len + 1);
	memcpy(s, buf, len);
	s[len] = '\0';
	yajl_gen_free(g);
	return s;
}

/* --- the loop --- */

static struct agent agent;

static void
revoked(void *arg, int err, yajl_val json, const char *msg)
{
	struct agent *a = arg;

	(void)json;
	if (err)
		agent_log("revoking the lease: %s", msg);
	event_base_loopexit(a->base, NULL);
}

static void
agent_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct agent *a = arg;

	(void)what;
	agent_log("signal %d: stopping (published %lu groups, %lu not: lost to "
		  "newer writes or refused; applied %lu revisions)",
		  (int)sig, a->published, a->lost, a->applied_n);
	a->phase = PH_STOP;
	/* Leave the pool at once: revoke the lease (a second at most). */
	if (a->lease) {
		struct timeval tv = {1, 0};
		char body[64];

		snprintf(body, sizeof(body), "{\"ID\":\"%lld\"}",
			 (long long)a->lease);
		if (etcd_call(a->etcd, "/v3/lease/revoke", body, revoked, a) ==
		    0) {
			event_base_loopexit(a->base, &tv);
			return;
		}
	}
	event_base_loopexit(a->base, NULL);
}

static char *
read_secret(const char *file)
{
	char buf[256];
	FILE *f = fopen(file, "r");

	if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
		fprintf(stderr, "xs-pool-agent: cannot read %s: %s\n", file,
			strerror(errno));
		exit(1);
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"host", required_argument, NULL, 'h'},
		{"etcd", required_argument, NULL, 'e'},
		{"prefix", required_argument, NULL, 'p'},
		{"ttl", required_argument, NULL, 't'},
		{"socket", required_argument, NULL, 's'},
		{"cacert", required_argument, NULL, 'C'},
		{"cert", required_argument, NULL, 'c'},
		{"key", required_argument, NULL, 'k'},
		{"user", required_argument, NULL, 'u'},
		{"password-file", required_argument, NULL, 'P'},
		{"settle", no_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	struct etcd_opts eo = {0};
	struct agent *a = &agent;
	struct event *sigs[2];
	const char *cause;
	char *end;
	bool settle = false;
	int c;

	a->prefix = "/xenstore";
	a->ttl = 5;
	a->socket = getenv("XENSTORED_PATH");
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			a->host = optarg;
			break;
		case 'e':
			eo.endpoints = optarg;
			break;
		case 'p':
			a->prefix = optarg;
			break;
		case 't':
			a->ttl = strtol(optarg, &end, 10);
			if (*end || a->ttl < 2 || a->ttl > 3600)
				usage();
			break;
		case 's':
			a->socket = optarg;
			break;
		case 'C':
			eo.cacert = optarg;
			break;
		case 'c':
			eo.cert = optarg;
			break;
		case 'k':
			eo.key = optarg;
			break;
		case 'u':
			eo.user = optarg;
			break;
		case 'P':
			eo.password = read_secret(optarg);
			break;
		case 'S':
			settle = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - (settle ? 3 : 0) || a->host == NULL ||
	    eo.endpoints == NULL)
		usage();
	if (a->host[0] == '\0' || strchr(a->host, '/') || a->prefix[0] != '/' ||
	    a->prefix[strlen(a->prefix) - 1] == '/') {
		fprintf(stderr, "xs-pool-agent: a host name has no '/'; a "
				"prefix starts with '/' and does not end "
				"with one\n");
		return 2;
	}
	if (a->socket == NULL)
		a->socket = "/var/run/xenstored/socket";
	signal(SIGPIPE, SIG_IGN);
	a->base = event_base_new();
	if (a->base == NULL)
		return 1;
	a->etcd = etcd_new(a->base, &eo, &cause);
	if (a->etcd == NULL) {
		fprintf(stderr, "xs-pool-agent: %s\n", cause);
		return 2;
	}
	if (settle)
		return settle_run(a, argv[optind], argv[optind + 1],
				  argv[optind + 2]);
	sigs[0] = evsignal_new(a->base, SIGTERM, agent_signal_cb, a);
	sigs[1] = evsignal_new(a->base, SIGINT, agent_signal_cb, a);
	event_add(sigs[0], NULL);
	event_add(sigs[1], NULL);
	RB_INIT(&a->kmod);
	RB_INIT(&a->owners);
	STAILQ_INIT(&a->kupds);
	STAILQ_INIT(&a->revs);
	STAILQ_INIT(&a->verdicts);
	sync_start(a);
	event_base_dispatch(a->base);
	return a->phase == PH_STOP ? 0 : 1;
}
