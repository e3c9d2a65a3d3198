# A guest's unread watch events count against its memory quota
# (XSA-326): one that sets many watches on a node dom0 keeps writing,
# and stops reading, gets its events dropped at the quota, with a log
# line when dropping starts and one when it stops; dom0 is served
# throughout.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

start_hyp
start_daemon -Q memory=8000
expect_log
watches=""
for t in $(seq 1 32); do watches="$watches watch:x:t$t"; done
launch_guest g $watches "events:32" "sleep"
wait_lines "$RUN/g.out" 32 '^event x' "guest hangs"

memory() {
	"$BIN/xenstore-control" quota "$domid" |
		sed -n 's/^memory *: *\([0-9]*\).*/\1/p'
}
# 200 writes fire 6400 events of about 40 bytes each: 256 KB unread.
for n in $(seq 1 200); do
	printf '1 write /local/domain/%s/x %s\n> 1: OK\n' "$domid" "$n"
done >"$RUN/writes.xs"
"$TOOLS/xs-script" "$RUN/writes.xs" >/dev/null || fail "dom0's writes"
used=$(memory)
[ "$used" -le 8000 ] || fail "guest holds $used bytes over its quota of 8000"
grep -q "domain $domid: dropping watch events" "$RUN/daemon.err" ||
	fail "no log line for the dropped events"
xenstore-read "/local/domain/$domid/x" >/dev/null || fail "dom0 not served"
