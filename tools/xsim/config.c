/* SPDX-License-Identifier: MIT */
/*
 * The xl.cfg subset of config.h.  A hand-written recursive-descent
 * parser over one string: a setting is IDENT '=' VALUE, ended by a
 * newline, ';', a comment or the end; only inside [ ... ] do newlines
 * and comments count as blanks, which is what lets a list span lines:
 *
 *   disk = [ '/img/a,raw,xvda,rw',   # first disk
 *            'target=/img/b, vdev=xvdb, access=ro', ]
 *
 * A trailing comma in a list is allowed, as in xl.  Escapes in strings
 * are a backslash before any character (xl's \' \" \\).  Each setting is
 * checked against the table keys[] and stored at once, so a later
 * setting of the same key (a KEY=VALUE on the command line) wins.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

enum vtype { V_STR, V_INT, V_LIST };

struct val {
	enum vtype type;
	long num;
	char str[sizeof(((struct config *)0)->extra)];
	char items[CONFIG_MAX_DEVS][CONFIG_SPEC_LEN];
	unsigned n;
};

struct lex {
	const char *p;
	unsigned line;
	const char *src;
	bool bare;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
lex_err(struct lex *lx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(lx->err, lx->errlen, "%s:%u: %s", lx->src, lx->line, msg);
	return -1;
}

/* Skip blanks and comments; newlines too when in_list. */
static void
skip(struct lex *lx, bool in_list)
{
	for (;;) {
		if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r') {
			lx->p++;
		} else if (*lx->p == '#') {
			while (*lx->p != '\0' && *lx->p != '\n')
				lx->p++;
		} else if (in_list && *lx->p == '\n') {
			lx->line++;
			lx->p++;
		} else {
			return;
		}
	}
}

static int
parse_string(struct lex *lx, char *out, size_t len)
{
	char quote = *lx->p++;
	size_t n = 0;

	while (*lx->p != quote) {
		if (*lx->p == '\0' || *lx->p == '\n')
			return lex_err(lx, "unterminated string");
		if (*lx->p == '\\' && lx->p[1] != '\0' && lx->p[1] != '\n')
			lx->p++;
		if (n + 1 >= len)
			return lex_err(lx, "string longer than %zu bytes",
				       len - 1);
		out[n++] = *lx->p++;
	}
	lx->p++;
	out[n] = '\0';
	return 0;
}

static bool
word_char(char c)
{
	return c != '\0' && !isspace((unsigned char)c) &&
	       strchr(";#,[]'\"", c) == NULL;
}

/* A number, or (bare mode) a word taken as a string. */
static int
parse_word(struct lex *lx, struct val *v)
{
	const char *start = lx->p;
	char *end;
	size_t n;

	while (word_char(*lx->p))
		lx->p++;
	n = (size_t)(lx->p - start);
	if (n == 0)
		return lex_err(lx, "expected a value");
	errno = 0;
	v->num = strtol(start, &end, 0);
	if (end == lx->p && errno == 0) {
		v->type = V_INT;
		snprintf(v->str, sizeof(v->str), "%.*s", (int)n, start);
		return 0;
	}
	if (!lx->bare)
		return lex_err(lx,
			       "expected a string in quotes, a number "
			       "or a list, not %.*s",
			       (int)n, start);
	if (n >= sizeof(v->str))
		return lex_err(lx, "value too long");
	v->type = V_STR;
	memcpy(v->str, start, n);
	v->str[n] = '\0';
	return 0;
}

static int
parse_scalar(struct lex *lx, struct val *v, char *out, size_t len)
{
	if (*lx->p == '\'' || *lx->p == '"') {
		v->type = V_STR;
		return parse_string(lx, out, len);
	}
	if (parse_word(lx, v) < 0)
		return -1;
	if (strlen(v->str) >= len)
		return lex_err(lx, "value too long");
	if (out != v->str)
		strcpy(out, v->str);
	return 0;
}

static int
parse_list(struct lex *lx, struct val *v)
{
	struct val item;

	lx->p++; /* '[' */
	v->type = V_LIST;
	v->n = 0;
	for (;;) {
		skip(lx, true);
		if (*lx->p == ']')
			break;
		if (*lx->p == '\0')
			return lex_err(lx, "unterminated list");
		if (v->n == CONFIG_MAX_DEVS)
			return lex_err(lx, "more than %d list items",
				       CONFIG_MAX_DEVS);
		if (parse_scalar(lx, &item, v->items[v->n],
				 sizeof(v->items[0])) < 0)
			return -1;
		v->n++;
		skip(lx, true);
		if (*lx->p == ',')
			lx->p++;
		else if (*lx->p != ']')
			return lex_err(lx, "expected ',' or ']' in the list");
	}
	lx->p++;
	return 0;
}

/* Where a key's value goes. */
enum ktype { K_STR, K_INT, K_BOOL, K_LIST, K_ACTION };

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	size_t size;
};

#define F(k, field, t)                                                         \
	{                                                                      \
		k, t, offsetof(struct config, field),                          \
			sizeof(((struct config *)0)->field)                    \
	}

static const struct key keys[] = {
	F("name", name, K_STR),
	F("kernel", kernel, K_STR),
	F("extra", extra, K_STR),
	F("cmdline", extra, K_STR),
	F("memory", memory, K_INT),
	F("maxmem", maxmem, K_INT),
	F("vcpus", vcpus, K_INT),
	F("driver_domain", driver_domain, K_BOOL),
	F("on_poweroff", on_poweroff, K_ACTION),
	F("on_crash", on_crash, K_ACTION),
	F("disk", disks, K_LIST),
	F("vif", vifs, K_LIST),
};

