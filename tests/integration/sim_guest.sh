#!/bin/sh
# SPDX-License-Identifier: MIT
# A guest on the simulated host talks to xenstored over its ring page
# through libxenstore: reads, writes, directories, permissions, watches
# (events from dom0 and from itself) and transactions, including one that
# dom0 makes conflict so that the guest's commit fails with EAGAIN and is
# retried.  Also: the domain's layout as the toolstack wrote it, xl's
# pause and unpause, and control/shutdown obeyed.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim

# One scripted guest, in the foreground: its output is the test.
xsim create g1 -F -- \
	'domid' 'read name' 'read domid' 'getperms /local/domain/1' \
	'write data/a hello  world' 'read data/a' 'read /local/domain/1/data/a' \
	'mkdir data/d' 'write data/d/x 1' 'write data/d/y 2' 'dir data/d' \
	'getperms data/a' 'setperms data/a n1 r0' 'getperms data/a' \
	'rm data/d' 'read data/d/x' 'read nothere' 'write name evil' \
	'getperms store/port' 'read store/port' 'read /vm' \
	'begin' 'write data/t1 a' 'write data/t2 b' 'read data/t1' 'commit' \
	'read data/t2' 'begin' 'write data/t3 c' 'abort' 'read data/t3' \
	'watch data/w tok' 'wait 1' 'write data/w/deep 1' 'wait 1' \
	'echo done' >"$RUN/g1.out" || fail "guest g1 failed: $(cat "$RUN/g1.out")"
port=$(sed -n 's/^read store\/port = //p' "$RUN/g1.out")
[ -n "$port" ] || fail "no store/port"
expect_output g1 "$RUN/g1.out" <<OUT
domid 1
read name = g1
read domid = 1
getperms /local/domain/1 = n0 r1
write data/a: OK
read data/a = hello  world
read /local/domain/1/data/a = hello  world
mkdir data/d: OK
write data/d/x: OK
write data/d/y: OK
dir data/d = x y
getperms data/a = n1
setperms data/a: OK
getperms data/a = n1 r0
rm data/d: OK
read data/d/x: ENOENT
read nothere: ENOENT
write name: EACCES
getperms store/port = n0 r1
read store/port = $port
read /vm: EACCES
begin: OK
write data/t1: OK
write data/t2: OK
read data/t1 = a
commit: OK
read data/t2 = b
begin: OK
write data/t3: OK
abort: OK
read data/t3: ENOENT
watch data/w tok: OK
event data/w tok
write data/w/deep: OK
event data/w/deep tok
done
OUT
# The guest powered off; its domain and nodes are gone.
wait_for "g1 to go" sh -c "! xsim domid g1"
check_eq "homes left" "0" "$("$BIN/xenstore-list" /local/domain 2>&1)"

# A guest driven line by line: dom0 makes its transaction conflict.
mkfifo "$RUN/in"
xsim create g2 -F <"$RUN/in" >"$RUN/g2.out" 2>&1 &
exec 3>"$RUN/in"
echo 'domid' >&3
wait_for "g2 to boot" has_line "$RUN/g2.out" "domid 2"
echo 'write data/c 10' >&3
echo 'watch data/c w' >&3
echo 'wait 1' >&3
echo 'begin' >&3
echo 'incr data/c' >&3
echo 'mark in-first' >&3
wait_for "g2's transaction" has_line "$RUN/g2.out" "in-first"
# dom0 changes the node the open transaction read and wrote: the commit
# fails with EAGAIN and the block runs again (42 proves it: without the
# retry the guest would have written 11).
"$BIN/xenstore-write" /local/domain/2/data/c 41
echo 'commit' >&3
echo 'wait 1' >&3
# A second conflict, without retry this time.
echo 'begin' >&3
echo 'incr data/c' >&3
echo 'echo held' >&3
echo 'mark in-second' >&3
wait_for "second transaction" has_line "$RUN/g2.out" "in-second"
"$BIN/xenstore-write" /local/domain/2/data/c 100
echo 'try-commit' >&3
echo 'read data/c' >&3
# xl pause / unpause: the domain shows paused and its guest (the vcpu's
# process) stops, so a command sent meanwhile waits; unpaused, it runs.
wait_for "g2's read" grep -q '^read data/c' "$RUN/g2.out"
xsim pause g2 || fail "xsim pause g2"
state() { xsim list | awk '$1 == "g2" { print $5 }'; }
case "$(state)" in *p*) ;; *) fail "g2 not paused: $(state)" ;; esac
check_eq "g2's process" T "$(ps -o stat= -p "$(xsim pid g2)" | cut -c1)"
echo 'echo after-pause' >&3
sleep 0.3
has_line "$RUN/g2.out" "after-pause" && fail "a paused guest ran"
xsim unpause g2 || fail "xsim unpause g2"
wait_for "g2 to run again" has_line "$RUN/g2.out" "after-pause"
case "$(state)" in *p*) fail "g2 still paused: $(state)" ;; esac
xsim pause nothere 2>/dev/null && fail "pausing a domain that is not there"
echo 'sleep' >&3
wait_for "g2 to sleep" has_line "$RUN/g2.out" "sleeping"
xsim shutdown -w g2 || fail "xsim shutdown g2"
exec 3>&-
wait
expect_output g2 "$RUN/g2.out" <<'OUT'
domid 2
write data/c: OK
watch data/c w: OK
event data/c w
begin: OK
in-first
incr data/c = 42
commit: OK
event data/c w
begin: OK
in-second
incr data/c = 43
held
commit: EAGAIN
read data/c = 100
after-pause
sleeping
shutdown poweroff
OUT
check_eq "domains left" "" "$(ls "$SIM/domains" | grep -v '\.log$' || true)"
