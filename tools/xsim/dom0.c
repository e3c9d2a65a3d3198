/* SPDX-License-Identifier: MIT */
/*
 * dom0's device services (dom0.h).  Both are started detached like the
 * host's daemons (host_spawn), with the environment the hotplug scripts
 * need (host_hotplug_env): the simulated `ip` first on PATH, so that
 * vif-bridge never touches the real network, and XSIM_NET_DIR, where
 * the backend drivers create each vif's interface.  A driver that dies
 * at once (a broken build, a missing option) fails `xsim start` with
 * its log: a host whose devices can never connect is no host.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dom0.h"
#include "host.h"
#include "util.h"

#define SETTLE_MS 100

/* A new host has no interfaces: forget those a killed host left. */
static void
clear_links(void)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *e;
	DIR *d;

	if (host_file(dir, sizeof(dir), "net/link") < 0 ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
}

static int
make_net(void)
{
	static const char *const dirs[] = {"net", "net/link", "net/bridge",
					   "hotplug-lock"};
	char path[PATH_MAX];
	FILE *f;
	unsigned i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (host_file(path, sizeof(path), "%s", dirs[i]) < 0 ||
		    (mkdir(path, 0700) < 0 && errno != EEXIST)) {
			util_err("cannot create %s", path);
			return -1;
		}
	}
	clear_links();
	if (host_file(path, sizeof(path), "net/bridge/xenbr0") < 0 ||
	    (f = fopen(path, "w")) == NULL) {
		util_err("cannot create bridge xenbr0");
		return -1;
	}
	fprintf(f, "mtu 1500\nstate UP\n");
	return fclose(f);
}

/* Print a service's log after it died. */
static void
show_log(const char *name)
{
	char log[PATH_MAX], line[512];
	FILE *f;

	if (host_file(log, sizeof(log), "%s.log", name) < 0 ||
	    (f = fopen(log, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		fprintf(stderr, "  %s: %s", name, line);
	fclose(f);
}

static pid_t
start_hotplugd(const char *name, unsigned domid, bool absolute)
{
	char prog[PATH_MAX], dom[16], sdir[PATH_MAX];
	char opt_d[] = "-d", opt_s[] = "-s", opt_a[] = "-a";
	char *argv[] = {prog, opt_d, dom, opt_s, sdir, absolute ? opt_a : NULL,
			NULL};

	snprintf(dom, sizeof(dom), "%u", domid);
	snprintf(sdir, sizeof(sdir), "%s", host_script_dir());
	if (util_path(prog, sizeof(prog), "%s/xenstore-hotplugd",
		      util_bindir()) < 0 ||
	    host_hotplug_env() < 0)
		return -1;
	return host_spawn(name, argv);
}

static pid_t
start_backend(void)
{
	char prog[PATH_MAX], opt_s[] = "-s", opt_b[] = "-b", op[] = "serve";
	char *argv[] = {prog, opt_s, opt_b, op, NULL};

	if (util_path(prog, sizeof(prog), "%s/xsim-guest", util_bindir()) < 0)
		return -1;
	return host_spawn("backend", argv);
}

int
dom0_start(bool bare)
{
	struct timespec ts = {0, SETTLE_MS * 1000000L};
	pid_t be, hp;

	if (make_net() < 0)
		return -1;
	if (bare)
		return 0;
	be = start_backend();
	hp = be > 0 ? start_hotplugd("hotplugd", 0, false) : -1;
	if (hp < 0)
		goto fail;
	nanosleep(&ts, NULL);
	if (!util_pid_alive(be)) {
		util_errx("dom0's backend drivers (xsim-guest -s -b serve) "
			  "exited at once");
		show_log("backend");
		goto fail;
	}
	if (!util_pid_alive(hp)) {
		util_errx("xenstore-hotplugd -d 0 exited at once");
		show_log("hotplugd");
		goto fail;
	}
	return 0;
fail:
	dom0_stop();
	return -1;
}

int
dom0_stop(void)
{
	int r = 0;

	if (host_stop_daemon("hotplugd") < 0)
		r = -1;
	if (host_stop_daemon("backend") < 0)
		r = -1;
	return r;
}

pid_t
dom0_driver_hotplugd(unsigned domid)
{
	char name[32];

	snprintf(name, sizeof(name), "hotplugd-%u", domid);
	return start_hotplugd(name, domid, true);
}

void
dom0_driver_hotplugd_stop(unsigned domid)
{
	char name[32];

	snprintf(name, sizeof(name), "hotplugd-%u", domid);
	host_stop_daemon(name);
}
