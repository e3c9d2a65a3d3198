#!/bin/sh
# SPDX-License-Identifier: MIT
# PV devices on the simulated host: xsim block-attach and network-attach
# write a guest's frontend and backend directories with Xen's keys and
# permissions (checked with xenstore-ls -p), block-list and network-list
# print them as xl does, detach waits for the backend to close (a
# "backend driver" played by hand) and removes both directories and
# their empty parents, and the errors (unknown domain, device exists, no
# such device, bad arguments) fail with a message and leave nothing
# behind.  Then xenstore-hotplugd for dom0 (stub `ip` first on PATH, a
# real file as disk) runs the scripts once the backend reaches InitWait,
# and the devices reach hotplug-status connected and are detached.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim

# ls PATH: xenstore-ls -p without the dots that pad values to a column.
ls_p() { "$BIN/xenstore-ls" -p "$1" | sed 's/\("[^"]*"\) [ .]*(/\1 (/'; }
LS=$BIN/xenstore-ls
READ=$BIN/xenstore-read
WRITE=$BIN/xenstore-write

xsim create g1 -- 'wait 100000' || fail "xsim create g1"
d=$(xsim domid g1)
[ "$d" = 1 ] || fail "g1 is domain $d"
img=$RUN/disk.img
: >"$img"

xsim block-attach g1 "$img" xvda || fail "block-attach xvda"
xsim network-attach g1 mac=00:16:3e:01:02:03 bridge=br1 ||
	fail "network-attach"

# fails NAME EXPECTED-MESSAGE XSIM-ARGS...: xsim fails with that message.
fails() {
	name=$1
	msg=$2
	shift 2
	if xsim "$@" >"$RUN/$name.out" 2>&1; then
		fail "$name: xsim $* succeeded"
	fi
	has_line "$RUN/$name.out" "xsim: $msg" ||
		{ cat "$RUN/$name.out"; fail "$name: wrong message"; }
}

# The same device twice, by name or number: refused, nothing changed.
fails exists "device xvda already exists in domain 1" \
	block-attach g1 /other xvda r
fails exists_num "device 51712 already exists in domain 1" \
	block-attach g1 /other 51712
fails nodom "no domain nope" block-attach nope "$img" xvdb
fails nodom_net "no domain nope" network-attach nope
fails badvdev "bad virtual device hda (xvdX[N] or a number)" \
	block-attach g1 "$img" hda
fails badmode "bad mode x (r or w)" block-attach g1 "$img" xvdb x
fails badopt "bad option foo=1 (mac=XX:XX:XX:XX:XX:XX, bridge=NAME or script=PATH)" \
	network-attach g1 foo=1
fails badmac "bad option mac=zz (mac=XX:XX:XX:XX:XX:XX, bridge=NAME or script=PATH)" \
	network-attach g1 mac=zz
fails nodev "no such device vbd xvdb in domain 1" block-detach g1 xvdb
fails nodev_net "no such device vif 7 in domain 1" network-detach g1 7
fails nodom_det "no domain nope" block-detach nope xvda
fails nodom_list "no domain nope" block-list nope

ls_p /local/domain/1/device/vbd >"$RUN/fvbd.out" || fail "ls vbd frontend"
expect_output vbd_front "$RUN/fvbd.out" <<OUT
51712 = "" (n1,r0)
 backend = "/local/domain/0/backend/vbd/1/51712" (n1,r0)
 backend-id = "0" (n1,r0)
 state = "1" (n1,r0)
 virtual-device = "51712" (n1,r0)
 device-type = "disk" (n1,r0)
OUT
ls_p /local/domain/0/backend/vbd/1 >"$RUN/bvbd.out" || fail "ls vbd backend"
expect_output vbd_back "$RUN/bvbd.out" <<OUT
51712 = "" (n0,r1)
 frontend = "/local/domain/1/device/vbd/51712" (n0,r1)
 frontend-id = "1" (n0,r1)
 online = "1" (n0,r1)
 state = "1" (n0,r1)
 params = "$img" (n0,r1)
 mode = "w" (n0,r1)
 type = "phy" (n0,r1)
 dev = "xvda" (n0,r1)
 device-type = "disk" (n0,r1)
OUT
ls_p /local/domain/1/device/vif >"$RUN/fvif.out" || fail "ls vif frontend"
expect_output vif_front "$RUN/fvif.out" <<OUT
0 = "" (n1,r0)
 backend = "/local/domain/0/backend/vif/1/0" (n1,r0)
 backend-id = "0" (n1,r0)
 state = "1" (n1,r0)
 handle = "0" (n1,r0)
 mac = "00:16:3e:01:02:03" (n1,r0)
OUT
ls_p /local/domain/0/backend/vif/1 >"$RUN/bvif.out" || fail "ls vif backend"
expect_output vif_back "$RUN/bvif.out" <<OUT
0 = "" (n0,r1)
 frontend = "/local/domain/1/device/vif/0" (n0,r1)
 frontend-id = "1" (n0,r1)
 online = "1" (n0,r1)
 state = "1" (n0,r1)
 mac = "00:16:3e:01:02:03" (n0,r1)
 bridge = "br1" (n0,r1)
 script = "/etc/xen/scripts/vif-bridge" (n0,r1)
 handle = "0" (n0,r1)
 type = "vif" (n0,r1)
