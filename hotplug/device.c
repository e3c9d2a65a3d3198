/* SPDX-License-Identifier: MIT */
/*
 * The device table of the hotplug daemon (device.h).  It follows the
 * contract `xl devd` keeps with libxl (reference 11.5-11.7), for the
 * backend directories /local/domain/<domid>/backend/<kind>/<domU>/<devid>:
 *
 *   appears, state 1 ........... WAITING: the backend driver probes
 *   state 2..4 (1 with --early)  ADDING: `<script> add` (vif: online)
 *   script exit 0 .............. ADDED, hotplug-status = connected
 *   script fails or times out .. ADDED, hotplug-error = <why>,
 *                                hotplug-status = error (or the script's busy)
 *   online 0 and state 6 ....... REMOVING: `<script> remove` (vif: offline)
 *   directory removed .......... REMOVING, the same script, best effort
 *   remove script done ......... backend directory and its empty parents
 *                                deleted (as the driver domain does), forgotten
 *
 * A removal asked for while a script runs waits for that run to end.
 * Only writes to `state` and `online`, and the directories themselves,
 * are acted on; the keys written here and by scripts (hotplug-status,
 * physical-device...) come back as events and are ignored.  Every
 * xenstore write of the daemon is made here, inside a transaction that
 * first checks that the directory still exists, so that a late write
 * never recreates a device the toolstack has removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <talloc.h>
#include <xenstore.h>

#include "device.h"
#include "log.h"
#include "script.h"

#define WATCH_TOKEN "hotplug"
#define TXN_ATTEMPTS 20

enum phase { PH_WAITING, PH_ADDING, PH_ADDED, PH_REMOVING };

/* A backend kind served, with Xen's default script and actions. */
struct kind {
	const char *name;
	const char *script;
	const char *add;
	const char *remove;
	bool vif;
};

static const struct kind kinds[] = {
	{"vbd", "block", "add", "remove", false},
	{"vif", "vif-bridge", "online", "offline", true},
};

struct device {
	struct device *next;
	const struct kind *kind;
	unsigned int domu;
	unsigned int devid;
	char *path;	   /* absolute backend directory */
	char *xenbus_path; /* as the scripts get it */
	enum phase phase;
	int state; /* last `state` read, 0 when missing */
	bool remove_wanted;
	bool vanished; /* the directory is gone */
	struct script_run *run;
	struct event *init_timer; /* the wait for InitWait */
	unsigned int step;	  /* vif_ioemu: 0 the vif, 1 the tap */
	bool ioemu;
	char *script; /* captured at add, for the remove */
	char *vif;
	char *netdev;
};

static struct event_base *base;
static struct xs_handle *xs;
static const struct device_config *cfg;
static void *root;
static char *backend; /* /local/domain/<domid>/backend */
static struct device *devices;

static void step(struct device *dev);
static void finish(struct device *dev, char *why);

/* path's value on ctx, or NULL (ENOENT when missing). */
static char *
xread(void *ctx, const char *path)
{
	unsigned int len;
	char *v = xs_read(xs, XBT_NULL, path, &len);
	char *out;

	if (!v)
		return NULL;
	out = talloc_strndup(ctx, v, len);
	free(v);
	return out;
}

static const struct kind *
kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

/* A decimal domain or device id; false if s is anything else. */
static bool
parse_id(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xffffffffUL)
		return false;
	*out = (unsigned int)v;
	return true;
}

static struct device *
device_find(const struct kind *k, unsigned int domu, unsigned int devid)
{
	struct device *dev;

	for (dev = devices; dev; dev = dev->next)
		if (dev->kind == k && dev->domu == domu && dev->devid == devid)
			return dev;
	return NULL;
}

static int
destroy_device(struct device *dev)
{
	struct device **p;

	if (dev->init_timer)
		event_free(dev->init_timer);
	for (p = &devices; *p; p = &(*p)->next) {
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	}
	return 0;
}

static void init_timed_out(struct device *dev);

static void
device_init_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	init_timed_out(arg);
}

