/* SPDX-License-Identifier: MIT */
/*
 * etcd's JSON gateway over libcurl's multi interface (etcd.h).  The
 * glue follows curl's hiperfifo example: CURLMOPT_SOCKETFUNCTION keeps
 * one libevent event per socket curl wants watched, CURLMOPT_TIMERFUNCTION
 * one timer; both call curl_multi_socket_action, and finished transfers
 * are collected from curl_multi_info_read.
 *
 * A unary call that fails to reach its endpoint (connect refused or timed
 * out, connection dropped before a reply) moves every later call to the
 * next endpoint and is retried there, at most once per endpoint.  A reply
 * is what etcd answered: an HTTP error carries etcd's JSON error, whose
 * message is passed on.  A watch is a POST whose reply never ends: each
 * newline-terminated JSON object is one message.
 */
#include <curl/curl.h>
#include <yajl/yajl_gen.h>
#include <errno.h>
#include <event2/event.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd.h"

/* A watch stream's line can be a catch-up batch: allow a lot. */
#define LINE_MAX_BYTES (64u << 20)

struct sock {
	struct event *ev;
	curl_socket_t fd;
};

struct etcd {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	char **eps;
	unsigned neps, cur;
	struct etcd_opts o;
	char *token;
	bool authing;
	struct call *waiting; /* calls held while a token is fetched */
};

struct call {
	struct etcd *e;
	CURL *h;
	struct curl_slist *hdrs;
	char *path, *body;
	char *buf;
	size_t len, cap;
	unsigned tries;
	long timeout_ms;
	/* unary */
	etcd_fn *fn;
	/* watch */
	struct etcd_watch *w;
	bool auth; /* the token request itself */
	struct call *next;
	char errbuf[CURL_ERROR_SIZE];
};

struct etcd_watch {
	struct call *c;
	etcd_msg_fn *msg;
	etcd_end_fn *end;
	void *arg;
};

static void *call_arg(struct call *c);
static int start(struct call *c);

/* --- libcurl on libevent --- */

static void check_done(struct etcd *e);

static void
etcd_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct etcd *e = arg;
	int running, flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(e->multi, fd, flags, &running);
	check_done(e);
}

static void
etcd_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct etcd *e = arg;
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(e);
}

static int
socket_fn(CURL *h, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct etcd *e = userp;
	struct sock *s = socketp;
	short kind;

	(void)h;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			event_free(s->ev);
			free(s);
			curl_multi_assign(e->multi, fd, NULL);
		}
		return 0;
	}
	kind = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) |
	       (what & CURL_POLL_OUT ? EV_WRITE : 0);
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->fd = fd;
		curl_multi_assign(e->multi, fd, s);
	} else {
		event_free(s->ev);
	}
	s->ev = event_new(e->base, fd, kind, etcd_sock_cb, e);
	if (s->ev == NULL)
		return -1;
	return event_add(s->ev, NULL);
}

static int
timer_fn(CURLM *m, long ms, void *userp)
{
	struct etcd *e = userp;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	(void)m;
	if (ms < 0)
		return event_del(e->timer);
	return evtimer_add(e->timer, &tv);
}

/* --- calls --- */

static size_t write_fn(char *p, size_t size, size_t n, void *arg);

static void
free_call(struct call *c)
{
	if (c->h) {
		curl_multi_remove_handle(c->e->multi, c->h);
		curl_easy_cleanup(c->h);
	}
	curl_slist_free_all(c->hdrs);
	free(c->path);
	free(c->body);
	free(c->buf);
	free(c);
}

