#!/bin/sh
# SPDX-License-Identifier: MIT
# PV devices on the simulated host.
#
# First on a host started with -n (no backend drivers, no hotplug
# daemon), the test playing both: xsim block-attach and network-attach
# write a guest's frontend and backend directories with Xen's keys and
# permissions (checked with xenstore-ls -p) and wait for InitWait and
# hotplug-status; block-list and network-list print them as xl does;
# detach waits for the backend to close and removes both directories and
# their empty parents; the errors (unknown domain, device exists, no such
# device, bad specs) fail with a message and leave nothing behind.
#
# Then on a full host (dom0's backend drivers and xenstore-hotplugd):
# attach reaches hotplug-status connected, `xsim wait` sees both ends
# Connected with two queues, the simulated network has the interface on
# its bridge, detach runs the remove scripts, concurrent attaches get
# distinct devids, and destroy takes every device with it.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim -n

# ls PATH: xenstore-ls -p without the dots that pad values to a column.
# xenstore-ls -p without the padding; `script` (a path as long as the
# build directory's, which xenstore-ls would cut at 80 columns) is checked
# with xenstore-read instead.
ls_p() {
	"$BIN/xenstore-ls" -p "$1" | grep -v '^ script = ' |
		sed 's/\("[^"]*"\) [ .]*(/\1 (/'
}
LS=$BIN/xenstore-ls
READ=$BIN/xenstore-read
WRITE=$BIN/xenstore-write
SCRIPTS=$XS_BUILD/etc/xen/scripts

# played BACKEND XSIM-ARGS...: run xsim, playing the backend driver
# (InitWait) and the hotplug daemon (connected) of the device it adds.
played() {
	be=$1
	shift
	xsim "$@" >"$RUN/att.out" 2>&1 &
	att=$!
	wait_for "$be/state" "$READ" "$be/state"
	"$WRITE" "$be/state" 2 "$be/hotplug-status" connected
	wait $att || { cat "$RUN/att.out"; fail "xsim $*"; }
	[ -s "$RUN/att.out" ] && { cat "$RUN/att.out"; fail "xsim $* said something"; }
	return 0
}

# g1's kernel runs no frontends (sleep(1) as the kernel): the test
# plays them too.
xsim create g1 -k "$(command -v sleep)" -- 100000 || fail "xsim create g1"
d=$(xsim domid g1)
[ "$d" = 1 ] || fail "g1 is domain $d"
img=$RUN/disk.img
: >"$img"

played /local/domain/0/backend/vbd/1/51712 block-attach g1 "$img" xvda
played /local/domain/0/backend/vif/1/0 network-attach g1 \
	mac=00:16:3e:01:02:03 bridge=br1

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
fails badvdev "bad disk spec 'vdev=hdz,target=$img': bad vdev hdz (xvdX[N], hdX[N], sdX[N] or a number)" \
	block-attach g1 vdev=hdz target="$img"
fails badmode "bad disk spec '$img,xvdb,x': bad access x (r, ro, w or rw)" \
	block-attach g1 "$img" xvdb x
fails badformat "bad disk spec '$img,qcow2,xvdb': format qcow2 is not supported (only raw: the others need QEMU's qdisk)" \
	block-attach g1 "$img" qcow2 xvdb
fails notarget "bad disk spec 'vdev=xvdb': no target" block-attach g1 vdev=xvdb
fails badopt "bad vif spec 'foo=1': unknown key foo" network-attach g1 foo=1
fails badmac "bad vif spec 'mac=zz': bad mac zz (XX:XX:XX:XX:XX:XX)" \
	network-attach g1 mac=zz
fails nobackdom "backend domain nodd does not exist" \
	block-attach g1 "$img" xvdb backend=nodd
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
 state = "2" (n0,r1)
 params = "$img" (n0,r1)
 mode = "w" (n0,r1)
 type = "phy" (n0,r1)
 dev = "xvda" (n0,r1)
 device-type = "disk" (n0,r1)
 removable = "0" (n0,r1)
 bootable = "1" (n0,r1)
 hotplug-status = "connected" (n0,r1)
OUT
[ "$("$READ" /local/domain/0/backend/vbd/1/51712/script)" = "$SCRIPTS/block" ] ||
	fail "vbd script"
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
 state = "2" (n0,r1)
 mac = "00:16:3e:01:02:03" (n0,r1)
 bridge = "br1" (n0,r1)
 handle = "0" (n0,r1)
 type = "vif" (n0,r1)
 hotplug-status = "connected" (n0,r1)
OUT
[ "$("$READ" /local/domain/0/backend/vif/1/0/script)" = "$SCRIPTS/vif-bridge" ] ||
	fail "vif script"
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

