# SPDX-License-Identifier: MIT
#
# Network interfaces through xenstore-hotplugd and vif-bridge, with `ip`
# and `brctl` stubbed first on PATH (calls recorded, no real network):
# Xen's arguments and environment reach the script; online puts the vif
# on the configured bridge (or the first one), with its MTU and name,
# through ip or through $XEN_HOTPLUG_BRCTL; offline takes it off; an
# emulated NIC's tap gets its own add/remove run; a missing bridge ends
# in hotplug-error with status error; nothing is left after removal.
. tests/lib.sh
. tests/hotplug/lib.sh

start_daemon
xenstore-write /local/domain/0/name Domain-0

# A recording script: what libxl passes (reference 11.6).
cat >"$RUN/record" <<'REC'
#!/bin/sh
# Records its arguments and hotplug environment, one line each.
{
	echo "args $*"
	for v in script XENBUS_TYPE XENBUS_PATH XENBUS_BASE_PATH vif netdev INTERFACE; do
		eval "echo \"$v=\${$v-unset}\""
	done
} >>"$RUN_REC"
exit 0
REC
chmod +x "$RUN/record"
RUN_REC=$RUN/record.out
export RUN_REC

start_hotplugd dom0
add_vif 0 3 0 script "$RUN/record" gatewaydev eth9
backend_driver /local/domain/0/backend/vif/3/0 2
wait_for /local/domain/0/backend/vif/3/0/hotplug-status connected
detach /local/domain/0/backend/vif/3/0
wait_gone /local/domain/0/backend/vif
cat >"$RUN/expected" <<EOF2
args online type_if=vif
script=$RUN/record
XENBUS_TYPE=vif
XENBUS_PATH=backend/vif/3/0
XENBUS_BASE_PATH=backend
vif=vif3.0
netdev=eth9
INTERFACE=unset
args offline type_if=vif
script=$RUN/record
XENBUS_TYPE=vif
XENBUS_PATH=backend/vif/3/0
XENBUS_BASE_PATH=backend
vif=vif3.0
netdev=eth9
INTERFACE=unset
EOF2
cmp "$RUN/expected" "$RUN_REC" || { diff "$RUN/expected" "$RUN_REC"; fail "script environment"; }

# vif-bridge with ip: the named bridge, then the first bridge.
: >"$CALLS"
add_vif 0 3 1 bridge br1 mtu 9000
backend_driver /local/domain/0/backend/vif/3/1 2
wait_for /local/domain/0/backend/vif/3/1/hotplug-status connected
add_vif 0 4 0 vifname web0
backend_driver /local/domain/0/backend/vif/4/0 2
wait_for /local/domain/0/backend/vif/4/0/hotplug-status connected
detach /local/domain/0/backend/vif/3/1
wait_gone /local/domain/0/backend/vif/3
detach /local/domain/0/backend/vif/4/0
wait_gone /local/domain/0/backend
cat >"$RUN/expected" <<'EOF2'
ip link show dev br1
ip link set dev vif3.1 mtu 9000
ip link set dev vif3.1 master br1
ip link set dev vif3.1 up
ip -o link show type bridge
ip link show dev xenbr0
ip link set dev vif4.0 name web0
ip link set dev web0 master xenbr0
ip link set dev web0 up
ip link set dev vif3.1 nomaster
ip link set dev vif3.1 down
ip link set dev web0 nomaster
ip link set dev web0 down
EOF2
cmp "$RUN/expected" "$CALLS" || { diff "$RUN/expected" "$CALLS"; fail "ip calls"; }
stop_hotplugd dom0

# The same through brctl; and an HVM guest's emulated NIC (vif_ioemu).
: >"$CALLS"
XEN_HOTPLUG_BRCTL=$STUBS/brctl start_hotplugd brctl
add_vif 0 5 2 bridge br1 type vif_ioemu
backend_driver /local/domain/0/backend/vif/5/2 2
wait_for /local/domain/0/backend/vif/5/2/hotplug-status connected
detach /local/domain/0/backend/vif/5/2
wait_gone /local/domain/0/backend
cat >"$RUN/expected" <<'EOF2'
ip link show dev br1
brctl addif br1 vif5.2
ip link set dev vif5.2 up
ip link show dev br1
brctl addif br1 vif5.2-emu
ip link set dev vif5.2-emu up
brctl delif br1 vif5.2
ip link set dev vif5.2 down
brctl delif br1 vif5.2-emu
ip link set dev vif5.2-emu down
EOF2
cmp "$RUN/expected" "$CALLS" || { diff "$RUN/expected" "$CALLS"; fail "brctl calls"; }

# No such bridge: the script's message, status error.
add_vif 0 6 0 bridge nosuchbr
backend_driver /local/domain/0/backend/vif/6/0 2
wait_for /local/domain/0/backend/vif/6/0/hotplug-status error
check_eq nobridge "Could not find bridge device nosuchbr" \
	"$(xenstore-read /local/domain/0/backend/vif/6/0/hotplug-error)"
grep -q "vif/6/0: hotplug failed: Could not find bridge device nosuchbr" \
	"$RUN/brctl.log" || fail "failure not logged"
detach /local/domain/0/backend/vif/6/0
wait_gone /local/domain/0/backend
stop_hotplugd brctl
echo ok