OUT
"$READ" /local/domain/0/backend/vif/1/0/hotplug-status 2>/dev/null &&
	fail "vif backend has hotplug-status"
"$READ" /libxl/1/device/vbd/51712/backend >"$RUN/copy.out" ||
	fail "no /libxl copy"
has_line "$RUN/copy.out" /local/domain/0/backend/vbd/1/51712 ||
	fail "wrong /libxl copy"

# The guest sees its frontend and may read, not write, its backend.
xsim create g2 -F -- 'read /local/domain/0/backend/vbd/1/51712/mode' \
	'read device/vbd/51712/state' >"$RUN/g2.out" 2>&1 || true
# g2 is another domain: it may read neither.
has_line "$RUN/g2.out" "read /local/domain/0/backend/vbd/1/51712/mode: EACCES" ||
	{ cat "$RUN/g2.out"; fail "g2 reads g1's backend"; }

# A second disk and interface: xvdb1 encodes as (202<<8)|(1<<4)|1.
xsim block-attach g1 "$img" xvdb1 r || fail "block-attach xvdb1"
xsim network-attach g1 || fail "network-attach with defaults"
[ "$("$READ" /local/domain/0/backend/vbd/1/51729/mode)" = r ] ||
	fail "xvdb1 mode"
[ "$("$READ" /local/domain/0/backend/vif/1/1/bridge)" = xenbr0 ] ||
	fail "default bridge"
"$READ" /local/domain/1/device/vif/1/mac | grep -qx '00:16:3e:[0-7][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]' ||
	fail "default mac"
mac1=$("$READ" /local/domain/1/device/vif/1/mac)

xsim block-list g1 | sed 's/ *$//' >"$RUN/blist.out" || fail "block-list"
expect_output block_list "$RUN/blist.out" <<OUT
Vdev  BE  handle state evt-ch ring-ref BE-path
51712 0   1      1     -1     -1       /local/domain/0/backend/vbd/1/51712
51729 0   1      1     -1     -1       /local/domain/0/backend/vbd/1/51729
OUT
# A frontend's rings and event channel show once it wrote them.
"$WRITE" /local/domain/1/device/vif/0/tx-ring-ref 8 \
	/local/domain/1/device/vif/0/rx-ring-ref 9 \
	/local/domain/1/device/vif/0/event-channel 12 || fail "write rings"
xsim network-list g1 | sed 's/ *$//' >"$RUN/nlist.out" || fail "network-list"
expect_output network_list "$RUN/nlist.out" <<OUT
Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path
0   0  00:16:3e:01:02:03 0      1     12         8/9           /local/domain/0/backend/vif/1/0
1   0  $mac1 1      1     -1        -1/-1          /local/domain/0/backend/vif/1/1
OUT

# Detach: Closing, then the "backend driver" closes; both dirs go.
be=/local/domain/0/backend/vbd/1/51712
xsim block-detach g1 xvda >"$RUN/det.out" 2>&1 &
det=$!
wait_for "backend Closing" sh -c "[ \"\$($READ $be/state)\" = 5 ]"
[ "$("$READ" $be/online)" = 0 ] || fail "online not 0"
"$READ" /local/domain/1/device/vbd/51712/state >/dev/null ||
	fail "frontend removed before the backend closed"
"$WRITE" $be/state 6 || fail "write state 6"
wait $det || { cat "$RUN/det.out"; fail "block-detach"; }
[ -s "$RUN/det.out" ] && { cat "$RUN/det.out"; fail "block-detach said something"; }
for p in $be /local/domain/1/device/vbd/51712 /libxl/1/device/vbd/51712; do
	"$READ" "$p" 2>/dev/null && fail "$p left after detach"
done
[ "$("$READ" /local/domain/0/backend/vbd/1/51729/mode)" = r ] ||
	fail "detach took the other disk"

# A backend that never closes: removed anyway after the timeout.
XSIM_DEVICE_TIMEOUT_MS=200 xsim block-detach g1 xvdb1 2>"$RUN/det2.out" ||
	fail "forced block-detach"
grep -q "did not close within 200 ms; removing it anyway" "$RUN/det2.out" ||
	fail "no warning on a forced detach"
XSIM_DEVICE_TIMEOUT_MS=200 xsim network-detach g1 1 2>/dev/null ||
	fail "network-detach 1"
XSIM_DEVICE_TIMEOUT_MS=200 xsim network-detach g1 0 2>/dev/null ||
	fail "network-detach 0"
# Nothing left, empty parents included; the guest's device dir stays.
"$READ" /local/domain/0/backend 2>/dev/null && {
	"$LS" -p /local/domain/0/backend; fail "backend directories left"; }