static struct device *
device_new(const struct kind *k, unsigned int domu, unsigned int devid)
{
	struct device *dev = talloc_zero(root, struct device);

	if (!dev)
		return NULL;
	dev->kind = k;
	dev->domu = domu;
	dev->devid = devid;
	dev->path = talloc_asprintf(dev, "%s/%s/%u/%u", backend, k->name, domu,
				    devid);
	if (cfg->absolute_path)
		dev->xenbus_path = dev->path;
	else
		dev->xenbus_path = talloc_asprintf(dev, "backend/%s/%u/%u",
						   k->name, domu, devid);
	if (!dev->path || !dev->xenbus_path) {
		talloc_free(dev);
		return NULL;
	}
	talloc_set_destructor(dev, destroy_device);
	dev->next = devices;
	devices = dev;
	if (cfg->init_timeout) {
		struct timeval tv = {.tv_sec = cfg->init_timeout};

		dev->init_timer = evtimer_new(base, device_init_timer_cb, dev);
		if (dev->init_timer)
			evtimer_add(dev->init_timer, &tv);
	}
	return dev;
}

/* --- writes back into the backend directory --- */

struct outcome {
	const char *path;
	const char *error; /* NULL: success */
};

static bool
write_str(xs_transaction_t t, const char *dir, const char *key,
	  const char *value)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_write(xs, t, path, value, (unsigned int)strlen(value));
}

/*
 * Success: hotplug-status = connected.  Failure: keep the script's own
 * hotplug-error if it wrote one, else ours; hotplug-status = error unless
 * the script said busy (a sharing conflict, Xen's convention).
 */
static bool
record_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct outcome *o = arg;
	char path[512];
	char *v;
	bool busy = false;

	(void)h;
	v = xs_read(xs, t, o->path, NULL);
	if (!v)
		return false; /* gone: write nothing */
	free(v);
	if (!o->error)
		return write_str(t, o->path, "hotplug-status", "connected");
	snprintf(path, sizeof(path), "%s/hotplug-error", o->path);
	v = xs_read(xs, t, path, NULL);
	if (!v || !*v) {
		if (!write_str(t, o->path, "hotplug-error", o->error)) {
			free(v);
			return false;
		}
	}
	free(v);
	snprintf(path, sizeof(path), "%s/hotplug-status", o->path);
	v = xs_read(xs, t, path, NULL);
	busy = v && !strcmp(v, "busy");
	free(v);
	return busy || write_str(t, o->path, "hotplug-status", "error");
}

static void
record_outcome(struct device *dev, const char *error)
{
	struct outcome o = {dev->path, error};
	void *tmp;
	char *text;

	if (!xs_transaction_retry(xs, record_txn, &o, TXN_ATTEMPTS)) {
		if (errno != ENOENT)
			log_warn("%s: cannot record the hotplug status in %s",
				 __func__, dev->path);
		return;
	}
	if (!error) {
		log_info("%s: %s connected", __func__, dev->path);
		return;
	}
	tmp = talloc_new(NULL);
	text = xread(tmp, talloc_asprintf(tmp, "%s/hotplug-error", dev->path));
	log_warnx("%s: %s: hotplug failed: %s", __func__, dev->path,
		  text ? text : error);
	talloc_free(tmp);
}

/*
 * The backend directory, then each parent left with no children and an
 * empty value (libxl's path cleanup), up to but not including the
 * domain's home.
 */
static bool
cleanup_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	char path[512];
	char *slash, *v;
	char **names;
	unsigned int n;

	(void)h;
	snprintf(path, sizeof(path), "%s", (const char *)arg);
	if (!xs_rm(xs, t, path) && errno != ENOENT)
		return false;
	while ((slash = strrchr(path, '/')) && strlen(path) > strlen(backend)) {
		*slash = '\0';
		if (strlen(path) < strlen(backend))
			break;
		names = xs_directory(xs, t, path, &n);
		if (!names)
			break;
		free(names);
		v = xs_read(xs, t, path, NULL);
		if (n || !v || *v) {
			free(v);
			break;
		}
		free(v);
		if (!xs_rm(xs, t, path))
			return false;
	}
	return true;
}

static void
remove_backend_dir(struct device *dev)
{
	if (!xs_transaction_retry(xs, cleanup_txn, dev->path, TXN_ATTEMPTS))
		log_warn("%s: cannot remove %s", __func__, dev->path);
}

/* --- script runs --- */

static void run_done(void *arg, int status, bool timed_out);

static const char *
action_of(const struct device *dev)
{
	bool add = dev->phase == PH_ADDING;

	if (dev->step == 1)
		return add ? "add" : "remove";
	return add ? dev->kind->add : dev->kind->remove;
}

