/* SPDX-License-Identifier: MIT */
/*
 * Path validation and canonicalisation (path.h).
 */
#include <errno.h>
#include <string.h>
#include <talloc.h>

#include "path.h"

static const char valid_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz"
				  "0123456789-/_@";

static bool
valid_path(const char *p)
{
	size_t len = strlen(p);

	if (len == 0 || strspn(p, valid_chars) != len)
		return false;
	if (strstr(p, "//") != NULL)
		return false;
	if (len > 1 && p[len - 1] == '/')
		return false;
	return true;
}

int
path_canonical(void *ctx, const char *home, const char *in, bool special_ok,
	       char **out)
{
	char *p;

	if (in[0] == '@' && !special_ok)
		return EINVAL;
	if (in[0] == '/' || in[0] == '@')
		p = talloc_strdup(ctx, in);
	else
		p = talloc_asprintf(ctx, "%s/%s", home, in);
	if (p == NULL)
		return ENOMEM;
	if (!valid_path(p) || (in[0] != '@' && p[0] != '/')) {
		talloc_free(p);
		return EINVAL;
	}
	*out = p;
	return 0;
}

bool
path_is_special(const char *path)
{
	return path[0] == '@';
}

size_t
path_quota_len(const char *path)
{
	static const char prefix[] = "/local/domain/";
	size_t len = strlen(path), n = sizeof(prefix) - 1, digits;

	if (strncmp(path, prefix, n) != 0)
		return len;
	digits = strspn(path + n, "0123456789");
	if (digits == 0 || digits > 5 || path[n + digits] != '/')
		return len;
	return len - (n + digits + 1);
}

size_t
path_parent_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path)
		return 1;
	return (size_t)(slash - path);
}

char *
path_parent(void *ctx, const char *path)
{
	return talloc_strndup(ctx, path, path_parent_len(path));
}

bool
path_is_within(const char *parent, const char *child)
{
	size_t n = strlen(parent);

	if (strcmp(parent, "/") == 0)
		return child[0] == '/';
	return strncmp(parent, child, n) == 0 &&
	       (child[n] == '\0' || child[n] == '/');
}

unsigned
path_depth_below(const char *parent, const char *child)
{
	const char *p;
	unsigned depth = 0;

	p = child + strlen(parent);
	if (strcmp(parent, "/") == 0)
		p = child;
	for (; *p != '\0'; p++)
		if (*p == '/')
			depth++;
	return depth;
}