"$LS" /local/domain/1/device >"$RUN/dev.out"
grep -q "vbd\|vif" "$RUN/dev.out" && { cat "$RUN/dev.out"; fail "frontends left"; }
"$LS" /libxl/1/device >"$RUN/copy2.out"
[ -s "$RUN/copy2.out" ] && { cat "$RUN/copy2.out"; fail "/libxl copies left"; }
xsim block-list g1 | sed 's/ *$//' >"$RUN/blist2.out"
expect_output block_list_empty "$RUN/blist2.out" <<OUT
Vdev  BE  handle state evt-ch ring-ref BE-path
OUT

# --- With xenstore-hotplugd serving dom0 -------------------------------
STUBS=$RUN/stubs
CALLS=$RUN/calls
mkdir -p "$STUBS"
: >"$CALLS"
cat >"$STUBS/ip" <<'STUB'
#!/bin/sh
# Stub ip(8): records the call; br1 is the only bridge.
echo "ip $*" >>"$CALLS"
case "$*" in
"-o link show type bridge") echo "1: br1: <BROADCAST,UP>" ;;
"link show dev br1") ;;
"link show dev "*) exit 1 ;;
esac
exit 0
STUB
chmod +x "$STUBS/ip"
XEN_HOTPLUG_LOCKDIR=$RUN/lock
export CALLS XEN_HOTPLUG_LOCKDIR
PATH=$STUBS:$PATH "$BIN/xenstore-hotplugd" -d 0 -s "$XS_TOP/hotplug/scripts" \
	2>"$RUN/hotplugd.log" &
hp=$!
stop_hotplugd() {
	kill -TERM $hp 2>/dev/null
	wait $hp
}
trap 'st=$?; stop_hotplugd; (exit $st); sim_cleanup' EXIT
trap 'stop_hotplugd; sim_cleanup' INT TERM

xsim block-attach g1 "$img" xvda || fail "block-attach under hotplugd"
xsim network-attach g1 mac=00:16:3e:0a:0b:0c bridge=br1 \
	script="$XS_TOP/hotplug/scripts/vif-bridge" ||
	fail "network-attach under hotplugd"
# The backend driver probes and reaches InitWait; the scripts run.
"$WRITE" /local/domain/0/backend/vbd/1/51712/state 2 || fail "vbd InitWait"
"$WRITE" /local/domain/0/backend/vif/1/0/state 2 || fail "vif InitWait"
for be in /local/domain/0/backend/vbd/1/51712 /local/domain/0/backend/vif/1/0; do
	wait_for "$be connected" sh -c \
		"[ \"\$($READ $be/hotplug-status 2>/dev/null)\" = connected ]" ||
		true
	[ "$("$READ" $be/hotplug-status)" = connected ] || {
		cat "$RUN/hotplugd.log"; fail "$be: hotplug-status"; }
done
"$READ" /local/domain/0/backend/vbd/1/51712/physical-device >/dev/null ||
	fail "block script wrote no physical-device"
grep -q "vif1.0" "$CALLS" || { cat "$CALLS"; fail "vif-bridge did not run ip"; }

# Detach: the driver closes, hotplugd runs remove and deletes the backend.
for dev in "block-detach g1 xvda" "network-detach g1 0"; do
	xsim $dev >"$RUN/det3.out" 2>&1 &
	det=$!
	case $dev in
	block*) be=/local/domain/0/backend/vbd/1/51712 ;;
	*) be=/local/domain/0/backend/vif/1/0 ;;
	esac
	wait_for "$be Closing" sh -c "[ \"\$($READ $be/state 2>/dev/null)\" = 5 ]"
	"$WRITE" $be/state 6
	wait $det || { cat "$RUN/det3.out"; fail "xsim $dev"; }
	[ -s "$RUN/det3.out" ] && { cat "$RUN/det3.out"; fail "xsim $dev warned"; }
	"$READ" $be 2>/dev/null && fail "$be left"
done
"$READ" /local/domain/0/backend 2>/dev/null && fail "backend left"
# Its remove run follows, however the removal raced with ours.
wait_for "vif-bridge offline" grep -qxF "ip link set dev vif1.0 nomaster" "$CALLS"
stop_hotplugd
trap sim_cleanup EXIT INT TERM

# Concurrent attaches get distinct devids (chosen inside the
# transaction); destroying the domain takes its backends with it.
pids=""
for i in 1 2 3 4; do
	xsim network-attach g1 2>"$RUN/par$i.err" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || { cat "$RUN"/par*.err; fail "concurrent network-attach"; }
done
"$BIN/xenstore-list" /local/domain/1/device/vif | sort >"$RUN/par.out"
expect_output concurrent "$RUN/par.out" <<OUT
0
1
2
3
OUT
xsim block-attach g1 "$img" 768 || fail "block-attach 768"
xsim destroy g1 || fail "destroy g1"
for k in vbd vif; do
	"$READ" /local/domain/0/backend/$k/1 2>/dev/null &&
		fail "backend/$k/1 left after destroy"
done
echo "sim_devices: ok"
