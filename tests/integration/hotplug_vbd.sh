# SPDX-License-Identifier: MIT
#
# Disks through xenstore-hotplugd and the block script, against a private
# xenstored: the daemon waits for the backend driver's InitWait, runs
# `block add` (physical-device, physical-device-path, hotplug-status
# connected), runs `block remove` once libxl's removal reached Closed and
# deletes the backend directory and its empty parents; add/remove twice
# on the same device; a missing file, a bad mode and sharing conflicts
# (also two writers at once, which the block lock serialises) end in
# hotplug-error with status error or busy; a directory removed under the
# daemon's feet is forgotten; a restarted daemon does not add a
# connected device again.
. tests/lib.sh
. tests/hotplug/lib.sh

start_daemon
xenstore-write /local/domain/0/name Domain-0
img=$RUN/disk.img
: >"$img"
start_hotplugd dom0

be=/local/domain/0/backend/vbd/3/768
for cycle in 1 2; do
	add_vbd 0 3 768 "$img" w
	# State 1: the backend driver has not probed; nothing runs yet.  A
	# second device, already in InitWait, is handled after that event.
	add_vbd 0 3 832 "$img" w
	backend_driver /local/domain/0/backend/vbd/3/832 2
	wait_for /local/domain/0/backend/vbd/3/832/hotplug-status connected
	if xenstore-exists "$be/hotplug-status"; then
		fail "cycle $cycle: block ran before InitWait"
	fi
	backend_driver "$be" 2
	wait_for "$be/hotplug-status" connected
	check_eq "physical-device-path" "$(readlink -f "$img")" \
		"$(xenstore-read "$be/physical-device-path")"
	ident=$(stat -c '%D %i' "$img")
	check_eq "physical-device" "$(printf '%s:%x' "${ident% *}" "${ident#* }")" \
		"$(xenstore-read "$be/physical-device")"
	xenstore-exists "$be/hotplug-error" && fail "hotplug-error on success"

	detach "$be"
	wait_gone "$be"
	detach /local/domain/0/backend/vbd/3/832
	wait_gone /local/domain/0/backend/vbd/3/832
	# Empty parents go with the last device; the frontend is the
	# toolstack's to remove.
	wait_gone /local/domain/0/backend
	xenstore-exists /local/domain/3/device/vbd/768 || fail "frontend removed"
	xenstore-exists /local/domain/0/name || fail "home damaged"
	xenstore-rm /local/domain/3/device
done
grep -q "block remove" "$RUN/dom0.log" || fail "no remove logged"

# A missing file: the script's message and status error.
add_vbd 0 4 768 "$RUN/nope.img" w
backend_driver /local/domain/0/backend/vbd/4/768 2
wait_for /local/domain/0/backend/vbd/4/768/hotplug-status error
check_eq missing "$RUN/nope.img does not exist." \
	"$(xenstore-read /local/domain/0/backend/vbd/4/768/hotplug-error)"
grep -q "/local/domain/0/backend/vbd/4/768: hotplug failed: $RUN/nope.img does not exist." \
	"$RUN/dom0.log" || fail "failure not logged"
# A failed device is still removed cleanly.
detach /local/domain/0/backend/vbd/4/768
wait_gone /local/domain/0/backend/vbd/4

# A bad mode.
add_vbd 0 4 769 "$img" x
backend_driver /local/domain/0/backend/vbd/4/769 2
wait_for /local/domain/0/backend/vbd/4/769/hotplug-status error
check_eq badmode "bad mode 'x' for $img" \
	"$(xenstore-read /local/domain/0/backend/vbd/4/769/hotplug-error)"
xenstore-rm /local/domain/0/backend/vbd/4

# Sharing: readers may share; a writer may not share with another domain.
add_vbd 0 5 768 "$img" r
backend_driver /local/domain/0/backend/vbd/5/768 2
wait_for /local/domain/0/backend/vbd/5/768/hotplug-status connected
add_vbd 0 6 768 "$img" r
backend_driver /local/domain/0/backend/vbd/6/768 2
wait_for /local/domain/0/backend/vbd/6/768/hotplug-status connected
add_vbd 0 7 768 "$img" w
backend_driver /local/domain/0/backend/vbd/7/768 2
wait_for /local/domain/0/backend/vbd/7/768/hotplug-status busy
case $(xenstore-read /local/domain/0/backend/vbd/7/768/hotplug-error) in
"$img already in use by domain "[56]" (mode r)") ;;
*) fail "sharing error: $(xenstore-read /local/domain/0/backend/vbd/7/768/hotplug-error)" ;;
esac
xenstore-exists /local/domain/0/backend/vbd/7/768/physical-device &&
	fail "physical-device written for a refused device"