static int
start(struct call *c)
{
	struct etcd *e = c->e;
	char url[1024], auth[1200];

	if (c->h) {
		curl_multi_remove_handle(e->multi, c->h);
		curl_easy_cleanup(c->h);
		curl_slist_free_all(c->hdrs);
		c->hdrs = NULL;
	}
	c->len = 0;
	if ((c->h = curl_easy_init()) == NULL)
		return -1;
	snprintf(url, sizeof(url), "%s%s", e->eps[e->cur], c->path);
	c->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (e->token && !c->auth) {
		snprintf(auth, sizeof(auth), "Authorization: %s", e->token);
		c->hdrs = curl_slist_append(c->hdrs, auth);
	}
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, c->body);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, write_fn);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->h, CURLOPT_PRIVATE, c);
	curl_easy_setopt(c->h, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
	if (c->w == NULL)
		curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	else {
		/* A watch lives on: a dead peer shows as no progress. */
		curl_easy_setopt(c->h, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(c->h, CURLOPT_TCP_KEEPIDLE, 2L);
		curl_easy_setopt(c->h, CURLOPT_TCP_KEEPINTVL, 1L);
	}
	if (e->o.cacert)
		curl_easy_setopt(c->h, CURLOPT_CAINFO, e->o.cacert);
	if (e->o.cert)
		curl_easy_setopt(c->h, CURLOPT_SSLCERT, e->o.cert);
	if (e->o.key)
		curl_easy_setopt(c->h, CURLOPT_SSLKEY, e->o.key);
	c->errbuf[0] = '\0';
	if (curl_multi_add_handle(e->multi, c->h) != CURLM_OK)
		return -1;
	return 0;
}

static size_t
write_fn(char *p, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	size_t add = size * n, i, lstart;
	char *nb;

	if (c->len + add + 1 > c->cap) {
		size_t cap = (c->len + add + 1) * 2;

		if (cap > LINE_MAX_BYTES || (nb = realloc(c->buf, cap)) == NULL)
			return 0; /* curl fails the transfer */
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, p, add);
	c->len += add;
	c->buf[c->len] = '\0';
	if (c->w == NULL)
		return add;
	/* A watch: hand on each whole line. */
	lstart = 0;
	for (i = 0; i < c->len; i++) {
		yajl_val v, r;

		if (c->buf[i] != '\n')
			continue;
		c->buf[i] = '\0';
		v = yajl_tree_parse(c->buf + lstart, NULL, 0);
		lstart = i + 1;
		if (v == NULL)
			continue;
		r = etcd_get(v, "result");
		if (r)
			c->w->msg(c->w->arg, r);
		yajl_tree_free(v);
	}
	memmove(c->buf, c->buf + lstart, c->len - lstart);
	c->len -= lstart;
	c->buf[c->len] = '\0';
	return add;
}

static bool
unreachable(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
	       rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
	       rc == CURLE_SEND_ERROR || rc == CURLE_COULDNT_RESOLVE_HOST;
}

static void authenticate(struct etcd *e);

static void
finish(struct call *c, CURLcode rc)
{
	struct etcd *e = c->e;
	const char *msg = NULL;
	yajl_val v = NULL;
	long http = 0;
	int err = 0;

	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &http);
	if (rc != CURLE_OK && unreachable(rc) && c->w == NULL &&
	    ++c->tries < e->neps) {
		/* Move on: later calls too go to the next endpoint. */
		e->cur = (e->cur + 1) % e->neps;
		if (start(c) == 0)
			return;
	}
	if (rc != CURLE_OK) {
		err = rc == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT
		      : unreachable(rc)		     ? ECONNREFUSED
						     : EIO;
		msg = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
		if (unreachable(rc))
			e->cur = (e->cur + 1) % e->neps;
	} else if ((v = yajl_tree_parse(c->buf ? c->buf : "", NULL, 0)) ==
		   NULL) {
		err = EPROTO;
		snprintf(c->errbuf, sizeof(c->errbuf),
			 "HTTP %ld from %s, not etcd's JSON: is it etcd's "
			 "client URL?",
			 http, e->eps[e->cur]);
		msg = c->errbuf;
	} else if (http != 200 || etcd_get(v, "error")) {
		msg = etcd_str(v, "error");
		if (!*msg)
			msg = etcd_str(v, "message");
		err = EREMOTEIO;
		if (strstr(msg, "too large") || strstr(msg, "too many"))
			err = E2BIG;
		else if (http == 401 || strstr(msg, "token") ||
			 strstr(msg, "permission denied") ||
			 strstr(msg, "authentication"))
			err = EACCES;
		if (err == EACCES && e->o.user && strstr(msg, "token") &&
		    !c->auth) {
			free(e->token);
			e->token = NULL;
		}
	}
	if (c->w) {
		struct etcd_watch *w = c->w;

		w->c = NULL;
		w->end(w->arg, err ? err : EPIPE,
		       msg ? msg : "the watch stream ended");
		free(w);
	} else if (c->fn) {
		c->fn(call_arg(c), err, v, msg);
	}
	yajl_tree_free(v);
	free_call(c);
	if (e->o.user && e->token == NULL && !e->authing)
		authenticate(e);
}

