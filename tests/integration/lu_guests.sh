# Live update under load: four guests increment their own counter (a
# READ and a WRITE each) and a shared one (in transactions, again after
# EAGAIN) while the daemon is live-updated round after round, by
# Debian's xenstore-control and by ours in turn (ours also with -v 2),
# and a dom0 client watches.  No increment may be lost or applied twice, no guest may see
# an error, the same process serves throughout, and watches fire
# afterwards, on the rings and on the socket, once each.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

N=${LU_INCREMENTS:-600}
T=${LU_TXN_INCREMENTS:-200}
GUESTS=4
XEN_CONTROL=/usr/lib/xen-4.17/bin/xenstore-control

start_hyp
start_daemon
xenstore-write /shared/c 0 /lu/flag 0
xenstore-chmod /shared/c b0
xenstore-chmod /lu/flag r0
"$BIN/xenstore-watch" /lu/flag >"$RUN/watch.out" 2>&1 &
background $!
for g in $(seq 1 $GUESTS); do
	launch_guest "g$g" "incr:$N:n" "tincr:$T:/shared/c" \
		"wait:$RUN/go" "watch:/lu/flag:tok" "events:2"
done

done_count() { cat "$RUN"/g*.out | grep -c "^incr done" || true; }
rounds=0
while [ "$(done_count)" -lt $((2 * GUESTS)) ] || [ $rounds -lt 10 ]; do
	# Debian's tool, ours, and ours writing version 2 of the stream.
	tool="$BIN/xenstore-control" vers=""
	[ $((rounds % 3)) -eq 1 ] && [ -x "$XEN_CONTROL" ] && tool=$XEN_CONTROL
	[ $((rounds % 3)) -eq 2 ] && vers="-v 2"
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	"$tool" live-update -t 10 $vers "$BIN/xenstored" ||
		fail "live update $rounds with $tool $vers"
	echo "round $rounds: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	rounds=$((rounds + 1))
	[ $rounds -gt 200 ] && { cat "$RUN"/g*.out; fail "guests hang"; }
	kill -0 "$DAEMON_PID" || fail "the daemon is gone"
done
echo "$rounds live updates"
grep -h "incr error" "$RUN"/g*.out && fail "a guest saw an error"

for g in $(seq 1 $GUESTS); do
	eval d=\$g${g}_domid
	check_eq "guest $g's counter" "$N" "$(xenstore-read /local/domain/$d/n)"
done
check_eq "shared counter" "$((GUESTS * T))" "$(xenstore-read /shared/c)"
check_eq "daemon pid" "$DAEMON_PID" "$(cat "$RUN/pid")"

# Watches fire afterwards, once: the guests' and the socket's.
touch "$RUN/go"
for g in $(seq 1 $GUESTS); do
	wait_lines "$RUN/g$g.out" 1 '^event /lu/flag tok' "guest $g's first event"
done
xenstore-write /lu/flag 1
for g in $(seq 1 $GUESTS); do
	wait_lines "$RUN/g$g.out" 2 '^event /lu/flag tok' "guest $g's watch"
done
wait_lines "$RUN/watch.out" 2 '^/lu/flag' "socket watch"
sleep 0.2
for g in $(seq 1 $GUESTS); do
	check_eq "guest $g's watch events" 2 \
		"$(grep -c '^event /lu/flag tok' "$RUN/g$g.out")"
done
check_eq "socket watch events" 2 "$(grep -c '^/lu/flag' "$RUN/watch.out")"
"$BIN/xenstore-control" check >/dev/null || fail "check after the updates"