/* Start the run for dev's phase and step; false with a message. */
static bool
run_step(struct device *dev, char **why)
{
	void *tmp = talloc_new(NULL);
	const char *argv[4] = {dev->script, action_of(dev), NULL, NULL};
	const char *env[10] = {NULL};
	int n = 0;

	env[n++] = talloc_asprintf(tmp, "script=%s", dev->script);
	env[n++] = talloc_asprintf(tmp, "XENBUS_TYPE=%s", dev->kind->name);
	env[n++] = talloc_asprintf(tmp, "XENBUS_PATH=%s", dev->xenbus_path);
	env[n++] = "XENBUS_BASE_PATH=backend";
	if (dev->kind->vif) {
		argv[2] = dev->step == 1 ? "type_if=tap" : "type_if=vif";
		env[n++] = talloc_asprintf(tmp, "vif=%s", dev->vif);
		env[n++] = talloc_asprintf(tmp, "netdev=%s", dev->netdev);
		if (dev->step == 1)
			env[n++] = talloc_asprintf(tmp, "INTERFACE=%s-emu",
						   dev->vif);
	}
	env[n] = NULL;
	log_debug("%s: %s: %s %s", __func__, dev->path, argv[0], argv[1]);
	/* Said here, as the child could only exit 127. */
	if (access(dev->script, X_OK) < 0) {
		*why = talloc_asprintf(dev, "cannot run %s: %s", dev->script,
				       strerror(errno));
		talloc_free(tmp);
		return false;
	}
	dev->run = script_start(base, argv, env, cfg->timeout, run_done, dev);
	if (!dev->run)
		*why = talloc_asprintf(dev, "cannot start %s %s: %s",
				       dev->script, argv[1], strerror(errno));
	talloc_free(tmp);
	return dev->run != NULL;
}

/* Read what the scripts need (captured now: a removal may find none). */
static void
capture(struct device *dev)
{
	void *tmp = talloc_new(NULL);
	char *s = xread(tmp, talloc_asprintf(tmp, "%s/script", dev->path));
	char *type;

	if (!s || !*s)
		s = talloc_strdup(tmp, dev->kind->script);
	if (s[0] == '/')
		dev->script = talloc_strdup(dev, s);
	else
		dev->script = talloc_asprintf(dev, "%s/%s", cfg->script_dir, s);
	if (dev->kind->vif) {
		dev->vif =
			talloc_asprintf(dev, "vif%u.%u", dev->domu, dev->devid);
		s = xread(tmp,
			  talloc_asprintf(tmp, "%s/gatewaydev", dev->path));
		dev->netdev = talloc_strdup(dev, s ? s : "");
		type = xread(tmp, talloc_asprintf(tmp, "%s/type", dev->path));
		dev->ioemu = type && !strcmp(type, "vif_ioemu");
	}
	talloc_free(tmp);
}

static void
start(struct device *dev, enum phase phase)
{
	char *why = NULL;

	dev->phase = phase;
	dev->step = 0;
	if (phase == PH_ADDING)
		capture(dev);
	log_info("%s: %s: %s %s", __func__, dev->path, dev->script,
		 action_of(dev));
	if (!run_step(dev, &why))
		finish(dev, why);
}