static void
check_done(struct etcd *e)
{
	CURLMsg *m;
	int left;
	struct call *c;

	while ((m = curl_multi_info_read(e->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
				  (char **)&c);
		finish(c, m->data.result);
	}
}

/* The caller's argument rides after the call (see new_call). */
struct call_with_arg {
	struct call c;
	void *arg;
};

static void *
call_arg(struct call *c)
{
	return ((struct call_with_arg *)c)->arg;
}

static struct call *
new_call(struct etcd *e, const char *path, const char *body, void *arg)
{
	struct call_with_arg *ca = calloc(1, sizeof(*ca));

	if (ca == NULL)
		return NULL;
	ca->arg = arg;
	ca->c.e = e;
	ca->c.timeout_ms = e->o.timeout_ms;
	ca->c.path = strdup(path);
	ca->c.body = strdup(body);
	if (!ca->c.path || !ca->c.body) {
		free_call(&ca->c);
		return NULL;
	}
	return &ca->c;
}

/* Start c now, or after the token arrives. */
static int
launch(struct call *c)
{
	struct etcd *e = c->e;

	if (e->o.user && e->token == NULL && !c->auth) {
		c->next = e->waiting;
		e->waiting = c;
		if (!e->authing)
			authenticate(e);
		return 0;
	}
	if (start(c) != 0) {
		free_call(c);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static void
auth_done(void *arg, int err, yajl_val json, const char *msg)
{
	struct etcd *e = arg;
	struct call *c, *list;

	e->authing = false;
	if (err == 0 && *etcd_str(json, "token"))
		e->token = strdup(etcd_str(json, "token"));
	list = e->waiting;
	e->waiting = NULL;
	while ((c = list) != NULL) {
		list = c->next;
		c->next = NULL;
		if (e->token == NULL) {
			/* Fail them: the caller retries later. */
			if (c->w) {
				c->w->c = NULL;
				c->w->end(c->w->arg, EACCES, msg);
				free(c->w);
			} else if (c->fn)
				c->fn(call_arg(c), EACCES, NULL,
				      msg ? msg : "authentication failed");
			free_call(c);
		} else if (start(c) != 0) {
			free_call(c);
		}
	}
}

static void
authenticate(struct etcd *e)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	struct call *c;

	if (g == NULL)
		return;
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)"name", 4);
	yajl_gen_string(g, (const unsigned char *)e->o.user, strlen(e->o.user));
	yajl_gen_string(g, (const unsigned char *)"password", 8);
	yajl_gen_string(g, (const unsigned char *)e->o.password,
			strlen(e->o.password));
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	c = new_call(e, "/v3/auth/authenticate", (const char *)buf, e);
	yajl_gen_free(g);
	if (c == NULL)
		return;
	c->auth = true;
	c->fn = auth_done;
	e->authing = true;
	if (start(c) != 0) {
		e->authing = false;
		free_call(c);
	}
}

int
etcd_call(struct etcd *e, const char *path, const char *body, etcd_fn *fn,
	  void *arg)
{
	struct call *c = new_call(e, path, body, arg);

	if (c == NULL)
		return -1;
	c->fn = fn;
	return launch(c);
}

struct etcd_watch *
etcd_watch(struct etcd *e, const char *body, etcd_msg_fn *msg, etcd_end_fn *end,
	   void *arg)
{
	struct etcd_watch *w = calloc(1, sizeof(*w));
	struct call *c;

	if (w == NULL)
		return NULL;
	if ((c = new_call(e, "/v3/watch", body, NULL)) == NULL) {
		free(w);
		return NULL;
	}
	w->c = c;
	w->msg = msg;
	w->end = end;
	w->arg = arg;
	c->w = w;
	if (launch(c) != 0) {
		free(w);
		return NULL;
	}
	return w;
}

