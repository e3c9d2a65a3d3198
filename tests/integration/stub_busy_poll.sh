#!/bin/sh
# SPDX-License-Identifier: MIT
# dom0's xenbus device polls before it sleeps, within a bound that
# XENBUS_BUSY_POLL sets (docs/stubdom.md, "dom0's clients"):
#
#   - xsim start passes the bound to xsim-xenbus (-b), which serves;
#   - after a burst of requests, an idle host does not spin: xsim-xenbus
#     uses no CPU to speak of while nothing comes;
#   - a bound that is not a number of microseconds stops the start.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
XENSTORETYPE=domain
export XENSTORETYPE

# cmdline_has PID WORD WORD: WORD WORD follow each other in its argv.
cmdline_has() {
	tr '\0' '\n' <"/proc/$1/cmdline" | grep -A1 -xF -- "$2" | tail -n 1 |
		grep -qxF -- "$3"
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

XENBUS_BUSY_POLL=200 start_sim
xb=$(cat "$SIM/xenbus.pid")
cmdline_has "$xb" -b 200 || fail "xsim-xenbus was not given -b 200"
"$BIN/xenstore-write" /poll/a 1 || fail "write"
check_eq "read" 1 "$("$BIN/xenstore-read" /poll/a)"

# A burst that grows the window to its bound, then nothing: the window
# must close at the first long wait, not keep the CPU busy.
"$BIN/xs-bench" -s "$XENSTORED_PATH" -t seq -n 2000 >"$RUN/bench.out" 2>&1 ||
	{ cat "$RUN/bench.out"; fail "xs-bench seq through the stub"; }
sleep 1
t0=$(cpu_ticks "$xb")
sleep 3
t1=$(cpu_ticks "$xb")
[ $((t1 - t0)) -le 5 ] ||
	fail "xsim-xenbus used $((t1 - t0)) ticks in 3 idle seconds"
xsim stop >"$RUN/stop1.out" 2>&1 || { cat "$RUN/stop1.out"; fail "stop"; }

# Off: -b 0, and it still serves.
XENBUS_BUSY_POLL=0 start_sim
cmdline_has "$(cat "$SIM/xenbus.pid")" -b 0 || fail "no -b 0"
"$BIN/xenstore-write" /poll/b 2 || fail "write, polling off"
check_eq "read, polling off" 2 "$("$BIN/xenstore-read" /poll/b)"
xsim stop >"$RUN/stop2.out" 2>&1 || { cat "$RUN/stop2.out"; fail "stop"; }

XENBUS_BUSY_POLL=soon "$XSIM" -r "$SIM" start >"$RUN/bad.out" 2>&1 &&
	fail "started with XENBUS_BUSY_POLL=soon"
grep -q "usage: xsim-xenbus" "$SIM/xenbus.log" ||
	fail "xsim-xenbus did not refuse -b soon: $(cat "$SIM/xenbus.log")"
echo PASS
