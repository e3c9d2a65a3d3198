#!/bin/sh
# SPDX-License-Identifier: MIT
# kill -9 of a guest process on the simulated host: its domain dies, and
# xenstored (told by VIRQ_DOM_EXC) drops its connection, its watches and
# its transaction, deletes the nodes it owned, removes it from the
# permissions of the others, and fires @releaseDomain.  Its accounting
# goes with it: 17 nodes (the 13 the toolstack gave it, 3 of its own, and
# one dom0 made under its data, which inherits its owner), 4 watches (its
# frontend drivers' on device, the script's two, the last for
# control/shutdown), 1 transaction.  The toolstack is told to
# preserve the dead domain, so that what is checked is the daemon's own
# cleanup, not xsim's.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim

mkfifo "$RUN/in"
dom0 <"$RUN/in" >"$RUN/w.out" 2>&1 &
exec 3>"$RUN/in"
printf 'watch @releaseDomain rel\nwait 1\nmark ready\n' >&3
wait_for "the watcher" has_line "$RUN/w.out" "ready"

xsim create g1 -c preserve -- 'write data/mine 1' 'write data/sub/x 2' \
	'watch data w' 'watch /local/domain/1/name n' 'begin' \
	'write data/t 1' 'mark ready' 'sleep' || fail "create g1"
wait_for "g1" has_line "$SIM/domains/g1.log" "ready"
"$BIN/xenstore-write" /local/domain/1/data/by-dom0 x
"$BIN/xenstore-chmod" /tool n0 r1
cat >&3 <<'IN'
isintroduced 1
getperms /tool
read /local/domain/1/data/mine
control quota 1
mark before
IN
wait_for "dom0's look" has_line "$RUN/w.out" "before"

kill -9 "$(xsim pid g1)"
cat >&3 <<'IN'
wait 1
isintroduced 1
getperms /tool
read /local/domain/1/data/mine
read /local/domain/1/data/sub/x
read /local/domain/1/data/by-dom0
read /local/domain/1/name
getperms /local/domain/1
control quota 1
exit
IN
exec 3>&-
wait
# The accounting before the death, whatever else the report shows.
quota() {
	awk -v q="$1" '$1 == q && $2 == ":" { print $3; exit }' "$RUN/w.out"
}
check_eq "nodes of g1" 17 "$(quota nodes)"
check_eq "watches of g1" 4 "$(quota watches)"
check_eq "transactions of g1" 1 "$(quota transactions)"
grep -v -e '^[a-z-]* *: ' -e '^$' "$RUN/w.out" >"$RUN/w.rest"
expect_output watcher "$RUN/w.rest" <<'OUT'
watch @releaseDomain rel: OK
event @releaseDomain rel
ready
isintroduced 1 = yes
getperms /tool = n0 r1
read /local/domain/1/data/mine = 1
control quota = Domain 1:
before
event @releaseDomain rel
isintroduced 1 = no
getperms /tool = n0
read /local/domain/1/data/mine: ENOENT
read /local/domain/1/data/sub/x: ENOENT
read /local/domain/1/data/by-dom0: ENOENT
read /local/domain/1/name = g1
getperms /local/domain/1 = n0
control quota: ENOENT
OUT
# Preserved: dead but listed until destroyed.
xsim list | grep -q '^g1 .* ---scd ' || fail "g1 not listed as crashed: $(xsim list)"
xsim destroy g1 || fail "destroy g1"
check_eq "homes left" "0" "$("$BIN/xenstore-list" /local/domain 2>&1)"
