# SPDX-License-Identifier: MIT
#
# Xen's own functional test client, test-xenstore from xen-utils-4.17,
# against our daemon: reads and writes of 1 and 2000 bytes, directories,
# removals, and transactions committed, aborted and in conflict.  Its
# timings are printed but not judged; every test must pass, and it must
# leave the store as it found it.
. tests/lib.sh
. tests/interop/lib.sh

TX="$XEN_BIN/test-xenstore"
[ -x "$TX" ] || fail "$TX missing (xen-utils-4.17, scripts/install-deps.sh)"

start_ours
"$TX" -l >"$RUN/list"
# Three iterations, so that each test also runs on a store it has used.
"$TX" -i 3 >"$RUN/out" 2>&1 || { cat "$RUN/out"; fail "test-xenstore exit $?"; }
if grep -q "failed\|Exhaustive" "$RUN/out"; then
	cat "$RUN/out"
	fail "test-xenstore reported a failure"
fi
# Every listed test ran and reported a time.
check_eq "tests run" "$(wc -l <"$RUN/list")" \
	"$(grep -c ': avg: [0-9]* ns' "$RUN/out")"
cat "$RUN/out"
check_eq "store after test-xenstore" "/tool = \"\"
/tool/xenstored = \"\"
/local = \"\"
/local/domain = \"\"
/local/domain/0 = \"\"" "$(xenstore-ls -f /)"
stop_ours
echo ok