detach /local/domain/0/backend/vbd/7/768
wait_gone /local/domain/0/backend/vbd/7
detach /local/domain/0/backend/vbd/6/768
wait_gone /local/domain/0/backend/vbd/6
# Now domain 5 alone reads it: a writer in the same domain is allowed.
add_vbd 0 5 832 "$img" w
backend_driver /local/domain/0/backend/vbd/5/832 2
wait_for /local/domain/0/backend/vbd/5/832/hotplug-status connected

# Two domains ask for the same file writable at once: the block lock
# lets exactly one through, the other is busy.
img2=$RUN/disk2.img
: >"$img2"
add_vbd 0 8 768 "$img2" w
add_vbd 0 9 768 "$img2" w
xenstore-write /local/domain/0/backend/vbd/8/768/state 2 \
	/local/domain/0/backend/vbd/9/768/state 2
for d in 8 9; do
	i=0
	until s=$(xenstore-read /local/domain/0/backend/vbd/$d/768/hotplug-status \
		2>/dev/null) && [ -n "$s" ]; do
		i=$((i + 1))
		[ $i -gt 400 ] && fail "vbd $d: no outcome"
		sleep 0.05
	done
done
check_eq "one of two writers" "busy connected" "$(for d in 8 9; do
	xenstore-read /local/domain/0/backend/vbd/$d/768/hotplug-status
done | sort | tr '\n' ' ' | sed 's/ $//')"
detach /local/domain/0/backend/vbd/8/768
detach /local/domain/0/backend/vbd/9/768
wait_gone /local/domain/0/backend/vbd/8
wait_gone /local/domain/0/backend/vbd/9

# A restarted daemon does not add again what is connected already, and
# removes it when asked, even if that was asked while it was down.
stop_hotplugd dom0
detach /local/domain/0/backend/vbd/5/768
start_hotplugd dom0b
wait_gone /local/domain/0/backend/vbd/5/768
grep -q "vbd/5/768: .*block remove" "$RUN/dom0b.log" || fail "no remove"
add_vbd 0 5 900 "$img" r
backend_driver /local/domain/0/backend/vbd/5/900 2
wait_for /local/domain/0/backend/vbd/5/900/hotplug-status connected
grep -q "vbd/5/768: .* add" "$RUN/dom0b.log" && fail "added twice"
detach /local/domain/0/backend/vbd/5/900
wait_gone /local/domain/0/backend/vbd/5/900
grep -q "vbd/5/900: .*block remove" "$RUN/dom0b.log" || fail "no remove"

# The toolstack removes a directory outright: the daemon runs remove,
# forgets the device, and a new device with that id is added afresh.
xenstore-rm /local/domain/0/backend/vbd/5/832
wait_file "$RUN/dom0b.log" "backend/vbd/5/832 removed"
xenstore-exists /local/domain/0/backend/vbd/5/832 && fail "directory recreated"
add_vbd 0 5 832 "$img" r
backend_driver /local/domain/0/backend/vbd/5/832 2
wait_for /local/domain/0/backend/vbd/5/832/hotplug-status connected
detach /local/domain/0/backend/vbd/5/832
wait_gone /local/domain/0/backend

stop_hotplugd dom0b
echo ok
