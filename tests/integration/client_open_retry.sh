# Opening a connection while the daemon restarts (killed: its socket is
# still there but refuses until the new daemon listens) waits for it, up
# to XENSTORE_RECONNECT_TIMEOUT, as a connection already open does;
# XENSTORE_RECONNECT_TIMEOUT=0 keeps Xen's library's behaviour: the
# refusal at once.
. tests/lib.sh

start_daemon
xenstore-write /retry/x 1
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
[ -S "$RUN/socket" ] || fail "the dead daemon's socket is gone"

if XENSTORE_RECONNECT_TIMEOUT=0 "$BIN/xenstore-read" /retry/x \
	>"$RUN/now.out" 2>&1; then
	fail "a read with no daemon succeeded"
fi
grep -q "refused" "$RUN/now.out" || fail "not refused: $(cat "$RUN/now.out")"

XENSTORE_RECONNECT_TIMEOUT=30 "$BIN/xenstore-read" /retry/x \
	>"$RUN/wait.out" 2>&1 &
reader=$!
background $reader
sleep 0.5
kill -0 $reader 2>/dev/null || fail "the read did not wait: $(cat "$RUN/wait.out")"
start_daemon
wait $reader || fail "the read failed: $(cat "$RUN/wait.out")"
check_eq "read after the restart" 1 "$(cat "$RUN/wait.out")"
stop_daemon