/* Why a run failed, on dev; NULL if it succeeded. */
static char *
failure(struct device *dev, int status, bool timed_out)
{
	const char *what = action_of(dev);

	if (timed_out)
		return talloc_asprintf(dev,
				       "%s %s timed out after %u s (killed)",
				       dev->script, what, cfg->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	if (WIFEXITED(status))
		return talloc_asprintf(dev, "%s %s failed with exit status %d",
				       dev->script, what, WEXITSTATUS(status));
	return talloc_asprintf(dev, "%s %s killed by signal %d", dev->script,
			       what, WTERMSIG(status));
}

/*
 * The end of a run (why: NULL, or what failed): the next run of this
 * action, or the outcome of the action.  May free dev.
 */
static void
finish(struct device *dev, char *why)
{
	if (why)
		log_warnx("%s: %s: %s", __func__, dev->path, why);
	if (dev->ioemu && dev->step == 0 &&
	    (!why || dev->phase == PH_REMOVING)) {
		/* vif_ioemu: the emulated NIC's tap gets a second run. */
		dev->step = 1;
		if (run_step(dev, &why))
			return;
		log_warnx("%s: %s: %s", __func__, dev->path, why);
	}
	if (dev->phase == PH_ADDING) {
		record_outcome(dev, why);
		dev->phase = PH_ADDED;
		step(dev);
		return;
	}
	/* Removal: errors are logged and do not stop it (libxl's rule). */
	if (!dev->vanished)
		remove_backend_dir(dev);
	log_info("%s: %s removed", __func__, dev->path);
	talloc_free(dev);
}

static void
run_done(void *arg, int status, bool timed_out)
{
	struct device *dev = arg;

	dev->run = NULL;
	finish(dev, failure(dev, status, timed_out));
}

/*
 * The backend driver never probed (libxl gives it LIBXL_INIT_TIMEOUT):
 * the add fails without a script.  A removal later goes as for any
 * failed device.
 */
static void
init_timed_out(struct device *dev)
{
	char *why;

	if (dev->phase != PH_WAITING)
		return;
	why = talloc_asprintf(dev,
			      "backend driver did not reach InitWait (state 2) "
			      "within %u s",
			      cfg->init_timeout);
	capture(dev);
	log_warnx("%s: %s: %s", __func__, dev->path, why);
	record_outcome(dev, why ? why : "InitWait timeout");
	dev->phase = PH_ADDED;
	step(dev);
}

/* Move dev on as far as its last known state allows. */
static void
step(struct device *dev)
{
	switch (dev->phase) {
	case PH_WAITING:
		if (dev->remove_wanted || dev->state > 1 || cfg->early)
			if (dev->init_timer)
				evtimer_del(dev->init_timer);
		if (dev->remove_wanted) {
			/* Never added: no script to undo, only the nodes. */
			if (!dev->vanished)
				remove_backend_dir(dev);
			talloc_free(dev);
		} else if ((dev->state >= 2 && dev->state <= 4) ||
			   (cfg->early && dev->state == 1)) {
			start(dev, PH_ADDING);
		}
		break;
	case PH_ADDED:
		if (dev->remove_wanted)
			start(dev, PH_REMOVING);
		break;
	case PH_ADDING:
	case PH_REMOVING:
		break; /* run_done() steps again */
	}
}

/* Read a device's state and online keys, and act on them. */
static void
consider(const struct kind *k, unsigned int domu, unsigned int devid)
{
	void *tmp = talloc_new(NULL);
	struct device *dev = device_find(k, domu, devid);
	char *path = talloc_asprintf(tmp, "%s/%s/%u/%u", backend, k->name, domu,
				     devid);
	char *state = xread(tmp, talloc_asprintf(tmp, "%s/state", path));
	char *online = xread(tmp, talloc_asprintf(tmp, "%s/online", path));
	bool exists = state || xread(tmp, path);
	int st = state ? atoi(state) : 0;
	char *hs;
	bool added;

	if (!dev) {
		if (!exists)
			goto out;
		/* Added before we (re)started: not to be added twice. */
		hs = xread(tmp,
			   talloc_asprintf(tmp, "%s/hotplug-status", path));
		added = hs && !strcmp(hs, "connected");
		/* A device first seen closing is not ours to add. */
		if (st >= 5 && !added)
			goto out;
		dev = device_new(k, domu, devid);
		if (!dev) {
			log_warnx("%s: out of memory for %s", __func__, path);
			goto out;
		}
		log_debug("%s: new device %s (state %d%s)", __func__, path, st,
			  added ? ", added already" : "");
		if (added) {
			capture(dev);
			dev->phase = PH_ADDED;
		}
	}
	dev->state = st;
	if (!exists) {
		dev->vanished = true;
		dev->remove_wanted = true;
	} else if (online && !strcmp(online, "0") && st == 6) {
		dev->remove_wanted = true;
	}
	step(dev);
out:
	talloc_free(tmp);
}

struct key {
	const struct kind *kind;
	unsigned int domu;
	unsigned int devid;
};

/* Add a key to *keys (a talloc array on ctx) unless already there. */
static void
key_add(void *ctx, struct key **keys, const struct kind *k, unsigned int domu,
	unsigned int devid)
{
	size_t n = talloc_array_length(*keys), i;
	struct key *grown;

	for (i = 0; i < n; i++)
		if ((*keys)[i].kind == k && (*keys)[i].domu == domu &&
		    (*keys)[i].devid == devid)
			return;
	grown = talloc_realloc(ctx, *keys, struct key, n + 1);
	if (!grown)
		return;
	grown[n] = (struct key){k, domu, devid};
	*keys = grown;
}

/* Names of path's children on ctx (NULL-free array), *n of them. */
static char **
list(void *ctx, const char *path, unsigned int *n)
{
	char **names = xs_directory(xs, XBT_NULL, path, n);
	char **out;
	unsigned int i;

	if (!names) {
		*n = 0;
		return NULL;
	}
	out = talloc_array(ctx, char *, *n ? *n : 1);
	for (i = 0; out && i < *n; i++)
		out[i] = talloc_strdup(out, names[i]);
	free(names);
	if (!out)
		*n = 0;
	return out;
}

/*
 * Consider every device below backend/<k>/<domu> (k NULL: every kind
 * served; domu -1: every guest): those present and those known.  The
 * keys are collected first, since considering may free devices.
 */
static void
scan(const struct kind *only, long domu)
{
	void *tmp = talloc_new(NULL);
	struct key *keys = talloc_array(tmp, struct key, 0);
	struct device *dev;
	size_t i, nk = sizeof(kinds) / sizeof(kinds[0]);

	for (i = 0; i < nk; i++) {
		const struct kind *k = &kinds[i];
		char **doms, **ids;
		unsigned int nd, ni, d, j, dom, id;

		if (only && only != k)
			continue;
		if (domu >= 0) {
			doms = talloc_array(tmp, char *, 1);
			doms[0] = talloc_asprintf(doms, "%ld", domu);
			nd = 1;
		} else {
			doms = list(
				tmp,
				talloc_asprintf(tmp, "%s/%s", backend, k->name),
				&nd);
		}
		for (d = 0; d < nd; d++) {
			if (!parse_id(doms[d], &dom))
				continue;
			ids = list(tmp,
				   talloc_asprintf(tmp, "%s/%s/%u", backend,
						   k->name, dom),
				   &ni);
			for (j = 0; j < ni; j++)
				if (parse_id(ids[j], &id))
					key_add(tmp, &keys, k, dom, id);
		}
	}
	for (dev = devices; dev; dev = dev->next)
		if ((!only || dev->kind == only) &&
		    (domu < 0 || dev->domu == (unsigned long)domu))
			key_add(tmp, &keys, dev->kind, dev->domu, dev->devid);
	for (i = 0; i < talloc_array_length(keys); i++)
		consider(keys[i].kind, keys[i].domu, keys[i].devid);
	talloc_free(tmp);
}

void
device_event(const char *path)
{
	size_t blen = strlen(backend);
	char buf[512], *parts[5] = {NULL}, *save = NULL, *p;
	const struct kind *k;
	unsigned int n = 0, domu, devid;

	if (strncmp(path, backend, blen) || (path[blen] && path[blen] != '/'))
		return;
	if (!path[blen] || !path[blen + 1]) {
		scan(NULL, -1);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", path + blen + 1);
	for (p = strtok_r(buf, "/", &save); p && n < 5;
	     p = strtok_r(NULL, "/", &save))
		parts[n++] = p;
	if (n == 0)
		return;
	k = kind_find(parts[0]);
	if (!k) {
		log_debug("%s: %s: kind not served", __func__, path);
		return;
	}
	if (n == 1) {
		scan(k, -1);
		return;
	}
	if (!parse_id(parts[1], &domu))
		return;
	if (n == 2) {
		scan(k, domu);
		return;
	}
	if (!parse_id(parts[2], &devid))
		return;
	/* Only the toolstack's and the driver's keys say anything. */
	if (n == 3 || (n == 4 && (!strcmp(parts[3], "state") ||
				  !strcmp(parts[3], "online"))))
		consider(k, domu, devid);
}

int
device_init(struct event_base *b, struct xs_handle *h,
	    const struct device_config *c)
{
	base = b;
	xs = h;
	cfg = c;
	root = talloc_named_const(NULL, 0, "hotplug devices");
	backend = talloc_asprintf(root, "/local/domain/%u/backend", c->domid);
	if (!root || !backend) {
		errno = ENOMEM;
		return -1;
	}
	if (!xs_watch(xs, backend, WATCH_TOKEN))
		return -1;
	return 0;
}

unsigned int
device_running(void)
{
	struct device *dev;
	unsigned int n = 0;

	for (dev = devices; dev; dev = dev->next)
		n += dev->run != NULL;
	return n;
}

void
device_shutdown(void)
{
	talloc_free(root);
	root = NULL;
	devices = NULL;
}
