# SPDX-License-Identifier: MIT
#
# What our tools and library do beyond (or unlike) Xen's: JSON dumps,
# values from standard input, watch depth, xenstore-watch exiting when
# the daemon goes away (Xen's spins), `list -p /`, `chmod -r` on long
# paths; the library's own test program; and the installed files (man
# pages, completion, header, pkg-config) with a program built from them.
. tests/lib.sh
. tests/client/lib.sh
start_daemon
PATH="$OURS:$PATH"
export PATH

# The library against the daemon: threads, paging, features, retry.
"$XS_BUILD/tests/client/api_test" >"$RUN/api.out" || { cat "$RUN/api.out"; fail api_test; }

# The daemon is found as Xen's library finds it: XENSTORED_PATH, else
# $XENSTORED_RUNDIR/socket.
xenstore-write /found yes
check_eq "rundir" "yes" "$(env -u XENSTORED_PATH XENSTORED_RUNDIR="$RUN" xenstore-read /found)"
if env -u XENSTORED_PATH XENSTORED_RUNDIR="$RUN/none" xenstore-read /found 2>"$RUN/err"; then
	fail "read through a missing rundir"
fi
check_eq "missing rundir" "xenstore-read: xs_open: No such file or directory" "$(cat "$RUN/err")"

xenstore-write /j/a hello /j/b "$(printf 'caf\303\251')" /j/c "$(printf '\377x')" /j/d/e ''
xenstore-chmod /j/a r1 b2

# JSON: one document per subtree, checked by a JSON parser.
xenstore-ls --json /j >"$RUN/ls.json"
xenstore-read --json /j/d /j >"$RUN/read.json"
python3 - "$RUN/ls.json" "$RUN/read.json" <<'PY' || fail "JSON output"
import json, sys
t = json.load(open(sys.argv[1]))
assert t["path"] == "/j" and t["value"] == "", t
c = t["children"]
assert list(c) == ["a", "b", "c", "d"], list(c)
assert c["a"]["value"] == "hello" and c["a"]["perms"] == ["r1", "b2"]
assert c["b"]["value"] == "caf\u00e9"
assert "value" not in c["c"] and c["c"]["hex"] == "ff78"
assert c["d"]["children"]["e"] == {"value": "", "perms": ["n0"], "children": {}}
docs = [json.loads(l) for l in open(sys.argv[2])]
assert [d["path"] for d in docs] == ["/j/d", "/j"]
assert docs[1]["children"]["a"]["value"] == "hello"
PY
if xenstore-read --json /nope 2>"$RUN/err"; then fail "read --json of a missing node"; fi
check_eq "read --json missing" "xenstore-read: couldn't read path /nope" "$(cat "$RUN/err")"
if xenstore-list --json /j 2>/dev/null; then fail "--json accepted by list"; fi

# Values from standard input: `-`, byte for byte.
printf 'line 1\nnul:\000 end\\x41' | xenstore-write /in/v -
printf 'line 1\nnul:\000 end\\x41' >"$RUN/want"
xenstore-read -R /in/v >"$RUN/got"
cmp "$RUN/want" "$RUN/got" || fail "stdin value"
echo v2 | xenstore-write /in/a x /in/b - /in/c '\-'
check_eq "stdin among pairs" "x
v2\n
-" "$(xenstore-read /in/a /in/b /in/c)"
if echo x | xenstore-write /in/a - /in/b - 2>"$RUN/err"; then fail "two stdin values"; fi
grep -q "only one value" "$RUN/err" || fail "two stdin values: message"

# list -p of the root: "/name" (Xen 4.17 printed "//name").
check_eq "list -p /" "/found
/j
/in" "$(xenstore-list -p / | grep -v tool)"
check_eq "Debian list -p /" "//in" "$(PATH="$DEB:$PATH" xenstore-list -p / | grep in)"

# chmod -r reaches children of paths longer than 255 bytes.
long=$(printf 'l%.0s' $(seq 1 300))
xenstore-write "/c/$long/child" 1
xenstore-chmod -r /c b5
check_eq "chmod -r long" "b5" "$(xenstore-ls -fp /c | sed -n 's/.*(\(.*\))$/\1/p' | sort -u)"

# Watch with a depth: changes deeper than the depth are not reported.
rm -f "$RUN/depth.out"
xenstore-watch -d 0 -n 2 /dw >"$RUN/depth.out" &
w=$!
i=0
until [ -s "$RUN/depth.out" ]; do
	i=$((i + 1)); [ $i -lt 400 ] || fail "depth watch did not start"
	sleep 0.05
