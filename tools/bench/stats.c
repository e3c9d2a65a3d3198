/* SPDX-License-Identifier: MIT */
/*
 * xs-bench's measuring and reporting: the clock, latency samples and their
 * percentiles, the daemon's memory from /proc, and the one place that
 * prints RESULT lines, so that the output format lives in one function.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xsb.h"

double
xsb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
xsb_lat_add(struct xsb_lat *l, double us)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (l->v == NULL)
			xsb_die("out of memory");
	}
	l->v[l->n++] = us;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
xsb_lat_pct(struct xsb_lat *l, double p)
{
	size_t i;

	if (l->n == 0)
		return 0;
	qsort(l->v, l->n, sizeof(*l->v), cmp_double);
	/* Nearest rank: the smallest sample with at least p % at or below. */
	i = (size_t)(p / 100.0 * (double)l->n + 0.999999);
	if (i > 0)
		i--;
	if (i >= l->n)
		i = l->n - 1;
	return l->v[i];
}

double
xsb_lat_mean(const struct xsb_lat *l)
{
	double s = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		s += l->v[i];
	return l->n ? s / (double)l->n : 0;
}

void
xsb_lat_free(struct xsb_lat *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
xsb_result(const struct xsb_opts *o, const char *key, double value,
	   const char *unit, const char *text)
{
	printf("RESULT\t%s%s\t%.6g\t%s\t%s%s\n", o->prefix, key, value, unit,
	       o->tag, text);
	fflush(stdout);
}

void
xsb_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void
xsb_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("xs-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

bool
xsb_proc_mem(int pid, struct xsb_mem *m)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %lu", &m->rss) == 1)
			found |= 1;
		else if (sscanf(line, "VmHWM: %lu", &m->hwm) == 1)
			found |= 2;
		else if (sscanf(line, "RssAnon: %lu", &m->anon) == 1)
			found |= 4;
	}
	fclose(f);
	return found == 7;
}

uint64_t
xsb_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}
