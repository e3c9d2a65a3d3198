# SPDX-License-Identifier: MIT
# A new binary of ours that cannot take the event channels over: our
# daemon built against Xen's own libraries (make XEN=system), whose
# libxenctrl finds no Xen on the simulated host.  It reads the state but
# cannot have the guests' ports, so it goes back to the old binary, which
# takes everything back and tells the caller why: the guest's ring and
# event channel keep working (its increments, a watch firing on it), a
# guest that dies during the attempt is released afterwards (VIRQ_DOM_EXC
# is bound again), a later update works, and one after it again.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

OTHER="$XS_BUILD/xensys/bin/xenstored"
if [ ! -x "$OTHER" ]; then
	echo "SKIP: no XEN=system daemon ($OTHER): make check-xen-system"
	exit 0
fi
CTL="$BIN/xenstore-control"

start_hyp
start_daemon
expect_log # the failed update is logged
exe=$(readlink "/proc/$DAEMON_PID/exe")
xenstore-write /keep/a 1 /lu/flag 0
xenstore-chmod /lu/flag r0
launch_guest g "incr:20:n" "wait:$RUN/go" "incr:20:n" "watch:/lu/flag:tok" \
	"events:2"
launch_guest doomed "wait:$RUN/never"
wait_lines "$RUN/g.out" 1 '^incr done' "the guest's first increments"

# The doomed guest dies while the update is under way, after the old
# binary's exec (no VIRQ_DOM_EXC is bound then) and before its return.
cat >"$RUN/other" <<EOF
#!/bin/sh
[ "\$1" = --help ] || kill -KILL $doomed_pid
exec "$OTHER" "\$@"
EOF
chmod +x "$RUN/other"
if "$CTL" live-update -t 10 "$RUN/other" 2>"$RUN/fail.err"; then
	fail "an update into a binary without the event channels succeeded"
fi
check_eq "reason" "Starting live update failed:
Error activating new binary: it cannot take the event channels over." \
	"$(cat "$RUN/fail.err")"
grep -q "back in the old binary" "$RUN/daemon.err" ||
	{ cat "$RUN/daemon.err"; fail "the way back is not logged"; }
check_eq "daemon pid" "$DAEMON_PID" "$(cat "$RUN/pid")"
check_eq "the binary" "$exe" "$(readlink "/proc/$DAEMON_PID/exe")"
check_eq "node" 1 "$(xenstore-read /keep/a)"
[ ! -e "$RUN/state_dump" ] || fail "state_dump left behind"

# The guest's ring and event channel still work, both ways.
touch "$RUN/go"
wait_lines "$RUN/g.out" 2 '^incr done' "guest stuck"
check_eq "guest counter" 40 "$(xenstore-read "/local/domain/$g_domid/n")"
wait_lines "$RUN/g.out" 1 '^event /lu/flag tok' "guest's watch"
xenstore-write /lu/flag 1
wait_lines "$RUN/g.out" 2 '^event /lu/flag tok' "guest's event"
check_eq "the guest's events" 2 "$(grep -c '^event /lu/flag tok' "$RUN/g.out")"

# The guest that died meanwhile is released: its home goes.
i=0
while xenstore-exists "/local/domain/$doomed_domid" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "the dead guest is still there"
	sleep 0.05
done

# Updates go on working afterwards.
"$CTL" live-update -t 10 "$BIN/xenstored" || fail "the next update"
check_eq "daemon pid after" "$DAEMON_PID" "$(cat "$RUN/pid")"
check_eq "node after" 1 "$(xenstore-read /keep/a)"
"$CTL" check >/dev/null || fail "check"
echo ok
