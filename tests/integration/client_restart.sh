# Our libxenstore outlives a daemon killed with SIGKILL and restarted:
# a dom0 client incrementing a counter in transactions and writing nodes
# sees no error, its watch is registered again, and no increment is
# lost.  (An increment whose commit was in flight at the kill may count
# twice: the commit answers EAGAIN, and a dom0 socket has no record of
# what the dead daemon applied; guests' rings have: guest_restart.sh.)
. tests/lib.sh

restart() {
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	rm -f "$RUN/socket" "$RUN/socket_ro"
	start_daemon
}

start_daemon
"$XS_BUILD/tests/client/restart_client" 20000 >"$RUN/client.out" 2>&1 &
client=$!
background $client
kills=0
while kill -0 $client 2>/dev/null && [ $kills -lt 8 ]; do
	ms=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
	sleep "0.$((ms % 20 + 5))"
	restart
	kills=$((kills + 1))
done
[ $kills -ge 3 ] || fail "the client ended before 3 kills"
wait $client || { cat "$RUN/client.out"; fail "the client saw an error"; }
commits=$(sed -n 's/^commits //p' "$RUN/client.out")
tx=$("$BIN/xenstore-read" /restart/tx)
[ "$tx" -ge "$commits" ] || fail "increments lost: $tx < $commits"
[ "$tx" -le $((commits + kills)) ] || fail "too many increments: $tx, $kills kills"
echo "ok: $kills kills, $commits commits, counter $tx"
