# SPDX-License-Identifier: MIT
#
# Scripts that hang, fail or are slow, through xenstore-hotplugd with a
# short --timeout: a hanging script and the children it started are
# killed and the timeout is recorded as hotplug-error with status error;
# a script that fails without saying why, is missing or cannot be
# executed gets the daemon's own message;
# a slow script does not hold up another device, and a removal asked for
# during a slow add waits for it and then runs.  No timing is asserted:
# only the order of outcomes and what is recorded.  A backend driver
# that never reaches InitWait fails the add at --init-timeout.
. tests/lib.sh
. tests/hotplug/lib.sh

start_daemon
xenstore-write /local/domain/0/name Domain-0
img=$RUN/disk.img
: >"$img"

# Hangs, after starting a child of its own (its pid in $RUN/hang.pid).
cat >"$RUN/hang" <<'S'
#!/bin/sh
# Test script: starts a long sleep, records its pid and waits for it.
sleep 1000 &
echo $! >"$RUN/hang.pid"
wait
S
# Fails with status 3 and writes nothing.
cat >"$RUN/fail3" <<'S'
#!/bin/sh
# Test script: fails without recording why.
exit 3
S
# Waits for $RUN/release, then records its action and succeeds.
cat >"$RUN/slow" <<'S'
#!/bin/sh
# Test script: waits until the test releases it, then succeeds.
while [ ! -e "$RUN/release" ]; do
	[ -d "$RUN" ] || exit 1
	sleep 0.05
done
echo "$1" >>"$RUN/slow.out"
exit 0
S
chmod +x "$RUN/hang" "$RUN/fail3" "$RUN/slow"
export RUN

start_hotplugd dom0 --timeout 1 --init-timeout 1
add_vbd 0 3 768 "$img" w script "$RUN/hang"
backend_driver /local/domain/0/backend/vbd/3/768 2
wait_for /local/domain/0/backend/vbd/3/768/hotplug-status error
check_eq timeout "$RUN/hang add timed out after 1 s (killed)" \
	"$(xenstore-read /local/domain/0/backend/vbd/3/768/hotplug-error)"
grep -q "vbd/3/768: hotplug failed: $RUN/hang add timed out" "$RUN/dom0.log" ||
	fail "timeout not logged"
# The whole process group went: the script's sleep too.
i=0
while kill -0 "$(cat "$RUN/hang.pid")" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 400 ] && fail "the hanging script's child survived"
	sleep 0.05
done

add_vbd 0 3 832 "$img" r script "$RUN/fail3"
backend_driver /local/domain/0/backend/vbd/3/832 2
wait_for /local/domain/0/backend/vbd/3/832/hotplug-status error
check_eq exit3 "$RUN/fail3 add failed with exit status 3" \
	"$(xenstore-read /local/domain/0/backend/vbd/3/832/hotplug-error)"

# A backend driver that never reaches InitWait: the add fails, no
# script runs; removal goes as for any failed device.
add_vbd 0 3 1000 "$img" r script "$RUN/fail3"
wait_for /local/domain/0/backend/vbd/3/1000/hotplug-status error
check_eq initwait "backend driver did not reach InitWait (state 2) within 1 s" \
	"$(xenstore-read /local/domain/0/backend/vbd/3/1000/hotplug-error)"
grep -q "vbd/3/1000: $RUN/fail3 add" "$RUN/dom0.log" && fail "add ran anyway"
detach /local/domain/0/backend/vbd/3/1000
wait_gone /local/domain/0/backend/vbd/3/1000
grep -q "vbd/3/1000: $RUN/fail3 remove" "$RUN/dom0.log" || fail "no remove"

# A script that is not there, and one that is not executable.
add_vbd 0 3 896 "$img" r script "$RUN/nosuch"
backend_driver /local/domain/0/backend/vbd/3/896 2
wait_for /local/domain/0/backend/vbd/3/896/hotplug-status error
check_eq noscript "cannot run $RUN/nosuch: No such file or directory" \
	"$(xenstore-read /local/domain/0/backend/vbd/3/896/hotplug-error)"
: >"$RUN/noexec"
add_vbd 0 3 897 "$img" r script noexec
backend_driver /local/domain/0/backend/vbd/3/897 2
wait_for /local/domain/0/backend/vbd/3/897/hotplug-status error
check_eq noexec "cannot run $SCRIPTS/noexec: No such file or directory" \
	"$(xenstore-read /local/domain/0/backend/vbd/3/897/hotplug-error)"
stop_hotplugd dom0
xenstore-rm /local/domain/0/backend

# A relative script name is looked up in --script-dir.
start_hotplugd rel --script-dir "$RUN"
add_vbd 0 3 898 "$img" r script noexec
backend_driver /local/domain/0/backend/vbd/3/898 2
wait_for /local/domain/0/backend/vbd/3/898/hotplug-status error
check_eq noexec "cannot run $RUN/noexec: Permission denied" \
	"$(xenstore-read /local/domain/0/backend/vbd/3/898/hotplug-error)"
stop_hotplugd rel
xenstore-rm /local/domain/0/backend

# No timeout here: the slow script waits for the test.
start_hotplugd slow --timeout 0
add_vbd 0 4 768 "$img" r script "$RUN/slow"
backend_driver /local/domain/0/backend/vbd/4/768 2
wait_file "$RUN/slow.log" "vbd/4/768: $RUN/slow add"
add_vbd 0 5 768 "$img" r
backend_driver /local/domain/0/backend/vbd/5/768 2
wait_for /local/domain/0/backend/vbd/5/768/hotplug-status connected
xenstore-exists /local/domain/0/backend/vbd/4/768/hotplug-status &&
	fail "the slow script finished before it was released"
# Removal while the add still runs: it waits, then remove runs.
detach /local/domain/0/backend/vbd/4/768
touch "$RUN/release"
wait_gone /local/domain/0/backend/vbd/4
check_eq order "add
remove" "$(cat "$RUN/slow.out")"
detach /local/domain/0/backend/vbd/5/768
wait_gone /local/domain/0/backend
stop_hotplugd slow

# Bad options are refused with the usage.
if "$BIN/xenstore-hotplugd" --timeout x 2>"$RUN/usage"; then fail "bad timeout"; fi
grep -q "bad timeout: x" "$RUN/usage" || fail "no message for a bad timeout"
if "$BIN/xenstore-hotplugd" --bogus 2>"$RUN/usage"; then fail "bad option"; fi
grep -q "Usage: xenstore-hotplugd" "$RUN/usage" || fail "no usage"
echo ok