void
etcd_watch_cancel(struct etcd_watch *w)
{
	struct etcd *e;
	struct call **pp;

	if (w == NULL)
		return;
	if (w->c) {
		e = w->c->e;
		for (pp = &e->waiting; *pp; pp = &(*pp)->next)
			if (*pp == w->c) {
				*pp = w->c->next;
				break;
			}
		free_call(w->c);
	}
	free(w);
}

const char *
etcd_endpoint(const struct etcd *e)
{
	return e->eps[e->cur];
}

struct etcd *
etcd_new(struct event_base *base, const struct etcd_opts *o, const char **cause)
{
	struct etcd *e;
	char *list, *tok, *save = NULL;

	*cause = "out of memory";
	if (o->endpoints == NULL || *o->endpoints == '\0') {
		*cause = "no etcd endpoint given";
		return NULL;
	}
	if ((o->cert == NULL) != (o->key == NULL)) {
		*cause = "a client certificate needs its key, and a key its "
			 "certificate";
		return NULL;
	}
	if (o->user && o->password == NULL) {
		*cause = "a user needs a password";
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->base = base;
	e->o = *o;
	if (e->o.timeout_ms <= 0)
		e->o.timeout_ms = 3000;
	if ((list = strdup(o->endpoints)) == NULL)
		goto fail;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char **n = realloc(e->eps, (e->neps + 1) * sizeof(*n));

		if (n == NULL)
			goto fail;
		e->eps = n;
		if (strncmp(tok, "http://", 7) && strncmp(tok, "https://", 8)) {
			*cause = "an endpoint must be an http:// or https:// "
				 "URL";
			goto fail;
		}
		if ((e->eps[e->neps] = strdup(tok)) == NULL)
			goto fail;
		/* No trailing slash: paths start with one. */
		if (tok[strlen(tok) - 1] == '/')
			e->eps[e->neps][strlen(tok) - 1] = '\0';
		e->neps++;
	}
	free(list);
	list = NULL;
	if (e->neps == 0) {
		*cause = "no etcd endpoint given";
		goto fail;
	}
	e->multi = curl_multi_init();
	e->timer = evtimer_new(base, etcd_timer_cb, e);
	if (e->multi == NULL || e->timer == NULL)
		goto fail;
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, socket_fn);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, timer_fn);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
	return e;
fail:
	free(list);
	etcd_free(e);
	return NULL;
}

void
etcd_free(struct etcd *e)
{
	unsigned i;

	if (e == NULL)
		return;
	if (e->multi)
		curl_multi_cleanup(e->multi);
	if (e->timer)
		event_free(e->timer);
	for (i = 0; i < e->neps; i++)
		free(e->eps[i]);
	free(e->eps);
	free(e->token);
	free(e);
}

/* --- JSON and base64 --- */

char *
etcd_b64(const void *data, size_t len)
{
	char *s = malloc(4 * ((len + 2) / 3) + 1);

	if (s)
		EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	return s;
}

char *
etcd_unb64(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *out;
	int r;

	if (n % 4)
		return NULL;
	if ((out = malloc(n / 4 * 3 + 1)) == NULL)
		return NULL;
	r = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s,
			    (int)n);
	if (r < 0) {
		free(out);
		return NULL;
	}
	/* DecodeBlock counts the padding as zero bytes. */
	if (n && s[n - 1] == '=')
		r--;
	if (n > 1 && s[n - 2] == '=')
		r--;
	out[r] = '\0';
	*len = (size_t)r;
	return out;
}

yajl_val
etcd_get(yajl_val v, const char *key)
{
	const char *path[] = {key, NULL};

	return v && YAJL_IS_OBJECT(v) ? yajl_tree_get(v, path, yajl_t_any)
				      : NULL;
}

const char *
etcd_str(yajl_val v, const char *key)
{
	yajl_val f = etcd_get(v, key);

	return f && YAJL_IS_STRING(f) ? f->u.string : "";
}

int64_t
etcd_int(yajl_val v, const char *key)
{
	yajl_val f = etcd_get(v, key);

	if (f && YAJL_IS_STRING(f))
		return strtoll(f->u.string, NULL, 10);
	if (f && YAJL_IS_INTEGER(f))
		return YAJL_GET_INTEGER(f);
	return 0;
}

bool
etcd_bool(yajl_val v, const char *key)
{
	yajl_val f = etcd_get(v, key);

	return f && YAJL_IS_TRUE(f);
}
