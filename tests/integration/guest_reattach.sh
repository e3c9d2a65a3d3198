# One re-attachment for both restarts (guest.h's guest_reattach): a
# guest's ring, event channel and pending work are picked up after a
# crash restart and after a live update, the same way.
#   - the privileged domain on a ring (--priv-domid, not 0) is attached
#     again after a crash like any guest, and nothing is logged;
#   - after a live update the guest's own end of its event channel is
#     known (OWN_CONN), so that a crash restart after the update can
#     bind it again: the guest goes on through both.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

CTL="$BIN/xenstore-control"

# wait_incr NAME N: NAME's guest has finished N increment loops.
wait_incr() {
	i=0
	until [ "$(grep -c '^incr done' "$RUN/$1.out")" -ge "$2" ]; do
		i=$((i + 1))
		[ $i -gt 400 ] && { cat "$RUN/$1.out"; fail "$1 stuck before loop $2"; }
		sleep 0.05
	done
}

crash_restart() {
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	start_daemon "$@"
}

start_hyp
start_daemon --priv-domid 7
LAUNCH_DOMID=7 launch_guest p "incr:5:n" "wait:$RUN/go1" "incr:5:n" \
	"wait:$RUN/end"
launch_guest g "incr:5:m" "wait:$RUN/go1" "incr:5:m" "wait:$RUN/go2" \
	"incr:5:m" "wait:$RUN/end"
wait_incr p 1
wait_incr g 1

crash_restart --priv-domid 7
touch "$RUN/go1"
wait_incr p 2
check_eq "privileged guest's counter" 10 "$("$BIN/xenstore-read" /local/domain/7/n)"
wait_incr g 2

"$CTL" live-update -t 10 "$BIN/xenstored" || fail "live update"
crash_restart --priv-domid 7
touch "$RUN/go2"
wait_incr g 3
check_eq "guest's counter" 15 "$("$BIN/xenstore-read" "/local/domain/$g_domid/m")"
stop_daemon
