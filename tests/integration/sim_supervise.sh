#!/bin/sh
# SPDX-License-Identifier: MIT
# xsim start supervises xenstored as Restart=on-failure would: killed
# with SIGKILL it comes back with its tree, its new pid in
# RUNDIR/xenstored.pid; an orderly stop is not restarted; more starts
# than XSIM_RESTART_BURST in XSIM_RESTART_INTERVAL seconds and the
# supervisor gives up, as systemd does.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
expect_log
XSIM_RESTART_BURST=3 XSIM_RESTART_INTERVAL=30 XSIM_RESTART_MS=10
export XSIM_RESTART_BURST XSIM_RESTART_INTERVAL XSIM_RESTART_MS
start_sim -n

"$BIN/xenstore-write" /kept yes
new_pid() { [ "$(cat "$SIM/xenstored.pid" 2>/dev/null)" != "$1" ] &&
	alive "$(cat "$SIM/xenstored.pid")"; }
for round in 1 2; do
	old=$(cat "$SIM/xenstored.pid")
	kill -KILL "$old"
	wait_for "a new xenstored (round $round)" new_pid "$old"
	wait_for "xenstored serving (round $round)" "$BIN/xenstore-exists" /kept
	check_eq "the tree after restart $round" yes \
		"$("$BIN/xenstore-read" /kept)"
done
grep -q "killed by signal 9: restarting" "$SIM/xenstored.log" ||
	fail "the supervisor did not say why it restarted"

# The third start was the last the burst allows.
old=$(cat "$SIM/xenstored.pid")
kill -KILL "$old"
sup=$(cat "$SIM/xenstored-supervisor.pid")
gone() { ! alive "$1"; }
wait_for "the supervisor to give up" gone "$sup"
grep -q "giving up" "$SIM/xenstored.log" || fail "no giving up in the log"
[ ! -e "$SIM/xenstored.pid" ] || fail "a stale pid file is left"
echo ok
