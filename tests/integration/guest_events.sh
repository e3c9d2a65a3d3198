# Watch events a guest leaves unread are dropped after the watch-event
# timeout (-w, XSA-326), so a guest that stopped reading cannot make the
# daemon keep its events for ever; replies are never dropped.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

start_hyp
start_daemon -w watch-event=3 -T "$RUN/trace"
launch_guest g "watch:x:tok" "events:1" \
	"sleep"
wait_lines "$RUN/g.out" 1 '^event x tok' "guest hangs"

outstanding() {
	"$BIN/xenstore-control" quota "$domid" |
		sed -n 's/^outstanding *: *\([0-9]*\).*/\1/p'
}
# The guest reads nothing more: its ring fills (about 46 events), then
# our queue.  One connection writes them all at once, well within the
# timeout.
for n in $(seq 1 80); do
	printf '1 write /local/domain/%s/x %s\n> 1: OK\n' "$domid" "$n"
done >"$RUN/writes.xs"
"$TOOLS/xs-script" "$RUN/writes.xs" >/dev/null || fail "writes"
[ "$(outstanding)" -gt 10 ] || fail "events did not queue up: $(outstanding)"
sleep 4 # past the timeout
xenstore-write "/local/domain/$domid/x" last
# The new event, and at most one already half written to the ring.
[ "$(outstanding)" -le 2 ] || fail "stale events kept: $(outstanding) queued"
grep -q "watch event on x for domain $domid timed out" "$RUN/trace" ||
	fail "no trace of the dropped events"
