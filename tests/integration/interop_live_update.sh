# Live update across implementations: Xen 4.17's cxenstored (under the
# shim) live-updates into our daemon built against Xen's libraries (make
# XEN=system), which live-updates back into cxenstored, and so on, driven
# by Xen's own xenstore-control, with clients connected throughout: a
# watcher, and a client with an open connection.  Each hand-over keeps
# the pid, the nodes with their permissions and the connections; the
# watch fires afterwards, once per change.  Skipped where cxenstored
# cannot run here.
. tests/lib.sh
. tests/interop/lib.sh

OURS_SYS="$XS_BUILD/xensys/bin/xenstored"
# cxenstored runs under the shim (LD_PRELOAD) and execs the new binary
# with it: a sanitized binary then refuses to start ("ASan runtime does
# not come first").  The plain pass runs this test.
case $XS_BUILD in */san-*)
	echo "SKIP: a sanitized daemon cannot start under cxenstored's shim"
	exit 0
	;;
esac
XCTL="$XEN_BIN/xenstore-control"
if ! cx_present || [ ! -x "$OURS_SYS" ] || [ ! -x "$XCTL" ]; then
	echo "SKIP: cxenstored, the shim or our XEN=system daemon is missing"
	exit 0
fi
start_cxenstored || { echo "SKIP: cxenstored does not start here"; exit 0; }
S=$RUN/cx
xenstore-write /a/b hello /x 1
xenstore-chmod /a/b n0 r3 w5
"$BIN/xenstore-watch" /a >"$RUN/watch.out" 2>&1 &
background $!
python3 "$XS_TOP/tests/tools/xs-hold.py" "wait:$RUN/go" "write:/held=1" \
	>"$RUN/held.out" &
held=$!
background $held

events() { grep -c '^/a' "$RUN/watch.out" || true; }
wait_lines "$RUN/watch.out" 1 '^/a' "the watch's first event"
n=0
for target in "$OURS_SYS" "$XEN_BIN/xenstored" "$OURS_SYS" "$XEN_BIN/xenstored"; do
	n=$((n + 1))
	env XS_SHIM_RUNDIR="$S" "$XCTL" live-update "$target" ||
		fail "live update $n into $target"
	kill -0 "$DAEMON_PID" || fail "the daemon is gone after update $n"
	check_eq "pid after update $n" "$DAEMON_PID" "$(cat "$S/pid")"
	tr '\0' ' ' <"/proc/$DAEMON_PID/cmdline" | grep -q "^$target " ||
		fail "update $n: not running $target"
	check_eq "node after update $n" hello "$(xenstore-read /a/b)"
	check_eq "perms after update $n" "n0 r3 w5" \
		"$(xenstore-ls -p /a | sed -n 's/^b .*(\(.*\))$/\1/p' | tr ',' ' ')"
	xenstore-write "/a/n$n" "$n"
	wait_lines "$RUN/watch.out" $((n + 1)) '^/a' "watch after update $n"
	check_eq "watch events after update $n" $((n + 1)) "$(events)"
done
touch "$RUN/go"
wait $held || fail "the held client"
check_eq "held client" "wait done
write OK" "$(cat "$RUN/held.out")"
sleep 0.2
check_eq "watch events" 5 "$(events)"
stop_any
