/* SPDX-License-Identifier: MIT */
/*
 * etcd 3.4's v3 JSON gateway from the agent's libevent loop: libcurl's
 * multi interface on the loop's sockets and timers (no threads, no
 * polling), yajl for the replies.  Calls go to one endpoint at a time;
 * when it cannot be reached, the next one is tried, each once, before the
 * call fails.  Optional TLS (CA, client certificate and key) and token
 * authentication (a user and password: the token is fetched first and
 * again when etcd says it is invalid).  reference/pool.md has the
 * gateway's facts this relies on.
 */
#ifndef ETCD_H
#define ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

struct event_base;
struct etcd;
struct etcd_watch;

struct etcd_opts {
	const char *endpoints; /* comma separated URLs */
	const char *cacert, *cert, *key;
	const char *user, *password;
	long timeout_ms; /* of a unary call */
};

/*
 * The reply of a call: err 0 and the parsed JSON (valid during the
 * callback), or an errno (ECONNREFUSED: no endpoint answered;
 * ETIMEDOUT; EACCES: authentication; EPROTO: not JSON; EREMOTEIO: etcd's
 * error, msg says which; E2BIG: the request was too large for etcd) and
 * msg, a message for humans.
 */
typedef void etcd_fn(void *arg, int err, yajl_val json, const char *msg);
/* A watch's message (the "result" object), and its end. */
typedef void etcd_msg_fn(void *arg, yajl_val result);
typedef void etcd_end_fn(void *arg, int err, const char *msg);

/* NULL with *cause set (a static message) if the options are wrong. */
struct etcd *etcd_new(struct event_base *base, const struct etcd_opts *o,
		      const char **cause);
void etcd_free(struct etcd *e);

/* POST body (JSON) to path ("/v3/kv/txn"); 0 or -1 (ENOMEM). */
int etcd_call(struct etcd *e, const char *path, const char *body, etcd_fn *fn,
	      void *arg);

/* Open a watch stream with the create request body; NULL on ENOMEM. */
struct etcd_watch *etcd_watch(struct etcd *e, const char *body,
			      etcd_msg_fn *msg, etcd_end_fn *end, void *arg);
/* Stop it; its end callback is not called. */
void etcd_watch_cancel(struct etcd_watch *w);

/* The endpoint calls go to now. */
const char *etcd_endpoint(const struct etcd *e);

/* base64 of (data, len) as a malloc'd string; NULL on ENOMEM. */
char *etcd_b64(const void *data, size_t len);
/* Decode s; a malloc'd buffer (NUL added) and *len, NULL if invalid. */
char *etcd_unb64(const char *s, size_t *len);

/* A field of object v, or NULL/""/0/false when absent. */
const char *etcd_str(yajl_val v, const char *key);
/* etcd's int64 fields come as strings; absent means 0. */
int64_t etcd_int(yajl_val v, const char *key);
bool etcd_bool(yajl_val v, const char *key);
yajl_val etcd_get(yajl_val v, const char *key);

#endif /* ETCD_H */
