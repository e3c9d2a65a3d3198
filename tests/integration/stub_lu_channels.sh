#!/bin/sh
# SPDX-License-Identifier: MIT
# A xenstore domain's new kernel that cannot take the event channels
# over (docs/stubdom.md, docs/live-update.md): our daemon built against
# Xen's own libraries (make XEN=system), uploaded into the domain, finds
# no Xen there.  It goes back to the old kernel, which takes everything
# back and tells dom0's caller why: the same domain and process, the
# old kernel still running, a guest's ring and event channel working
# both ways (a watch fires on it, its request is answered), a guest
# killed afterwards released (VIRQ_DOM_EXC bound again), and a later
# update works.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
OTHER="$XS_BUILD/xensys/bin/xenstored"
if [ ! -x "$OTHER" ]; then
	echo "SKIP: no XEN=system daemon ($OTHER): make check-xen-system"
	exit 0
fi
XENSTORETYPE=domain
export XENSTORETYPE
expect_log # the failed update is logged
start_sim

pid=$(cat "$SIM/xenstored.pid")
exe=$(readlink "/proc/$pid/exe")
XC="$BIN/xenstore-control"
xsim create g -- 'watch data/w t' 'wait 1' 'incr data/n' 'mark before' \
	'wait 1' 'incr data/n' 'mark after' 'sleep' || fail "create g"
xsim create doomed -c preserve -- 'mark ready' 'sleep' || fail "create doomed"
d=$(xsim domid g)
doomed=$(xsim domid doomed)
wait_for "g" has_line "$SIM/domains/g.log" before
wait_for "doomed" has_line "$SIM/domains/doomed.log" ready

# (Without the way back the host hangs: the tool is given two minutes.)
timeout 120 "$XC" live-update -t 10 "$OTHER" 2>"$RUN/lu.err" &&
	fail "an update into a kernel without the event channels succeeded"
check_eq "reason" "Starting live update failed:
Error activating new binary: it cannot take the event channels over." \
	"$(cat "$RUN/lu.err")"
wait_for "the way back in the log" grep -q "back in the old binary" \
	"$SIM/xenstored.log"
check_eq "its process" "$pid" "$(cat "$SIM/xenstored.pid")"
alive "$pid" || fail "the xenstore domain died"
check_eq "its kernel" "$exe" "$(readlink "/proc/$pid/exe")"

# The guest's ring and event channel work both ways.
"$BIN/xenstore-write" "/local/domain/$d/data/w" 1
wait_for "g's watch after the failed update" has_line \
	"$SIM/domains/g.log" after
check_eq "g's counter" 2 "$("$BIN/xenstore-read" "/local/domain/$d/data/n")"

# A guest that dies is released: the domain is told (VIRQ_DOM_EXC).
kill -9 "$(xsim pid doomed)"
wait_for "the dead guest's release" sh -c \
	"'$BIN/xsim-guest' -s 'isintroduced $doomed' | grep -q '= no'"

"$XC" live-update -t 10 "$BIN/xenstored" || fail "the next update"
check_eq "its process after" "$pid" "$(cat "$SIM/xenstored.pid")"
"$XC" check >/dev/null || fail "check"
echo "PASS"
