#!/bin/sh
# SPDX-License-Identifier: MIT
# A dom0 watcher on the simulated host sees @introduceDomain when the
# toolstack introduces a new guest and @releaseDomain when it goes, and
# IS_DOMAIN_INTRODUCED follows.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim

mkfifo "$RUN/in"
dom0 <"$RUN/in" >"$RUN/w.out" 2>&1 &
exec 3>"$RUN/in"
cat >&3 <<'IN'
isintroduced 1
watch @introduceDomain intro
watch @releaseDomain rel
wait 2
mark ready
IN
wait_for "the watcher" has_line "$RUN/w.out" "ready"

xsim create g1 -- 'sleep' ||
	fail "create g1"
echo 'wait 1' >&3
echo 'isintroduced 1' >&3
echo 'mark introduced' >&3
wait_for "@introduceDomain" has_line "$RUN/w.out" "introduced"

xsim destroy 1 || fail "destroy g1 by its id"
# Then the daemon notices the death (VIRQ_DOM_EXC) and releases it.
echo 'wait 1' >&3
echo 'isintroduced 1' >&3
echo 'exit' >&3
exec 3>&-
wait
expect_output watcher "$RUN/w.out" <<'OUT'
isintroduced 1 = no
watch @introduceDomain intro: OK
watch @releaseDomain rel: OK
event @introduceDomain intro
event @releaseDomain rel
ready
event @introduceDomain intro
isintroduced 1 = yes
introduced
event @releaseDomain rel
isintroduced 1 = no
OUT
