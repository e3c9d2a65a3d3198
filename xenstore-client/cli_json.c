/* SPDX-License-Identifier: MIT */
/*
 * JSON dumps of a subtree (xenstore-ls --json, xenstore-read --json), an
 * extension over Xen's tools.  The only file that includes yajl.
 *
 * One document per subtree:
 *
 *   {"path":"/vm","value":"","perms":["n0"],
 *    "children":{"a":{"value":"1","perms":["n0","r5"],"children":{}}}}
 *
 * "path" is on the top object only.  A value that is not valid UTF-8 is
 * given as "hex" (two lowercase hex digits per byte) instead of "value";
 * a node whose value or permissions cannot be read lacks that member.
 * Children keep the daemon's order.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cli.h"

#define STR(g, s) yajl_gen_string((g), (const unsigned char *)(s), strlen(s))

/* True if yajl takes val as a string, i.e. it is valid UTF-8. */
static bool
is_utf8(const char *val, unsigned int len)
{
	static yajl_gen check;

	if (check == NULL) {
		check = yajl_gen_alloc(NULL);
		if (check == NULL)
			err(1, "yajl_gen_alloc");
		yajl_gen_config(check, yajl_gen_validate_utf8, 1);
	}
	yajl_gen_reset(check, NULL);
	yajl_gen_clear(check);
	return yajl_gen_string(check, (const unsigned char *)val, len) ==
	       yajl_gen_status_ok;
}

static void
gen_value(yajl_gen g, const char *val, unsigned int len)
{
	static const char hexdig[] = "0123456789abcdef";
	char *hex;
	unsigned int i;

	if (is_utf8(val, len)) {
		STR(g, "value");
		yajl_gen_string(g, (const unsigned char *)val, len);
		return;
	}
	hex = malloc((size_t)len * 2 + 1);
	if (hex == NULL)
		err(1, "malloc");
	for (i = 0; i < len; i++) {
		hex[2 * i] = hexdig[(unsigned char)val[i] >> 4];
		hex[2 * i + 1] = hexdig[(unsigned char)val[i] & 15];
	}
	STR(g, "hex");
	yajl_gen_string(g, (const unsigned char *)hex, (size_t)len * 2);
	free(hex);
}

static void
gen_perms(yajl_gen g, struct xs_handle *h, xs_transaction_t t, const char *path)
{
	static const char letters[] = "nrwb";
	struct xs_permissions *perms;
	unsigned int n, i, access;
	char one[MAX_STRLEN(int) + 2];

	perms = xs_get_permissions(h, t, path, &n);
	if (perms == NULL)
		return;
	STR(g, "perms");
	yajl_gen_array_open(g);
	for (i = 0; i < n; i++) {
		access = perms[i].perms & ~(unsigned)XS_PERM_IGNORE;
		if (access > (XS_PERM_READ | XS_PERM_WRITE))
			continue;
		snprintf(one, sizeof(one), "%c%i", letters[access],
			 (int)perms[i].id);
		STR(g, one);
	}
	yajl_gen_array_close(g);
	free(perms);
}

/*
 * One node and everything below it, under key (NULL for the top object,
 * which carries "path" instead).  Returns -1 without emitting anything
 * if the node cannot be listed, so a child that vanished during the walk
 * is simply left out.
 */
static int
gen_node(yajl_gen g, struct xs_handle *h, xs_transaction_t t, const char *path,
	 const char *key)
{
	char **names, *val, *child;
	unsigned int num, len, i;
	size_t plen = strlen(path);

	names = xs_directory(h, t, path, &num);
	if (names == NULL)
		return -1;
	if (key != NULL)
		STR(g, key);
	yajl_gen_map_open(g);
	if (key == NULL) {
		STR(g, "path");
		STR(g, path);
	}
	val = xs_read(h, t, path, &len);
	if (val != NULL)
		gen_value(g, val, len);
	free(val);
	gen_perms(g, h, t, path);
	STR(g, "children");
	yajl_gen_map_open(g);
	for (i = 0; i < num; i++) {
		child = malloc(plen + strlen(names[i]) + 2);
		if (child == NULL)
			err(1, "malloc");
		sprintf(child, "%s%s%s", path, path[plen - 1] == '/' ? "" : "/",
			names[i]);
		gen_node(g, h, t, child, names[i]);
		free(child);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	free(names);
	return 0;
}

int
cli_json(struct xs_handle *h, xs_transaction_t t, const char *path,
	 bool buffered)
{
	const unsigned char *buf;
	size_t len;
	yajl_gen g;
	int r, saved;

	g = yajl_gen_alloc(NULL);
	if (g == NULL)
		err(1, "yajl_gen_alloc");
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	r = gen_node(g, h, t, path, NULL);
	saved = errno;
	if (r == 0) {
		yajl_gen_get_buf(g, &buf, &len);
		if (buffered) {
			cli_out_raw((const char *)buf, len);
			cli_out_raw("\n", 1);
		} else {
			fwrite(buf, 1, len, stdout);
			putchar('\n');
		}
	}
	yajl_gen_free(g);
	errno = saved;
	return r;
}