# A second disk (xl's key=value form; xvdb1 encodes as (202<<8)|(1<<4)|1),
# a cdrom and an interface with defaults and an mtu (read-only for the
# guest).
played /local/domain/0/backend/vbd/1/51729 block-attach g1 \
	"format=raw, vdev=xvdb1, access=ro, target=$img"
played /local/domain/0/backend/vbd/1/5632 block-attach g1 "phy:$img,,hdc,cdrom"
played /local/domain/0/backend/vif/1/1 network-attach g1 mtu=9000
[ "$("$READ" /local/domain/0/backend/vbd/1/51729/mode)" = r ] ||
	fail "xvdb1 mode"
[ "$("$READ" /local/domain/0/backend/vbd/1/5632/device-type)" = cdrom ] ||
	fail "hdc device-type"
[ "$("$READ" /local/domain/0/backend/vbd/1/5632/params)" = "$img" ] ||
	fail "phy: prefix kept"
[ "$("$READ" /local/domain/0/backend/vbd/1/5632/mode)" = r ] ||
	fail "cdrom mode"
[ "$("$READ" /local/domain/0/backend/vif/1/1/bridge)" = xenbr0 ] ||
	fail "default bridge"
"$READ" /local/domain/1/device/vif/1/mac | grep -qx '00:16:3e:[0-7][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]' ||
	fail "default mac"
"$BIN/xenstore-ls" -p /local/domain/1/device/vif/1 | grep -q 'mtu = "9000".*(n0,r1)' ||
	fail "front mtu not read-only"
mac1=$("$READ" /local/domain/1/device/vif/1/mac)

xsim block-list g1 | sed 's/ *$//' >"$RUN/blist.out" || fail "block-list"
expect_output block_list "$RUN/blist.out" <<OUT
Vdev  BE  handle state evt-ch ring-ref BE-path
5632  0   1      2     -1     -1       /local/domain/0/backend/vbd/1/5632
51712 0   1      2     -1     -1       /local/domain/0/backend/vbd/1/51712
51729 0   1      2     -1     -1       /local/domain/0/backend/vbd/1/51729
OUT
# A frontend's rings and event channel show once it wrote them.
"$WRITE" /local/domain/1/device/vif/0/tx-ring-ref 8 \
	/local/domain/1/device/vif/0/rx-ring-ref 9 \
	/local/domain/1/device/vif/0/event-channel 12 || fail "write rings"
xsim network-list g1 | sed 's/ *$//' >"$RUN/nlist.out" || fail "network-list"
expect_output network_list "$RUN/nlist.out" <<OUT
Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path
0   0  00:16:3e:01:02:03 0      2     12         8/9           /local/domain/0/backend/vif/1/0
1   0  $mac1 1      2     -1        -1/-1          /local/domain/0/backend/vif/1/1
OUT

# xsim wait: not Connected yet, within its timeout.
XSIM_DEVICE_TIMEOUT_MS=300 xsim wait g1 >"$RUN/wait.out" 2>&1 &&
	fail "xsim wait succeeded with devices in InitWait"
has_line "$RUN/wait.out" "xsim: vbd 51712 of domain 1 not connected within 0.3 s: frontend state 1, backend state 2, hotplug-status connected" ||
	{ cat "$RUN/wait.out"; fail "xsim wait message"; }
# A driver's error (xenbus_dev_fatal's error/<node>/error): at once.
"$WRITE" /local/domain/0/error/backend/vbd/1/51712/error "cannot map the ring"
xsim wait -t 20 g1 >"$RUN/wait.out" 2>&1 && fail "xsim wait passed an error"
has_line "$RUN/wait.out" "xsim: vbd 51712 of domain 1 failed: frontend state 1, backend state 2, hotplug-status connected, backend error: cannot map the ring" ||
	{ cat "$RUN/wait.out"; fail "xsim wait error message"; }
"$BIN/xenstore-rm" /local/domain/0/error || fail "rm error"

# Detach: Closing, then the "backend driver" closes; both dirs go.
be=/local/domain/0/backend/vbd/1/51712
xsim block-detach g1 xvda >"$RUN/det.out" 2>&1 &
det=$!
wait_for "backend Closing" sh -c "[ \"\$($READ $be/state)\" = 5 ]"
[ "$("$READ" $be/online)" = 0 ] || fail "online not 0"
"$READ" /local/domain/1/device/vbd/51712/state >/dev/null ||
	fail "frontend removed before the backend closed"
# The driver closes; the "hotplug daemon" (it wrote hotplug-status) runs
# its remove script and deletes the directory, which detach waits for.
"$WRITE" $be/state 6 || fail "write state 6"
sleep 0.3
kill -0 $det 2>/dev/null || { cat "$RUN/det.out"; fail "detach did not wait for the hotplug daemon"; }
"$BIN/xenstore-rm" $be || fail "rm $be"
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
grep -q "did not close within 0.2 s; removing it anyway" "$RUN/det2.out" ||
	fail "no warning on a forced detach"
