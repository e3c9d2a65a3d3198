# Live update's rules, as Xen's daemon has them: open transactions are
# waited for until -t, then the update is refused naming the domain and
# the transaction's age, or with -F it goes ahead and the transaction is
# lost (ENOENT); a new transaction waits while an update is pending and
# runs after it.  Updates that fail (no file, not executable, a binary
# that cannot start, one that refuses the state, one that cannot take it
# over) leave the old daemon
# serving with everything intact: nodes, watches, a guest's ring, and a
# guest's death afterwards.  A guest that dies while an update waits is
# released by the new daemon.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

CTL="$BIN/xenstore-control"
HOLD="python3 $XS_TOP/tests/tools/xs-hold.py"

start_hyp
start_daemon
expect_log # the failed updates are logged
xenstore-write /keep/a 1 /lu/flag 0
xenstore-chmod /lu/flag r0
"$BIN/xenstore-watch" /lu/flag >"$RUN/watch.out" 2>&1 &
background $!
launch_guest g "incr:50:n" "wait:$RUN/go" "incr:50:n" "watch:/lu/flag:tok" \
	"events:2" "wait:$RUN/go2"
g_domid=$domid

# --- failures: the old daemon goes on, everything intact ---
# A binary of ours that cannot read the stream goes back to the old one
# through the descriptor it was given, saying why (as lu_restore.c does).
cat >"$RUN/refuses" <<'EOF'
#!/bin/sh
[ "$1" = --help ] && { echo "  --check-state"; exit 0; }
fd=$XENSTORED_LU_FALLBACK_FD
unset XENSTORED_LU_FALLBACK_FD
XENSTORED_LU_REFUSED="it refuses the state" exec "/proc/self/fd/$fd" "$@"
EOF
chmod +x "$RUN/refuses"
: >"$RUN/noexec"
for bin in /nonexistent "$RUN/noexec" /bin/false "$RUN/refuses"; do
	if "$CTL" live-update -t 2 "$bin" 2>"$RUN/fail.err"; then
		fail "live update with $bin succeeded"
	fi
	grep -q "failed:" "$RUN/fail.err" || fail "no reason for $bin"
done
check_eq "refused" "Starting live update failed:
Error activating new binary: it refuses the state." "$(cat "$RUN/fail.err")"
# One that reads the state but cannot take it over (-c gave it a
# database it cannot open) goes back too, and the old binary runs with
# its own command line again, not the one -c gave.
if "$CTL" live-update -t 2 -c "-N --db $RUN/none/tdb" "$BIN/xenstored" \
	2>"$RUN/fail.err"; then
	fail "live update with a database it cannot open succeeded"
fi
check_eq "cannot take over" "Starting live update failed:
Error activating new binary: it cannot take the state over." \
	"$(cat "$RUN/fail.err")"
tr '\0' ' ' <"/proc/$DAEMON_PID/cmdline" | grep -q -- "-F $RUN/pid" ||
	fail "the old binary lost its command line: $(tr '\0' ' ' <"/proc/$DAEMON_PID/cmdline")"
check_eq "daemon pid" "$DAEMON_PID" "$(cat "$RUN/pid")"
check_eq "node after failures" 1 "$(xenstore-read /keep/a)"
touch "$RUN/go"
wait_lines "$RUN/g.out" 2 '^incr done' "guest stuck"
check_eq "guest counter" 100 "$(xenstore-read /local/domain/$g_domid/n)"
[ ! -e "$RUN/state_dump" ] || fail "state_dump left behind"

# --- an open transaction: refused after -t, naming the domain ---
$HOLD start "wait:$RUN/a-go" "write:/t/a=1" "end:T" >"$RUN/a.out" &
background $!
wait_lines "$RUN/a.out" 1 '^start' "the transaction's start"
if "$CTL" live-update -t 1 "$BIN/xenstored" 2>"$RUN/refused.err"; then
	fail "live update with a transaction open"
fi
head -2 "$RUN/refused.err" >"$RUN/refused.head"
check_eq "refusal" "Starting live update failed:
Domains with long running transactions:" "$(cat "$RUN/refused.head")"
grep -Eq '^Domain 0: [12] s$' "$RUN/refused.err" ||
	{ cat "$RUN/refused.err"; fail "refusal names the domain"; }

# --- -F: waits -t, then goes without it; a new transaction waits ---
"$CTL" live-update -F -t 2 "$BIN/xenstored" >"$RUN/forced.out" 2>&1 &
lu=$!
sleep 0.5
$HOLD start "write:/t/b=1" "end:T" >"$RUN/b.out" &
b=$!
background $b
# The guest dies while the update waits.
kill -KILL "$g_pid"
sleep 0.3
[ ! -s "$RUN/b.out" ] || fail "a new transaction ran while an update was pending"
wait $lu || { cat "$RUN/forced.out"; fail "forced live update"; }
wait $b || fail "held transaction"
check_eq "held transaction" "start 1
write OK
end OK" "$(cat "$RUN/b.out")"
touch "$RUN/a-go"
wait_lines "$RUN/a.out" 1 '^end' "lost transaction"
check_eq "lost transaction" "start 1
wait done
write ERROR ENOENT
end ERROR ENOENT" "$(cat "$RUN/a.out")"
check_eq "daemon pid after" "$DAEMON_PID" "$(cat "$RUN/pid")"

# The dead guest is released: its home goes.
i=0
while xenstore-exists "/local/domain/$g_domid" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "the dead guest is still there"
	sleep 0.05
done
xenstore-write /lu/flag 1
wait_lines "$RUN/watch.out" 2 '^/lu/flag' "watch"
check_eq "watch events" 2 "$(grep -c '^/lu/flag' "$RUN/watch.out")"
"$CTL" check >/dev/null || fail "check"
