#!/bin/sh
# SPDX-License-Identifier: MIT
# Devices that cannot attach end clean: xsim exits 1 with a message
# naming the device and the reason, and no node is left under
# /local/domain/*/device, /local/domain/*/backend or /libxl/*/device.
#
# On a full host: a script that fails (its hotplug-error is reported), a
# disk whose file is missing (the block script's error), a backend
# domain with no backend drivers (no InitWait), and xsim create with a
# failing disk (no domain left).  On a bare host (-n) with the test's
# own xenstore-hotplugd -t 1 and backend drivers: a script that hangs
# (killed at the daemon's timeout) and one slower than xsim's own
# timeout; then with no backend drivers at all.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim
READ=$BIN/xenstore-read
LS=$BIN/xenstore-ls
img=$RUN/disk.img
: >"$img"

# no_leaks WHAT: no device, backend or /libxl device node anywhere.
no_leaks() {
	"$LS" -f / >"$RUN/all.out" || fail "$1: xenstore-ls"
	if grep -E '^/local/domain/[0-9]+/device/(vbd|vif)|^/local/domain/[0-9]+/backend|^/libxl/[0-9]+/device/' \
		"$RUN/all.out"; then
		fail "$1: nodes left"
	fi
}

# must_fail NAME MESSAGE XSIM-ARGS...: exit 1, with that line.
must_fail() {
	name=$1
	msg=$2
	shift 2
	st=0
	xsim "$@" >"$RUN/$name.out" 2>&1 || st=$?
	[ "$st" = 1 ] || { cat "$RUN/$name.out"; fail "$name: exit $st"; }
	has_line "$RUN/$name.out" "$msg" ||
		{ cat "$RUN/$name.out"; fail "$name: wrong message"; }
	no_leaks "$name"
}

cat >"$RUN/fail.sh" <<'SCRIPT'
#!/bin/sh
# A hotplug script that refuses every add (online for a vif), as Xen's
# scripts do.
[ "$1" = add ] || [ "$1" = online ] || exit 0
xenstore-write "$XENBUS_PATH/hotplug-error" "volume is offline" \
	"$XENBUS_PATH/hotplug-status" error
exit 1
SCRIPT
chmod +x "$RUN/fail.sh"

xsim create g1 -- sleep || fail "create g1"
d=$(xsim domid g1)
must_fail script "xsim: hotplug script for vbd 51712 of domain $d (dom0) failed (hotplug-status error): volume is offline" \
	block-attach g1 "$img" xvda script="$RUN/fail.sh"
must_fail missing "xsim: hotplug script for vbd 51712 of domain $d (dom0) failed (hotplug-status error): $RUN/none.img does not exist." \
	block-attach g1 "$RUN/none.img" xvda
must_fail vifscript "xsim: hotplug script for vif 0 of domain $d (dom0) failed (hotplug-status error): volume is offline" \
	network-attach g1 script="$RUN/fail.sh"
# A domain that runs no backend drivers cannot be a backend.
xsim create plain -- sleep || fail "create plain"
p=$(xsim domid plain)
XSIM_DEVICE_TIMEOUT_MS=500 must_fail nodrivers \
	"xsim: backend for vbd 51712 of domain $d (dom$p) did not reach InitWait within 0.5 s" \
	block-attach g1 "$img" xvda backend=plain
# The device still attaches once the failure is gone.
xsim block-attach g1 "$img" xvda || fail "block-attach after failures"
xsim wait g1 || fail "xsim wait g1"
xsim destroy g1 || fail "destroy g1"
no_leaks "destroy g1"

# create: a failing device fails the whole domain.
cat >"$RUN/bad.cfg" <<CFG
name = "bad"
disk = [ '$img,,xvda', '$img,,xvdb,r,script=$RUN/fail.sh' ]
vif = [ '' ]
extra = "sleep"
CFG
must_fail create "xsim: hotplug script for vbd 51728 of domain 3 (dom0) failed (hotplug-status error): volume is offline" \
	create "$RUN/bad.cfg"
has_line "$RUN/create.out" "xsim: domain bad not created" || fail "no summary"
xsim list | grep -q '^bad ' && fail "domain bad listed"
"$READ" /local/domain/3 2>/dev/null && fail "domain 3 left"
"$READ" /libxl/3 2>/dev/null && fail "/libxl/3 left"
xsim stop >"$RUN/stop.out" 2>&1 || { cat "$RUN/stop.out"; fail "xsim stop"; }

# --- A bare host: the test runs the backend drivers and hotplugd -------
start_sim -n
cat >"$RUN/hang.sh" <<'SCRIPT'
#!/bin/sh
[ "$1" = add ] || exit 0
sleep 30
SCRIPT
cat >"$RUN/slow.sh" <<'SCRIPT'
#!/bin/sh
[ "$1" = add ] || exit 0
sleep 2
xenstore-write "$XENBUS_PATH/hotplug-status" connected
SCRIPT
chmod +x "$RUN/hang.sh" "$RUN/slow.sh"
XSIM_NET_DIR=$SIM/net "$BIN/xsim-guest" -s -b serve 2>"$RUN/backend.log" &
bk=$!
background $bk
PATH=$XS_BUILD/bin:$PATH "$BIN/xenstore-hotplugd" -d 0 -t 1 \
	-s "$XS_BUILD/etc/xen/scripts" 2>"$RUN/hotplugd.log" &
hp=$!
background $hp
xsim create g1 -- sleep || fail "create g1 (bare host)"
d=$(xsim domid g1)
must_fail hang "xsim: hotplug script for vbd 51712 of domain $d (dom0) failed (hotplug-status error): $RUN/hang.sh add timed out after 1 s (killed)" \
	block-attach g1 "$img" xvda script="$RUN/hang.sh"
XSIM_DEVICE_TIMEOUT_MS=700 must_fail slow \
	"xsim: hotplug script for vbd 51712 of domain $d (dom0) did not report within 0.7 s" \
	block-attach g1 "$img" xvda script="$RUN/slow.sh"
# No backend drivers at all.
kill $bk
wait $bk 2>/dev/null || true
XSIM_DEVICE_TIMEOUT_MS=500 must_fail nobackend \
	"xsim: backend for vif 0 of domain $d (dom0) did not reach InitWait within 0.5 s" \
	network-attach g1
XSIM_DEVICE_TIMEOUT_MS=500 must_fail nobackend_vbd \
	"xsim: backend for vbd 51712 of domain $d (dom0) did not reach InitWait within 0.5 s" \
	block-attach g1 "$img" xvda
kill $hp
wait $hp 2>/dev/null || true
echo "sim_device_fail: ok"