XSIM_DEVICE_TIMEOUT_MS=200 xsim block-detach g1 hdc 2>/dev/null ||
	fail "block-detach hdc"
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
xsim stop >"$RUN/stop1.out" 2>&1 || { cat "$RUN/stop1.out"; fail "xsim stop"; }

# --- A full host: dom0's backend drivers and xenstore-hotplugd ---------
start_sim
NET=$SIM/net
xsim create g1 -- sleep || fail "xsim create g1 (full host)"
d=$(xsim domid g1)
xsim block-attach g1 "$img" xvda || fail "block-attach (full host)"
xsim network-attach g1 mac=00:16:3e:0a:0b:0c || fail "network-attach (full host)"
xsim wait -t 10 g1 >"$RUN/wait2.out" 2>&1 || { cat "$RUN/wait2.out"; fail "xsim wait"; }
for be in /local/domain/0/backend/vbd/$d/51712 /local/domain/0/backend/vif/$d/0; do
	[ "$("$READ" $be/hotplug-status)" = connected ] || fail "$be: hotplug-status"
	[ "$("$READ" $be/state)" = 4 ] || fail "$be: state"
done
"$READ" /local/domain/0/backend/vbd/$d/51712/physical-device >/dev/null ||
	fail "block script wrote no physical-device"
# One vcpu: one queue, the classic keys.
"$READ" /local/domain/$d/device/vif/0/tx-ring-ref >/dev/null ||
	{ "$LS" -f /local/domain/$d/device; fail "vif rings"; }
# The simulated network: the interface is up on xenbr0.
grep -qx "master xenbr0" "$NET/link/vif$d.0" &&
	grep -qx "state UP" "$NET/link/vif$d.0" ||
	{ cat "$NET/link/vif$d.0"; cat "$SIM/hotplugd.log"; fail "vif$d.0 not on xenbr0"; }

# Detach: the drivers close, hotplugd runs remove and deletes the backend.
xsim block-detach g1 xvda >"$RUN/det3.out" 2>&1 || { cat "$RUN/det3.out"; fail "block-detach"; }
xsim network-detach g1 0 >>"$RUN/det3.out" 2>&1 || { cat "$RUN/det3.out"; fail "network-detach"; }
[ -s "$RUN/det3.out" ] && { cat "$RUN/det3.out"; fail "detach warned"; }
"$READ" /local/domain/0/backend 2>/dev/null && fail "backend left"
wait_for "block remove" grep -q "block: remove backend/vbd/$d/51712" "$SIM/hotplugd.log"
wait_for "vif-bridge offline" grep -q "offline backend/vif/$d/0" "$SIM/hotplugd.log"
[ -e "$NET/link/vif$d.0" ] && fail "vif$d.0 left in the simulated network"

# A vif renamed by its script (vifname) goes with its device all the same.
xsim network-attach g1 vifname=g1-eth0 || fail "network-attach vifname"
xsim wait -t 10 g1 >"$RUN/wait3.out" 2>&1 || { cat "$RUN/wait3.out"; fail "xsim wait vifname"; }
grep -qx "master xenbr0" "$NET/link/g1-eth0" || fail "g1-eth0 not on xenbr0"
xsim network-detach g1 0 || fail "network-detach vifname"
[ -z "$(ls "$NET/link")" ] || fail "links left: $(ls "$NET/link")"

# Concurrent attaches get distinct devids (chosen inside the
# transaction); destroying the domain takes its devices with it.
pids=""
for i in 1 2 3 4; do
	xsim network-attach g1 2>"$RUN/par$i.err" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || { cat "$RUN"/par*.err; fail "concurrent network-attach"; }
done
"$BIN/xenstore-list" /local/domain/$d/device/vif | sort >"$RUN/par.out"
expect_output concurrent "$RUN/par.out" <<OUT
0
1
2
3
OUT
xsim block-attach g1 "$img" 768 || fail "block-attach 768"
xsim wait g1 || fail "xsim wait (5 devices)"
xsim destroy g1 2>"$RUN/destroy.out" || { cat "$RUN/destroy.out"; fail "destroy g1"; }
[ -s "$RUN/destroy.out" ] && { cat "$RUN/destroy.out"; fail "destroy warned"; }
for p in /local/domain/0/backend /libxl/$d /local/domain/$d; do
	"$READ" $p 2>/dev/null && fail "$p left after destroy"
done
# Six vif removals: the first, the renamed one, the 4 concurrent ones.
wait_for "remove scripts" sh -c "[ \$(grep -c 'offline backend/vif/$d/' $SIM/hotplugd.log) = 6 ]"
echo "sim_devices: ok"
