# SPDX-License-Identifier: MIT
# XSA-326 (a stalled guest's events): events a guest never reads are
# dropped after the watch-event timeout (-w), so a guest that stopped
# reading cannot make the daemon keep them for ever.  The guest stops
# reading with 80 events queued; past the timeout one more change drops
# them, and only the new event (and one half-written) stay.
. tests/security/lib.sh

start_hyp
start_daemon -w watch-event=3
launch_guest g "watch:x:tok" "events:1" "sleep"
wait_for "$RUN/g.out" "^event x tok"
for n in $(seq 1 80); do
	printf '1 write /local/domain/%s/x %s\n> 1: OK\n' "$domid" "$n"
done >"$RUN/writes.xs"
"$TOOLS/xs-script" "$RUN/writes.xs" >/dev/null || fail "writes"
[ "$(usage "$domid" outstanding)" -gt 10 ] ||
	fail "events did not queue up: $(usage "$domid" outstanding)"
sleep 4 # past the timeout
xenstore-write "/local/domain/$domid/x" last
[ "$(usage "$domid" outstanding)" -le 2 ] ||
	fail "stale events kept: $(usage "$domid" outstanding) queued"
