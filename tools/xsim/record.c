/* SPDX-License-Identifier: MIT */
/*
 * Guest records (record.h): "key value" lines in RUNDIR/domains/NAME,
 * written to a temporary file and renamed, so a reader never sees half
 * a record.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "record.h"
#include "util.h"

bool
record_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= RECORD_NAME_MAX &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == len &&
	       strcmp(name, "Domain-0") != 0;
}

static int
record_path(const char *name, const char *suffix, char *buf, size_t len)
{
	return host_file(buf, len, "domains/%s%s", name, suffix);
}

int
record_cfg_path(const char *name, char *buf, size_t len)
{
	return record_path(name, ".cfg", buf, len);
}

int
record_log_path(const char *name, char *buf, size_t len)
{
	return record_path(name, ".log", buf, len);
}

int
record_write(const struct record *r)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f;
	int ok;

	if (record_path(r->name, "", path, sizeof(path)) < 0 ||
	    record_path(r->name, ".tmp", tmp, sizeof(tmp)) < 0)
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	ok = fprintf(f,
		     "domid %u\nuuid %s\npid %ld\nmonitor %ld\nstart %ld\n"
		     "on_poweroff %d\non_crash %d\n",
		     r->domid, r->uuid, (long)r->pid, (long)r->monitor,
		     (long)r->start, r->on_poweroff, r->on_crash) > 0;
	if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
record_read(const char *name, struct record *r)
{
	char path[PATH_MAX], key[32], val[64];
	FILE *f;
	int n = 0;

	if (!record_name_ok(name)) {
		errno = ENOENT;
		return -1;
	}
	if (record_path(name, "", path, sizeof(path)) < 0)
		return -1;
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	while (fscanf(f, "%31s %63s", key, val) == 2) {
		n++;
		if (strcmp(key, "domid") == 0)
			r->domid = (unsigned)strtoul(val, NULL, 10);
		else if (strcmp(key, "uuid") == 0)
			snprintf(r->uuid, sizeof(r->uuid), "%s", val);
		else if (strcmp(key, "pid") == 0)
			r->pid = (pid_t)strtol(val, NULL, 10);
		else if (strcmp(key, "monitor") == 0)
			r->monitor = (pid_t)strtol(val, NULL, 10);
		else if (strcmp(key, "start") == 0)
			r->start = (time_t)strtol(val, NULL, 10);
		else if (strcmp(key, "on_poweroff") == 0)
			r->on_poweroff = atoi(val);
		else if (strcmp(key, "on_crash") == 0)
			r->on_crash = atoi(val);
	}
	fclose(f);
	if (n < 7) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

struct find_arg {
	unsigned long domid;
	struct record *out;
};

static int
match_domid(const struct record *r, void *arg)
{
	struct find_arg *fa = arg;

	if (r->domid != fa->domid)
		return 0;
	*fa->out = *r;
	return 1;
}

int
record_find(const char *which, struct record *r)
{
	struct find_arg fa = {.out = r};
	char *end;

	if (record_read(which, r) == 0)
		return 0;
	errno = 0;
	fa.domid = strtoul(which, &end, 10);
	if (errno != 0 || *end != '\0' || end == which) {
		errno = ENOENT;
		return -1;
	}
	if (record_foreach(match_domid, &fa) == 1)
		return 0;
	errno = ENOENT;
	return -1;
}

int
record_get(const char *which, struct record *r)
{
	if (record_find(which, r) == 0)
		return 0;
	util_errx("no domain %s", which);
	return -1;
}

void
record_remove(const char *name)
{
	char path[PATH_MAX];

	if (record_path(name, "", path, sizeof(path)) == 0)
		unlink(path);
	if (record_path(name, ".destroying", path, sizeof(path)) == 0)
		unlink(path);
	if (record_path(name, ".cfg", path, sizeof(path)) == 0)
		unlink(path);
}

int
record_mark_destroying(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (record_path(name, ".destroying", path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

bool
record_destroying(const char *name)
{
	char path[PATH_MAX];

	return record_path(name, ".destroying", path, sizeof(path)) == 0 &&
	       access(path, F_OK) == 0;
}

int
record_foreach(int (*fn)(const struct record *r, void *arg), void *arg)
{
	char path[PATH_MAX];
	struct record r;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (host_file(path, sizeof(path), "domains") < 0)
		return -1;
	d = opendir(path);
	if (d == NULL)
		return -1;
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (!record_name_ok(de->d_name) ||
		    record_read(de->d_name, &r) < 0)
			continue;
		ret = fn(&r, arg);
	}
	closedir(d);
	return ret;
}
