# SPDX-License-Identifier: MIT
#
# Xen's own functional test client, test-xenstore from xen-utils-4.17:
# reads and writes of 1 and 2000 bytes, directories, removals, and
# transactions committed, aborted and in conflict.  It runs three ways:
# with Debian's libxenstore against our daemon, and with our library
# (LD_LIBRARY_PATH) against our daemon and against Xen's C daemon where
# it runs here.  Our library must leave errno alone after a success, as
# Xen's does: test-xenstore's "rm dir" reads it after a successful
# xs_write.  Timings are printed but not judged; every test must pass,
# and the run must leave the store as it found it.
. tests/lib.sh
. tests/interop/lib.sh
. tests/client/lib.sh

TX="$XEN_BIN/test-xenstore"
[ -x "$TX" ] || fail "$TX missing (xen-utils-4.17, scripts/install-deps.sh)"
"$TX" -l >"$RUN/list"

# home: dom0's home, where test-xenstore works (a relative path), as a
# Xen host has it; test-xenstore would otherwise leave the parents of
# its area behind.
home() {
	/usr/bin/xenstore-exists /local/domain/0 ||
		/usr/bin/xenstore-write /local/domain/0 ""
}

# run_tx NAME [with_our_lib]: test-xenstore, three iterations (so that
# each test also runs on a store it has used), against XENSTORED_PATH.
run_tx() {
	name=$1
	shift
	/usr/bin/xenstore-ls -f / >"$RUN/$name.before"
	rc=0
	"$@" "$TX" -i 3 >"$RUN/$name.out" 2>&1 || rc=$?
	[ $rc -eq 0 ] || { cat "$RUN/$name.out"; fail "$name: test-xenstore exit $rc"; }
	if grep -q "failed\|Exhaustive" "$RUN/$name.out"; then
		cat "$RUN/$name.out"
		fail "$name: test-xenstore reported a failure"
	fi
	# Every listed test ran and reported a time.
	check_eq "$name: tests run" "$(wc -l <"$RUN/list")" \
		"$(grep -c ': avg: [0-9]* ns' "$RUN/$name.out")"
	/usr/bin/xenstore-ls -f / >"$RUN/$name.after"
	cmp -s "$RUN/$name.before" "$RUN/$name.after" ||
		{ diff "$RUN/$name.before" "$RUN/$name.after"; fail "$name: store changed"; }
	echo "$name:"
	cat "$RUN/$name.out"
}

start_ours
home
run_tx "Debian's library, our daemon"
run_tx "our library, our daemon" with_our_lib
stop_ours

if cx_present && start_cxenstored; then
	home
	run_tx "our library, Xen's daemon" with_our_lib
	stop_any
else
	echo "note: Xen's daemon unavailable here; our library ran against ours only"
fi
echo ok
