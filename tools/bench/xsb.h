/* SPDX-License-Identifier: MIT */
/*
 * xs-bench, the project's load generator: the one header shared by its
 * files.  It owns the client side of the wire protocol as the benchmark
 * needs it (buffered, pipelined requests on unix-socket connections), the
 * timing and percentile helpers, the RESULT output format and the
 * workloads' entry points.  It must not link the daemon or the client
 * library: it measures any daemon that speaks the protocol, ours or Xen's.
 *
 * Every figure is printed as one tab-separated line
 *
 *	RESULT	<key>	<value>	<unit>	<figure as text>
 *
 * (tools/bench/run.sh joins two runs on <key>); anything else it prints
 * starts with '#'.  Errors are fatal: a benchmark that half-works gives
 * figures nobody should trust.
 */
#ifndef XSB_H
#define XSB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xs_wire.h"

/* One connection to the daemon, with its own buffers. */
struct xsb_conn {
	int fd;
	uint32_t next_id;
	char *rbuf; /* received bytes [roff, rlen) not yet parsed */
	size_t roff, rlen, rcap;
	char *wbuf; /* queued request bytes not yet written */
	size_t wlen, wcap;
	unsigned long events; /* watch events skipped by xsb_reply() */
};

/* A received message; body is valid until the next receive on its conn. */
struct xsb_msg {
	struct xsd_sockmsg hdr;
	const char *body;
};

/* What the run was asked to do; filled by main.c. */
struct xsb_opts {
	const char *socket;
	int pid;	     /* the daemon's, for /proc/<pid>/status; 0: none */
	const char *prefix;  /* prepended to every key ("" or "fsync.") */
	const char *tag;     /* prepended to every figure text */
	unsigned seq_ops;    /* timed ops per seq figure */
	unsigned tput_ops;   /* ops per tput figure */
	unsigned tx_commits; /* commits per tx figure */
	double tx_cap;	     /* seconds per tx figure at most */
	unsigned watch_rounds;
	unsigned watch_max; /* largest watcher count (1, 10, 100, 1000) */
	unsigned long storm_writes; /* WRITEs of the watched node (storm) */
	unsigned long populate_nodes;
	const char *lu_binary; /* lu: the binary to live-update into */
	bool populate_keep;    /* leave the nodes in (crash.sh's store) */
	bool only_writes;      /* fsync pass: skip the read-only figures */
};

/* --- conn.c: the wire ------------------------------------------------- */

/* Connect to path; dies on failure (the harness waited for the socket). */
struct xsb_conn *xsb_connect(const char *path);
void xsb_close(struct xsb_conn *c);

/*
 * Build a payload of one or two arguments in buf: "a\0" or "a\0b" (b raw,
 * as WRITE wants it) or "a\0b\0" when b_nul.  Returns its length.
 */
size_t xsb_args(char *buf, size_t cap, const char *a, const char *b,
		bool b_nul);

/* Queue one request; returns its req_id.  Nothing is sent yet. */
uint32_t xsb_queue(struct xsb_conn *c, uint32_t type, uint32_t tx,
		   const void *payload, size_t len);

/* Write everything queued, waiting for the socket as needed. */
void xsb_flush(struct xsb_conn *c);

/*
 * Read what the socket has now (the fd is non-blocking).  Returns false
 * if nothing was there; dies when the daemon closed the connection.
 */
bool xsb_fill(struct xsb_conn *c);

/* Take one whole message out of the buffer, if there is one. */
bool xsb_next(struct xsb_conn *c, struct xsb_msg *m);

/* Block until one message (reply or watch event) arrives. */
void xsb_recv(struct xsb_conn *c, struct xsb_msg *m);

/* Block until the next reply, counting watch events in c->events. */
void xsb_reply(struct xsb_conn *c, struct xsb_msg *m);

/* Queue, flush and wait for the reply: one synchronous request. */
void xsb_call(struct xsb_conn *c, uint32_t type, uint32_t tx,
	      const void *payload, size_t len, struct xsb_msg *m);

/* The errno an XS_ERROR reply carries, or 0 for any other message. */
int xsb_error(const struct xsb_msg *m);

/* Synchronous helpers that die on any error reply. */
void xsb_write(struct xsb_conn *c, const char *path, const char *value);
void xsb_mkdir(struct xsb_conn *c, const char *path);
/* Read path into buf (NUL-terminated, truncated to cap); dies on error. */
void xsb_read(struct xsb_conn *c, const char *path, char *buf, size_t cap);

/* Write count nodes "<fmt % i>" = value(i) with window requests in flight. */
void xsb_fill_nodes(struct xsb_conn *c, unsigned long count, unsigned window,
		    void (*name)(unsigned long, char *, size_t),
		    void (*value)(unsigned long, char *, size_t));

/* --- stats.c: time, samples, output ------------------------------------ */

double xsb_now(void);

struct xsb_lat {
	double *v; /* microseconds */
	size_t n, cap;
};

void xsb_lat_add(struct xsb_lat *l, double us);
/* Sorts the samples; p in [0, 100]. */
double xsb_lat_pct(struct xsb_lat *l, double p);
double xsb_lat_mean(const struct xsb_lat *l);
void xsb_lat_free(struct xsb_lat *l);

/* Print one RESULT line; key and text get the run's prefix and tag. */
void xsb_result(const struct xsb_opts *o, const char *key, double value,
		const char *unit, const char *text);
/* printf into a '#' comment line. */
void xsb_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xsb_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * A process's memory in kB: resident (VmRSS, which counts the pages of
 * its shared libraries), its peak (VmHWM), and what is its alone
 * (RssAnon: heap, stacks, private mappings).
 */
struct xsb_mem {
	unsigned long rss, hwm, anon;
};

/* pid's memory; false if unreadable. */
bool xsb_proc_mem(int pid, struct xsb_mem *m);

/* A small deterministic generator (xorshift64). */
uint64_t xsb_rand(uint64_t *state);

/* --- gap.c: what another client sees meanwhile ------------------------ */

struct xsb_gap;

/*
 * Start a separate client (a forked process) that READs path back to
 * back; returns once its first READ came back.  Dies on failure.
 */
struct xsb_gap *xsb_gap_start(const struct xsb_opts *o, const char *path);

/*
 * Stop it and return the longest time one of its READs took, in seconds
 * (the longest gap in service it saw); *reads, if not NULL, gets how many
 * it made.  Frees g.  Dies if a READ failed.
 */
double xsb_gap_stop(struct xsb_gap *g, unsigned long *reads);

/* --- the workloads ------------------------------------------------------ */

void xsb_run_seq(const struct xsb_opts *o);   /* seq.c */
void xsb_run_tput(const struct xsb_opts *o);  /* seq.c */
void xsb_run_tx(const struct xsb_opts *o);    /* tx.c */
void xsb_run_watch(const struct xsb_opts *o); /* watch.c */
void xsb_run_storm(const struct xsb_opts *o); /* watch.c */
void xsb_run_populate(const struct xsb_opts *o);
void xsb_run_lu(const struct xsb_opts *o); /* populate.c */

#endif /* XSB_H */
