# SPDX-License-Identifier: MIT
#
# A driver domain: a second xenstore-hotplugd serving domain 5 (as
# `xl devd` in that domain would) handles /local/domain/5/backend and
# nothing else, while dom0's daemon handles only dom0's backends.  The
# driver domain's daemon reaches xenstored through dom0's socket here, so
# it hands its scripts an absolute XENBUS_PATH (--absolute-path).
. tests/lib.sh
. tests/hotplug/lib.sh

start_daemon
xenstore-write /local/domain/0/name Domain-0 /local/domain/5/name driver
img=$RUN/disk.img
: >"$img"

start_hotplugd dd5 --domid 5 --absolute-path
# dom0's device first: had dd5 watched it, that event came first.
add_vbd 0 3 768 "$img" w
backend_driver /local/domain/0/backend/vbd/3/768 2
add_vbd 5 3 51712 "$img" r
# The backend directory belongs to the driver domain (libxl's perms).
xenstore-chmod -r /local/domain/5/backend n5 r3
backend_driver /local/domain/5/backend/vbd/3/51712 2
add_vif 5 3 0 bridge br1
backend_driver /local/domain/5/backend/vif/3/0 2
wait_for /local/domain/5/backend/vbd/3/51712/hotplug-status connected
wait_for /local/domain/5/backend/vif/3/0/hotplug-status connected
check_eq path "$(readlink -f "$img")" \
	"$(xenstore-read /local/domain/5/backend/vbd/3/51712/physical-device-path)"
xenstore-exists /local/domain/0/backend/vbd/3/768/hotplug-status &&
	fail "the driver domain's daemon handled dom0's device"
grep -q "/local/domain/0" "$RUN/dd5.log" && fail "dd5 looked at dom0"

start_hotplugd dom0
wait_for /local/domain/0/backend/vbd/3/768/hotplug-status connected
grep -q "/local/domain/5" "$RUN/dom0.log" && fail "dom0 looked at domain 5"

# Removal in the driver domain: its daemon deletes its backend dirs.
detach /local/domain/5/backend/vbd/3/51712
detach /local/domain/5/backend/vif/3/0
wait_gone /local/domain/5/backend
xenstore-exists /local/domain/5/name || fail "driver domain home damaged"
xenstore-exists /local/domain/0/backend/vbd/3/768 || fail "dom0 device removed"
detach /local/domain/0/backend/vbd/3/768
wait_gone /local/domain/0/backend
stop_hotplugd dd5
stop_hotplugd dom0
echo ok
