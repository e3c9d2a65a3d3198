/* SPDX-License-Identifier: MIT */
/*
 * The toolstack's memory of its guests: one small text file per domain,
 * RUNDIR/domains/NAME, with its id, uuid, the guest's and the monitor's
 * pids, its start time and what to do when it stops; and the marker
 * NAME.destroying that tells the monitor someone else tears it down.
 * The store and the hypervisor are the truth about domains; a record
 * only adds what neither keeps (pids, actions).
 */
#ifndef RECORD_H
#define RECORD_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#define RECORD_NAME_MAX 63

struct record {
	char name[RECORD_NAME_MAX + 1];
	unsigned domid;
	char uuid[64];
	pid_t pid;     /* the guest kernel process */
	pid_t monitor; /* the process that reaps it */
	time_t start;
	int on_poweroff; /* enum dom_action */
	int on_crash;
};

/* True if name is usable: 1-63 of [A-Za-z0-9_-], not "Domain-0". */
bool record_name_ok(const char *name);

/* Write (replace) r's record; 0 or -1 with errno. */
int record_write(const struct record *r);

/* Read the record of name; 0 or -1 with errno (ENOENT: none). */
int record_read(const char *name, struct record *r);

/*
 * The record of which, a name or a domain id; 0 or -1 with errno
 * (ENOENT: none).
 */
int record_find(const char *which, struct record *r);

/* record_find, saying "no domain WHICH" when there is none. */
int record_get(const char *which, struct record *r);

/*
 * Remove name's record, marker and configuration; missing ones are no
 * error.
 */
void record_remove(const char *name);

/* Create or test name's "being destroyed" marker. */
int record_mark_destroying(const char *name);
bool record_destroying(const char *name);

/*
 * Call fn for each record (in no particular order); stops at and
 * returns fn's first non-zero result; -1 with errno if the directory
 * cannot be read.
 */
int record_foreach(int (*fn)(const struct record *r, void *arg), void *arg);

/*
 * The configuration name's guest was built from (RUNDIR/domains/NAME.cfg,
 * domcfg.h) into buf; 0 or -1 (ENAMETOOLONG).
 */
int record_cfg_path(const char *name, char *buf, size_t len);

/* The log of name's guest into buf; 0 or -1 (ENAMETOOLONG). */
int record_log_path(const char *name, char *buf, size_t len);

#endif /* RECORD_H */
