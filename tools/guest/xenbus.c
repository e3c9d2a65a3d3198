/* SPDX-License-Identifier: MIT */
/*
 * The xenbus core (xenbus.h): the router thread that reads the shared
 * connection's watch events, the two queues it fills (the script's, the
 * drivers'), the driver thread, and the xenstore helpers of the drivers.
 * Must not know any driver: they register themselves.
 *
 * Why a router: libxenstore has one event queue per handle, and the guest
 * has one handle (its ring).  If the script and the drivers both read it,
 * each would eat the other's events.  So one thread reads them all (by
 * polling xs_fileno(), so that stopping it needs no request) and sorts
 * them by token: XENBUS_TOKEN_PREFIX goes to the drivers, anything else
 * to the script, in arrival order.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xenstore.h"

#include "xenbus.h"

#define MAX_DRIVERS 4
#define TXN_ATTEMPTS 100
#define JOIN_SECONDS 2

struct event {
	struct event *next;
	char **ev;
	unsigned num;
};

/* A blocking FIFO of events; closed with an errno when nothing follows. */
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct event *head, **tail;
	int closed; /* 0, or the errno a reader gets once it is empty */
};

static struct queue script_q = {PTHREAD_MUTEX_INITIALIZER,
				PTHREAD_COND_INITIALIZER, NULL, &script_q.head,
				0};
static struct queue driver_q = {PTHREAD_MUTEX_INITIALIZER,
				PTHREAD_COND_INITIALIZER, NULL, &driver_q.head,
				0};

static struct xs_handle *xsh;
static unsigned self;
static char home[32];
static const struct xenbus_driver *drivers[MAX_DRIVERS];
static unsigned ndrivers;
static pthread_t router, driver;
static bool router_started, driver_started;
static int stop_pipe[2] = {-1, -1};

static void
queue_put(struct queue *q, char **ev, unsigned num)
{
	struct event *e = malloc(sizeof(*e));

	pthread_mutex_lock(&q->lock);
	if (q->closed != 0) {
		/* Nobody will read it: the drivers were stopped. */
		pthread_mutex_unlock(&q->lock);
		free(e);
		free(ev);
		return;
	}
	pthread_mutex_unlock(&q->lock);
	if (e == NULL) {
		/* Losing one event beats dying; say so. */
		fprintf(stderr, "xsim-guest: dropped the event on %s\n",
			ev[XS_WATCH_PATH]);
		free(ev);
		return;
	}
	e->next = NULL;
	e->ev = ev;
	e->num = num;
	pthread_mutex_lock(&q->lock);
	*q->tail = e;
	q->tail = &e->next;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

static void
queue_close(struct queue *q, int err)
{
	pthread_mutex_lock(&q->lock);
	if (q->closed == 0)
		q->closed = err;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

/* The next event, blocking; NULL with errno once closed and empty. */
static char **
queue_get(struct queue *q, unsigned *num)
{
	struct event *e;
	char **ev;

	pthread_mutex_lock(&q->lock);
	while (q->head == NULL && q->closed == 0)
		pthread_cond_wait(&q->cond, &q->lock);
	e = q->head;
	if (e == NULL) {
		errno = q->closed;
		pthread_mutex_unlock(&q->lock);
		return NULL;
	}
	q->head = e->next;
	if (q->head == NULL)
		q->tail = &q->head;
	pthread_mutex_unlock(&q->lock);
	ev = e->ev;
	if (num != NULL)
		*num = e->num;
	free(e);
	return ev;
}

static void
queue_drain(struct queue *q)
{
	char **ev;

	pthread_mutex_lock(&q->lock);
	if (q->closed == 0)
		q->closed = EBADF;
	pthread_mutex_unlock(&q->lock);
	while ((ev = queue_get(q, NULL)) != NULL)
		free(ev);
}

static void
route(char **ev)
{
	/* xs_check_watch() gives no count: path and token are all we use. */
	unsigned num = 2;

	if (strncmp(ev[XS_WATCH_TOKEN], XENBUS_TOKEN_PREFIX,
		    strlen(XENBUS_TOKEN_PREFIX)) == 0)
		queue_put(&driver_q, ev, num);
	else
		queue_put(&script_q, ev, num);
}

/* Read every event as it comes; stop on the pipe or a lost connection. */
static void *
router_main(void *arg)
{
	struct pollfd pfd[2] = {{.fd = xs_fileno(xsh), .events = POLLIN},
				{.fd = stop_pipe[0], .events = POLLIN}};
	char **ev;

	(void)arg;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents != 0)
			return NULL;
		while ((ev = xs_check_watch(xsh)) != NULL)
			route(ev);
		if (errno != EAGAIN)
			break;
	}
	/* The connection is lost: both sides hear it once their queue is empty.
	 */
	queue_close(&script_q, EBADF);
	queue_close(&driver_q, EBADF);
	return NULL;
}

