#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make check-interop: check the interop tests' reference material against
# Xen's own cxenstored, so that it stays trustworthy where cxenstored
# cannot run: the transcripts recorded in tests/interop/expected/ must be
# what cxenstored gives now, and the protocol scripts and libxs_test must
# pass against it.  With
# XS_RECORD=1 (make interop-record) the transcripts are re-recorded.
# Skipped, with a note, where cxenstored cannot start.
XS_BUILD=$(cd "${1:-build}" && pwd)
XS_TOP=$(pwd)
export XS_BUILD XS_TOP
. tests/lib.sh
. tests/interop/lib.sh

if ! cx_present; then
	echo "check-interop: skipped: no $XEN_BIN/xenstored or $CX_SHIM"
	exit 0
fi
stale=""
for sc in tests/interop/cli/*.sh; do
	name=$(basename "$sc" .sh)
	start_cxenstored || { echo "check-interop: skipped: cxenstored does not start"; exit 0; }
	sh tests/interop/run-scenario.sh "$sc" >"$RUN/$name.cx"
	stop_any
	if [ "${XS_RECORD:-0}" = 1 ]; then
		cp "$RUN/$name.cx" "$INTEROP/expected/$name.out"
	elif ! cmp -s "$INTEROP/expected/$name.out" "$RUN/$name.cx"; then
		echo "stale: tests/interop/expected/$name.out (make interop-record)"
		show_diff "$INTEROP/expected/$name.out" "$RUN/$name.cx"
		stale="$stale $name"
	fi
done
for script in tests/interop/protocol/*.xs; do
	start_cxenstored
	"$XS_BUILD/tests/xs-script" "$script" >"$RUN/xs-script.out" || {
		cat "$RUN/xs-script.out"
		fail "$script against cxenstored"
	}
	stop_any
done
start_cxenstored
"$XS_BUILD/tests/interop/libxs_test" >"$RUN/libxs.out" || {
	grep -v '^ok ' "$RUN/libxs.out"
	fail "libxs_test against cxenstored"
}
stop_any
[ -z "$stale" ] || fail "recorded transcripts differ from cxenstored:$stale"
echo "check-interop: $(ls tests/interop/cli/*.sh | wc -l) transcripts," \
	"$(ls tests/interop/protocol/*.xs | wc -l) protocol scripts and libxs_test ($(tail -n 1 "$RUN/libxs.out")) match cxenstored"