done
xenstore-write /dw/child 1
xenstore-write /dw 2
wait $w || fail "depth watch status"
check_eq "watch -d 0" "/dw
/dw" "$(cat "$RUN/depth.out")"

# xenstore-watch ends with an error when the daemon goes away.
rm -f "$RUN/lost.out"
xenstore-watch /lost >"$RUN/lost.out" 2>"$RUN/lost.err" &
w=$!
i=0
until [ -s "$RUN/lost.out" ]; do
	i=$((i + 1)); [ $i -lt 400 ] || fail "watch did not start"
	sleep 0.05
done
stop_daemon
i=0
while kill -0 $w 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 400 ] || { kill $w; fail "xenstore-watch still running without a daemon"; }
	sleep 0.05
done
if wait $w; then fail "watch exit status after losing the daemon"; fi
check_eq "watch lost" "xenstore-watch: lost the connection to xenstored" "$(cat "$RUN/lost.err")"
if xenstore-read /j/a 2>"$RUN/err"; then fail "read without daemon"; fi
check_eq "no daemon" "xenstore-read: xs_open: No such file or directory" "$(cat "$RUN/err")"
start_daemon

# Installation: every file in its place, and a program built with the
# installed header and pkg-config file.
san=$(basename "$XS_BUILD" | sed -n 's/^san-//p' | tr - ,)
make -s -C "$XS_TOP" SANITIZE="$san" install-client DESTDIR="$RUN/inst" PREFIX=/opt/xs \
	>"$RUN/install.log" 2>&1 || { cat "$RUN/install.log"; fail "make install"; }
I=$RUN/inst/opt/xs
for f in bin/xenstore lib/libxenstore.so.4 lib/libxenstore.a include/xenstore.h \
	lib/pkgconfig/xenstore.pc share/bash-completion/completions/xenstore \
	share/man/man1/xenstore.1 share/man/man3/libxenstore.3; do
	[ -e "$I/$f" ] || fail "not installed: $f"
done
for m in read write rm exists list ls chmod watch; do
	[ -L "$I/bin/xenstore-$m" ] || fail "no link xenstore-$m"
	grep -q '^\.TH' "$I/share/man/man1/xenstore-$m.1" || fail "man page of $m"
done
bash -n "$I/share/bash-completion/completions/xenstore" || fail "completion syntax"
cat >"$RUN/prog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <xenstore.h>
static bool
set(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	return xs_write(h, t, "/installed", arg, 2);
}
int
main(void)
{
	struct xs_handle *h = xs_open(0);
	char *v;

	if (h == NULL || !xs_transaction_retry(h, set, "ok", 0))
		return 1;
	v = xs_read(h, XBT_NULL, "/installed", NULL);
	printf("%s\n", v ? v : "NULL");
	free(v);
	xs_close(h);
	return 0;
}
C
pc() { PKG_CONFIG_PATH=$I/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$RUN/inst pkg-config "$@" xenstore; }
cc -std=c11 -Wall -Werror $(pc --cflags) -o "$RUN/prog" "$RUN/prog.c" $(pc --libs) ||
	fail "build against install"
check_eq "installed library" "ok" "$(with_our_lib env LD_LIBRARY_PATH="$I/lib" "$RUN/prog")"

# Completion: options and paths.
cat >"$RUN/comp.bash" <<'B'
. "$1"
complete -p xenstore-read >/dev/null || exit 1
COMP_WORDS=(xenstore-read /j/); COMP_CWORD=1
_xenstore_complete xenstore-read /j/ xenstore-read
printf '%s\n' "${COMPREPLY[@]}"
COMP_WORDS=(xenstore-ls --f); COMP_CWORD=1
_xenstore_complete xenstore-ls --f xenstore-ls
printf '%s\n' "${COMPREPLY[@]}"
COMP_WORDS=(xenstore wa); COMP_CWORD=1
_xenstore_complete xenstore wa xenstore
printf '%s\n' "${COMPREPLY[@]}"
B
xenstore-write /j/a hello
check_eq completion "/j/a
/j/b
/j/c
/j/d/
--flat
watch" "$(bash "$RUN/comp.bash" "$I/share/bash-completion/completions/xenstore")"
echo ok