static const struct xenbus_driver *
find_driver(const char *token)
{
	const char *name = token + strlen(XENBUS_TOKEN_PREFIX);
	unsigned i;

	for (i = 0; i < ndrivers; i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

static void *
driver_main(void *arg)
{
	const struct xenbus_driver *drv;
	char **ev;

	(void)arg;
	while ((ev = queue_get(&driver_q, NULL)) != NULL) {
		drv = find_driver(ev[XS_WATCH_TOKEN]);
		if (drv != NULL)
			drv->event(ev[XS_WATCH_PATH]);
		free(ev);
	}
	return NULL;
}

/* Threads of ours take no signals: the script's thread handles them. */
static int
spawn(pthread_t *t, void *(*fn)(void *))
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(t, NULL, fn, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

int
xenbus_start(struct xs_handle *h, unsigned domid)
{
	xsh = h;
	self = domid;
	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	if (xs_fileno(h) < 0 || pipe(stop_pipe) < 0)
		return -1;
	if (spawn(&router, router_main) < 0)
		return -1;
	router_started = true;
	if (spawn(&driver, driver_main) < 0) {
		xenbus_stop();
		return -1;
	}
	driver_started = true;
	return 0;
}

int
xenbus_add_driver(const struct xenbus_driver *drv)
{
	if (ndrivers == MAX_DRIVERS) {
		errno = ENOSPC;
		return -1;
	}
	drivers[ndrivers++] = drv;
	return 0;
}

static void
token(char *buf, size_t size, const struct xenbus_driver *drv)
{
	snprintf(buf, size, "%s%s", XENBUS_TOKEN_PREFIX, drv->name);
}

int
xenbus_watch(const struct xenbus_driver *drv, const char *path)
{
	char tok[64];

	token(tok, sizeof(tok), drv);
	return xs_watch(xsh, path, tok) ? 0 : -1;
}

int
xenbus_unwatch(const struct xenbus_driver *drv, const char *path)
{
	char tok[64];

	token(tok, sizeof(tok), drv);
	return xs_unwatch(xsh, path, tok) ? 0 : -1;
}

/*
 * Join t within JOIN_SECONDS.  A driver stuck on a request the daemon
 * never answers (it dropped a guest that broke its ring) must not keep
 * the guest from exiting.  0 joined, -1 gave up.
 */
static int
join(pthread_t t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += JOIN_SECONDS;
	return pthread_timedjoin_np(t, NULL, &ts) == 0 ? 0 : -1;
}

int
xenbus_stop_drivers(void)
{
	unsigned i;

	queue_close(&driver_q, ECANCELED);
	if (driver_started && join(driver) < 0) {
		fprintf(stderr,
			"xsim-guest: the drivers did not stop within "
			"%d s; leaving them\n",
			JOIN_SECONDS);
		return -1;
	}
	driver_started = false;
	queue_drain(&driver_q);
	for (i = 0; i < ndrivers; i++)
		drivers[i]->stop();
	ndrivers = 0;
	return 0;
}

int
xenbus_stop(void)
{
	if (stop_pipe[1] >= 0) {
		if (write(stop_pipe[1], "x", 1) < 0)
			perror("xsim-guest: stop the router");
		if (router_started)
			pthread_join(router, NULL);
		close(stop_pipe[0]);
		close(stop_pipe[1]);
		stop_pipe[0] = stop_pipe[1] = -1;
	}
	router_started = false;
	queue_drain(&script_q);
	return xenbus_stop_drivers();
}

char **
xenbus_script_event(unsigned *num)
{
	return queue_get(&script_q, num);
}

/* --- helpers --- */

struct xs_handle *
xenbus_xs(void)
{
	return xsh;
}

unsigned
xenbus_self(void)
{
	return self;
}

const char *
xenbus_home(void)
{
	return home;
}

char *
xenbus_read(const char *path)
{
	return xs_read(xsh, XBT_NULL, path, NULL);
}

char *
xenbus_read_key(const char *dir, const char *key)
{
	char path[512];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, key) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return xenbus_read(path);
}

int
xenbus_read_uint(const char *dir, const char *key, unsigned *val)
{
	char *v = xenbus_read_key(dir, key), *end;
	unsigned long n;

	if (v == NULL)
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n > 0xffffffffUL ||
	    v[0] == '-') {
		free(v);
		errno = EINVAL;
		return -1;
	}
	free(v);
	*val = (unsigned)n;
	return 0;
}

int
xenbus_read_state(const char *dir)
{
	unsigned st;

	if (xenbus_read_uint(dir, "state", &st) < 0 || st > 8)
		return XenbusStateUnknown;
	return (int)st;
}

bool
xenbus_exists(const char *path)
{
	char *v = xenbus_read(path);

	free(v);
	return v != NULL || errno != ENOENT;
}

void
xenbus_kv_add(struct xenbus_kv *kv, unsigned *n, const char *key,
	      const char *fmt, ...)
{
	va_list ap;

	snprintf(kv[*n].key, sizeof(kv[*n].key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(kv[*n].val, sizeof(kv[*n].val), fmt, ap);
	va_end(ap);
	(*n)++;
}

/* One attempt: 0 committed, -1 with errno (EAGAIN: try again). */
static int
write_keys_once(const char *dir, const struct xenbus_kv *kv, unsigned n)
{
	xs_transaction_t t = xs_transaction_start(xsh);
	char path[512], *v;
	unsigned i;
	int err;

	if (t == XBT_NULL)
		return -1;
	v = xs_read(xsh, t, dir, NULL);
	if (v == NULL)
		goto fail;
	free(v);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, kv[i].key);
		if (!xs_write(xsh, t, path, kv[i].val,
			      (unsigned)strlen(kv[i].val)))
			goto fail;
	}
	return xs_transaction_end(xsh, t, false) ? 0 : -1;
fail:
	err = errno;
	xs_transaction_end(xsh, t, true);
	errno = err;
	return -1;
}

int
xenbus_write_keys(const char *dir, const struct xenbus_kv *kv, unsigned n)
{
	unsigned attempt;
	int r = -1;

	for (attempt = 0; attempt < TXN_ATTEMPTS; attempt++) {
		r = write_keys_once(dir, kv, n);
		if (r == 0 || errno != EAGAIN)
			break;
	}
	return r;
}

int
xenbus_switch_state(const char *dir, int state)
{
	struct xenbus_kv kv[1];
	unsigned n = 0;

	xenbus_kv_add(kv, &n, "state", "%d", state);
	if (xenbus_write_keys(dir, kv, n) == 0)
		return 0;
	if (errno != ENOENT)
		fprintf(stderr, "xsim-guest: %s: cannot switch to %d: %s\n",
			dir, state, strerror(errno));
	return -1;
}

/* <home>/error/<nodename below home>, in buf. */
static int
error_dir(char *buf, size_t size, const char *nodename)
{
	size_t len = strlen(home);
	const char *rel = nodename;

	if (strncmp(nodename, home, len) == 0 && nodename[len] == '/')
		rel = nodename + len + 1;
	else if (rel[0] == '/')
		rel++;
	return (size_t)snprintf(buf, size, "%s/error/%s", home, rel) < size
		       ? 0
		       : -1;
}

void
xenbus_dev_error(const char *nodename, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xenbus_dev_verror(nodename, fmt, ap);
	va_end(ap);
}

void
xenbus_dev_verror(const char *nodename, const char *fmt, va_list ap)
{
	char msg[512], dir[512], path[600];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "xsim-guest: %s: %s\n", nodename, msg);
	if (error_dir(dir, sizeof(dir), nodename) < 0)
		return;
	snprintf(path, sizeof(path), "%s/error", dir);
	if (!xs_write(xsh, XBT_NULL, path, msg, (unsigned)strlen(msg)))
		fprintf(stderr, "xsim-guest: cannot write %s: %s\n", path,
			strerror(errno));
}

void
xenbus_clear_error(const char *nodename)
{
	char dir[512];

	if (error_dir(dir, sizeof(dir), nodename) == 0)
		xs_rm(xsh, XBT_NULL, dir);
}

int
xenbus_split(const char *path, const char *prefix, char *buf, size_t size,
	     char **comp, int max)
{
	size_t len = strlen(prefix);
	char *p, *save = NULL;
	int n = 0;

	if (strncmp(path, prefix, len) != 0 ||
	    (path[len] != '\0' && path[len] != '/'))
		return -1;
	if ((size_t)snprintf(buf, size, "%s", path + len) >= size)
		return -1;
	for (p = strtok_r(buf, "/", &save); p != NULL && n < max;
	     p = strtok_r(NULL, "/", &save))
		comp[n++] = p;
	return n;
}
