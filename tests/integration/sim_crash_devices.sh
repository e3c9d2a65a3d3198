#!/bin/sh
# SPDX-License-Identifier: MIT
# dom0's long-lived clients survive a crash restart of xenstored: with a
# guest's disk and NIC Connected, the daemon is killed with SIGKILL
# twice (the second time while a device is being attached); dom0's
# backend drivers and hotplug daemon (our libxenstore: they reconnect
# and register their watches again), the guest's frontends (its ring is
# re-attached) and xsim's waits carry on, and every device ends
# Connected at both ends.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
expect_log
XSIM_RESTART_MS=10
export XSIM_RESTART_MS
start_sim

img=$RUN/disk.img
dd if=/dev/zero of="$img" bs=1024 count=64 2>/dev/null
xsim create g1 -- sleep || fail "xsim create g1"
xsim block-attach g1 "$img" xvda || fail "block-attach"
xsim network-attach g1 || fail "network-attach"
xsim wait -t 10 g1 >"$RUN/wait1.out" 2>&1 ||
	{ cat "$RUN/wait1.out"; fail "xsim wait before the kills"; }

new_pid() { p=$(cat "$SIM/xenstored.pid" 2>/dev/null) &&
	[ "$p" != "$1" ] && alive "$p"; }
kill_daemon() {
	old=$(cat "$SIM/xenstored.pid")
	kill -KILL "$old"
	wait_for "xenstored back" new_pid "$old"
	wait_for "xenstored serving" "$BIN/xenstore-exists" /local
}

kill_daemon
# A second NIC while the daemon dies again under the attach and wait.
(xsim network-attach g1 && xsim wait -t 20 g1) >"$RUN/attach.out" 2>&1 &
attach=$!
sleep 0.2
kill_daemon
wait $attach || { cat "$RUN/attach.out"; fail "attach across a kill"; }
xsim wait -t 10 g1 >"$RUN/wait2.out" 2>&1 ||
	{ cat "$RUN/wait2.out"; fail "xsim wait after the kills"; }
check_eq "NICs" 2 "$(xsim network-list g1 | tail -n +2 | wc -l)"
for p in backend hotplugd; do
	alive "$(cat "$SIM/$p.pid")" || fail "dom0's $p died with xenstored"
done
echo ok