static int
store_list(struct lex *lx, struct config *c, const struct key *k,
	   const struct val *v)
{
	unsigned i;
	char(*items)[CONFIG_SPEC_LEN] = (void *)((char *)c + k->off);
	unsigned *n = strcmp(k->name, "disk") == 0 ? &c->ndisks : &c->nvifs;

	if (v->type != V_LIST)
		return lex_err(lx, "%s: expected a list [ '...', ... ]",
			       k->name);
	for (i = 0; i < v->n; i++)
		strcpy(items[i], v->items[i]);
	*n = v->n;
	return 0;
}

static int
store(struct lex *lx, struct config *c, const struct key *k,
      const struct val *v)
{
	char *field = (char *)c + k->off;

	switch (k->type) {
	case K_LIST:
		return store_list(lx, c, k, v);
	case K_INT:
	case K_BOOL:
		if (v->type != V_INT || v->num < 0 ||
		    (k->type == K_BOOL && v->num > 1))
			return lex_err(lx, "%s: expected %s", k->name,
				       k->type == K_BOOL ? "0 or 1"
							 : "a number >= 0");
		if (k->type == K_BOOL)
			*(int *)(void *)field = (int)v->num;
		else
			*(long *)(void *)field = v->num;
		return 0;
	default:
		if (v->type == V_LIST)
			return lex_err(lx, "%s: expected a string", k->name);
		if (k->type == K_ACTION && strcmp(v->str, "destroy") != 0 &&
		    strcmp(v->str, "preserve") != 0)
			return lex_err(lx,
				       "%s: %s is not supported here "
				       "(destroy or preserve)",
				       k->name, v->str);
		if (strlen(v->str) >= k->size)
			return lex_err(lx, "%s: longer than %zu bytes", k->name,
				       k->size - 1);
		strcpy(field, v->str);
		return 0;
	}
}

static int
apply(struct lex *lx, struct config *c, const char *name, const struct val *v)
{
	unsigned i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			return store(lx, c, &keys[i], v);
	fprintf(stderr, "xsim: %s:%u: warning: unknown key %s ignored\n",
		lx->src, lx->line, name);
	return 0;
}

/* One setting: IDENT = VALUE. */
static int
setting(struct lex *lx, struct config *c, struct val *v)
{
	char name[64];
	size_t n = 0;

	while (isalnum((unsigned char)*lx->p) || *lx->p == '_') {
		if (n + 1 >= sizeof(name))
			return lex_err(lx, "key too long");
		name[n++] = *lx->p++;
	}
	name[n] = '\0';
	if (n == 0 || isdigit((unsigned char)name[0]))
		return lex_err(lx, "expected a key");
	skip(lx, false);
	if (*lx->p++ != '=')
		return lex_err(lx, "expected '=' after %s", name);
	skip(lx, false);
	if (*lx->p == '[') {
		if (parse_list(lx, v) < 0)
			return -1;
	} else if (parse_scalar(lx, v, v->str, sizeof(v->str)) < 0) {
		return -1;
	}
	skip(lx, false);
	if (*lx->p != '\0' && *lx->p != '\n' && *lx->p != ';')
		return lex_err(lx, "unexpected '%c' after the value of %s",
			       *lx->p, name);
	return apply(lx, c, name, v);
}

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->memory = -1;
	c->maxmem = -1;
	c->vcpus = -1;
}

int
config_parse(struct config *c, const char *text, const char *source, bool bare,
	     char *err, size_t errlen)
{
	struct lex lx = {text, 1, source, bare, err, errlen};
	struct val *v = malloc(sizeof(*v));
	int r = 0;

	if (v == NULL) {
		snprintf(err, errlen, "%s: out of memory", source);
		return -1;
	}
	while (r == 0) {
		skip(&lx, false);
		if (*lx.p == '\0')
			break;
		if (*lx.p == '\n' || *lx.p == ';') {
			lx.line += *lx.p == '\n';
			lx.p++;
			continue;
		}
		r = setting(&lx, c, v);
	}
	free(v);
	return r;
}

void
config_free_args(char **argv)
{
	char **a;

	for (a = argv; a != NULL && *a != NULL; a++)
		free(*a);
	free(argv);
}

/* One word of config_split_args at *sp into out (as long as s). */
static int
split_word(const char **sp, char *out)
{
	const char *s = *sp;
	char quote = 0;
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (quote == '\'') {
			if (*s == '\'')
				quote = 0;
			else
				out[n++] = *s;
		} else if (quote == '"') {
			if (*s == '"')
				quote = 0;
			else if (*s == '\\' && strchr("\"\\$", s[1]) && s[1])
				out[n++] = *++s;
			else
				out[n++] = *s;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '\\' && s[1] != '\0') {
			out[n++] = *++s;
		} else if (isspace((unsigned char)*s)) {
			break;
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	*sp = s;
	return quote ? -1 : 0;
}

int
config_split_args(const char *s, char ***argvp)
{
	size_t cap = strlen(s) / 2 + 2;
	char **argv = calloc(cap, sizeof(*argv));
	int n = 0;

	if (argv == NULL)
		return -1;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		argv[n] = malloc(strlen(s) + 1);
		if (argv[n] == NULL)
			goto fail;
		if (split_word(&s, argv[n++]) < 0) {
			errno = EINVAL;
			goto fail;
		}
	}
	*argvp = argv;
	return n;
fail:
	config_free_args(argv);
	return -1;
}
