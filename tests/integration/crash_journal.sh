# The journal beside the database file (<db>.journal):
#  - kills at random moments while a fold runs all the time (a fold after
#    every 16 changes) lose no acknowledged write, and a fold after them
#    cuts the journal back;
#  - a torn or garbled end of the journal is dropped, logged, and every
#    whole record before it kept;
#  - damage before the end makes the daemon refuse to start, naming the
#    journal; --reset-db then starts empty and keeps both files aside.
. tests/lib.sh

XENSTORED_FOLD_AFTER=16
export XENSTORED_FOLD_AFTER
kill_rounds
# One more change starts a fold of whatever the kills left in the
# journal, and a clean stop waits for it: the journal is then cut back.
start_daemon
xenstore-write /crash/done 1
stop_daemon
acked=$(cat "$RUN"/ack.* | wc -l)
size=$(stat -c %s "$RUN/tdb.journal")
[ "$acked" -gt 100 ] || fail "only $acked writes acknowledged"
[ "$size" -lt 4096 ] || fail "journal of $size bytes after $acked writes: not folded"

# Overwrites, removals and re-creations of the same few paths, folded
# every 7 changes: after a kill the tree is exactly what it was, order
# of children and permissions included.
rm -f "$RUN"/tdb*
XENSTORED_FOLD_AFTER=7 start_daemon
for i in $(seq 1 40); do
	k=$((i % 5))
	case $((i % 4)) in
	0) xenstore-rm "/same/k$k" ;;
	1) xenstore-write "/same/k$k/x" "v$i" "/same/k$((k + 1))" "w$i" ;;
	2) xenstore-chmod "/same/k$k" "n$i" ;;
	3) xenstore-write "/same/k$k" "u$i" ;;
	esac
done
xenstore-ls -p /same >"$RUN/before"
[ "$(wc -l <"$RUN/before")" -gt 3 ] || fail "the test tree is too small"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
rm -f "$RUN/socket" "$RUN/socket_ro" "$RUN/pid"
start_daemon
xenstore-ls -p /same >"$RUN/after"
cmp "$RUN/before" "$RUN/after" || fail "the tree changed across a kill"
stop_daemon
unset XENSTORED_FOLD_AFTER

# Twenty writes, one record each, then a clean stop: the journal holds
# them (no fold before 128k changes).
rm -f "$RUN"/tdb*
start_daemon
for i in $(seq 1 20); do xenstore-write "/torn/n$i" "$i"; done
stop_daemon
cp "$RUN/tdb.journal" "$RUN/journal.whole"
whole=$(stat -c %s "$RUN/journal.whole")

# check_torn FIRST LAST: nodes FIRST..LAST are there, the daemon logged
# the torn end, and the journal was cut back.
check_torn() {
	for i in $(seq "$1" "$2"); do
		check_eq "/torn/n$i" "$i" "$(xenstore-read "/torn/n$i")"
	done
	grep -q "torn record" "$RUN/daemon.err" || fail "torn end not logged"
}

# The last record cut short: it is lost, the others stay.
expect_log
truncate -s $((whole - 3)) "$RUN/tdb.journal"
start_daemon
check_torn 1 19
xenstore-read /torn/n20 2>/dev/null && fail "a torn record was applied"
stop_daemon
# The cut record is gone from the file: new records follow the others.
start_daemon
xenstore-write /torn/n20 again
stop_daemon
start_daemon
check_eq "rewritten after the cut" again "$(xenstore-read /torn/n20)"
stop_daemon

# Garbage after the last record: dropped, every record kept.
cp "$RUN/journal.whole" "$RUN/tdb.journal"
head -c 100 /dev/urandom >> "$RUN/tdb.journal"
start_daemon
check_torn 1 20
stop_daemon
check_eq "journal cut back to its whole records" "$whole" \
	"$(stat -c %s "$RUN/tdb.journal")"

# A damaged byte in the first record, with good ones after it: refused.
cp "$RUN/journal.whole" "$RUN/tdb.journal"
printf 'X' | dd of="$RUN/tdb.journal" bs=1 seek=30 conv=notrunc 2>/dev/null
if timeout 10 env XENSTORED_RUNDIR=$RUN "$BIN/xenstored" -N 2>"$RUN/refused"; then
	fail "started on a journal damaged in the middle"
fi
grep -q "$RUN/tdb.journal" "$RUN/refused" || fail "the refusal does not name the journal"
cmp -s "$RUN/tdb.journal" "$RUN/journal.whole" && fail "journal not damaged by the test"
# --reset-db: starts empty, both files kept aside.
start_daemon --reset-db
xenstore-read /torn/n1 2>/dev/null && fail "--reset-db kept the store"
xenstore-read /tool/xenstored >/dev/null || fail "not serving after --reset-db"
[ -f "$RUN/tdb.damaged" ] || fail "damaged database not kept"
[ -f "$RUN/tdb.journal.damaged" ] || fail "damaged journal not kept"
