#!/bin/sh
# SPDX-License-Identifier: MIT
# Two guests on the simulated host are isolated from each other: guest 1
# can neither read, list, write nor change the permissions of guest 2's
# nodes (EACCES), does not see events for them, and is refused every
# privileged operation (and giving its own node away: EPERM); what
# guest 2 grants it explicitly it can read.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim

mkfifo "$RUN/in1"
xsim create g1 -F <"$RUN/in1" >"$RUN/g1.out" 2>&1 &
g1=$!
exec 3>"$RUN/in1"
echo 'domid' >&3
wait_for "g1 to boot" has_line "$RUN/g1.out" "domid 1"

# Guest 2 fills its home, shares one node with guest 1, and waits.
mkfifo "$RUN/in2"
xsim create g2 -F <"$RUN/in2" >"$RUN/g2.out" 2>&1 &
exec 4>"$RUN/in2"
cat >&4 <<'IN'
write data/secret s2
write data/shared hello
setperms data/shared n2 r1
mark ready
IN
wait_for "g2's nodes" has_line "$RUN/g2.out" "ready"

cat >&3 <<'IN'
read /local/domain/2/data/secret
write /local/domain/2/data/secret stolen
write /local/domain/2/data/new x
mkdir /local/domain/2/data/dir
rm /local/domain/2/data/secret
dir /local/domain/2/data
getperms /local/domain/2/data/secret
setperms /local/domain/2/data/secret n1
read /local/domain/2/name
read /local/domain/2/data/shared
write /local/domain/2/data/shared no
write /local/domain/0/x y
write /tool/x y
write /x y
introduce 5 1 2
release 2
resume 2
set-target 1 2
getdomainpath 2
control print hello
setperms data n0
watch /local/domain/2/data other
watch data mine
wait 2
mark watching
IN
wait_for "g1's watches" has_line "$RUN/g1.out" "watching"
# Guest 2 changes a node g1 may not read, then one it may: the first
# event g1 gets must be the second.
printf 'write data/secret s3\nwrite data/shared bye\n' >&4
echo 'wait 1' >&3
echo 'read /local/domain/2/data/shared' >&3
echo 'exit' >&3
exec 3>&-
wait $g1
# Only now may g2 go (its nodes go with it).
echo 'exit' >&4
exec 4>&-
wait
expect_output g1 "$RUN/g1.out" <<'OUT'
domid 1
read /local/domain/2/data/secret: EACCES
write /local/domain/2/data/secret: EACCES
write /local/domain/2/data/new: EACCES
mkdir /local/domain/2/data/dir: EACCES
rm /local/domain/2/data/secret: EACCES
dir /local/domain/2/data: EACCES
getperms /local/domain/2/data/secret: EACCES
setperms /local/domain/2/data/secret: EACCES
read /local/domain/2/name: EACCES
read /local/domain/2/data/shared = hello
write /local/domain/2/data/shared: EACCES
write /local/domain/0/x: EACCES
write /tool/x: EACCES
write /x: EACCES
introduce 5: EACCES
release 2: EACCES
resume 2: EACCES
set-target 1: EACCES
getdomainpath 2 = /local/domain/2
control print: EACCES
setperms data: EPERM
watch /local/domain/2/data other: OK
watch data mine: OK
event /local/domain/2/data other
event data mine
watching
event /local/domain/2/data/shared other
read /local/domain/2/data/shared = bye
OUT
