#!/bin/sh
# SPDX-License-Identifier: MIT
# Crash restart (docs/operations.md): guests increment a node with plain
# requests and another in transactions while xenstored is killed with
# SIGKILL at random moments, again and again, and its supervisor starts
# it again.  Every guest must end with both counts exactly at its rounds
# (nothing lost, nothing applied twice), no guest may see an error, and
# the watch each registered before must fire after the restarts (each
# restart fires it once: nothing else writes to it).
# XS_CRASH_GUESTS, XS_CRASH_ROUNDS and XS_CRASH_KILLS scale it.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
expect_log
guests=${XS_CRASH_GUESTS:-3}
rounds=${XS_CRASH_ROUNDS:-3000}
max_kills=${XS_CRASH_KILLS:-12}
XSIM_RESTART_BURST=1000 XSIM_RESTART_MS=10
export XSIM_RESTART_BURST XSIM_RESTART_MS
start_sim -n

# -t 600: incr-loop is one operation for the guest's hang guard (60 s
# by default), which a loaded machine can outlast.
for g in $(seq 1 "$guests"); do
	xsim create "g$g" -- -t 600 'watch data/w t' 'wait 1' \
		"incr-loop $rounds data/plain data/tx" 'mark done' 'wait 1' 'mark fired' 'sleep' ||
		fail "create g$g"
done

all_done() {
	for g in $(seq 1 "$guests"); do
		has_line "$SIM/domains/g$g.log" done || return 1
	done
}
new_pid() { p=$(cat "$SIM/xenstored.pid" 2>/dev/null) &&
	[ "$p" != "$1" ] && alive "$p"; }

kills=0
while ! all_done && [ $kills -lt "$max_kills" ]; do
	ms=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	sleep "0.$(printf %03d $((ms % 250 + 20)))"
	all_done && break
	old=$(cat "$SIM/xenstored.pid")
	kill -KILL "$old"
	kills=$((kills + 1))
	wait_for "xenstored back after kill $kills" new_pid "$old"
done
wait_for "the guests to finish" all_done
echo "$kills kills"

for g in $(seq 1 "$guests"); do
	log=$SIM/domains/g$g.log
	grep "incr-loop" "$log"
	line=$(grep "^incr-loop $rounds:" "$log") ||
		{ cat "$log"; fail "g$g: no result (an error?)"; }
	set -- $line
	check_eq "g$g plain" "$rounds" "$4"
	check_eq "g$g tx" "$rounds" "$6"
	# The watch fired after the restarts, with nothing written to it.
	wait_for "g$g's watch after the restarts" has_line "$log" fired
	id=$(xsim domid "g$g")
	check_eq "g$g plain in the store" "$rounds" \
		"$("$BIN/xenstore-read" "/local/domain/$id/data/plain")"
	check_eq "g$g tx in the store" "$rounds" \
		"$("$BIN/xenstore-read" "/local/domain/$id/data/tx")"
done
[ $kills -ge 3 ] || fail "only $kills kills: the guests were too fast"
echo ok
