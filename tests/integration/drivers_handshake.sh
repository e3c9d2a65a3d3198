#!/bin/sh
# SPDX-License-Identifier: MIT
# The PV drivers of xsim-guest (docs/drivers.md) on a simulated host:
# dom0's backend kernel (xsim-guest -s -b serve) and xenstore-hotplugd
# for dom0 (the real scripts, a file as disk, a stub vif script), and
# guests whose frontends run from boot.  A two-queue vbd and vif reach
# Connected at both ends with queue-<n>/ keys and the pages mapped in the
# backend; a one-vcpu guest uses top-level keys; detach walks Closing and
# Closed and leaves no node, mapping, channel or grant behind (three
# rounds on 13 free pages would run out of grants otherwise); a failing
# hotplug script ends in the backend's error report and Closed; devices
# of an xl config, attached before the guest boots, connect; so does a
# disk served by a driver domain (a guest with -b); a frontend that
# gives a bad ring-ref or no event channel gets the backend's error
# report and nothing stays mapped; guests
# held mid-handshake (-H 3, -H 4) and killed with kill -9 are released by
# the backend.  Works whether or not `xsim start` already runs a backend
# kernel or hotplugd, and whether or not attach waits for InitWait.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim -- -T "$RUN/trace"

READ=$BIN/xenstore-read
WRITE=$BIN/xenstore-write
LS=$BIN/xenstore-ls
BE=/local/domain/0/backend

# running NAME: the pid of a NAME process of this host (started by xsim
# with XENHYP_RUNDIR=$SIM/hyp in its environment), for backend kernels
# ("xsim-guest" with -b) and hotplug daemons.
running() {
	for e in /proc/[0-9]*/environ; do
		p=${e#/proc/}
		p=${p%/environ}
		{ tr '\0' '\n' <"$e"; } 2>/dev/null |
			grep -qxF "XENHYP_RUNDIR=$SIM/hyp" || continue
		cmd=$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
		case $1 in
		backend) case $cmd in *xsim-guest*-b*) echo "$p"; return 0 ;; esac ;;
		hotplugd) case $cmd in *xenstore-hotplugd*) echo "$p"; return 0 ;; esac ;;
		esac
	done
	return 1
}

STUBS=$RUN/stubs
NET=$RUN/net
mkdir -p "$STUBS" "$NET"
# A vif script that only says it worked (no bridge on this host).
cat >"$STUBS/vif-ok" <<STUB
#!/bin/sh
case \$1 in online|add) ;; *) exit 0 ;; esac
"$WRITE" "\$XENBUS_PATH/hotplug-status" connected
STUB
chmod +x "$STUBS/vif-ok"
XEN_HOTPLUG_LOCKDIR=$RUN/lock
export XEN_HOTPLUG_LOCKDIR

own_backend=""
if bk=$(running backend); then
	echo "using the backend kernel xsim started (pid $bk)"
else
	XENHYP_RUNDIR=$SIM/hyp XSIM_NET_DIR=$NET "$BIN/xsim-guest" -s -b serve \
		2>"$RUN/backend.log" &
	bk=$!
	own_backend=1
	background "$bk"
fi
if ! running hotplugd >/dev/null; then
	"$BIN/xenstore-hotplugd" -d 0 -s "$XS_TOP/hotplug/scripts" \
		2>"$RUN/hotplugd.log" &
	background $!
fi

# state DIR: its state, or "gone".
state() { "$READ" "$1/state" 2>/dev/null || echo gone; }
# wait_state DIR STATE
wait_state() {
	i=0
	while [ "$(state "$1")" != "$2" ]; do
		i=$((i + 1))
		[ $i -gt 600 ] && {
			"$LS" -f "$1" 2>&1; "$LS" -f /local/domain/0/error 2>&1
			fail "$1: state $(state "$1"), not $2"; }
		sleep 0.05
	done
}
# wait_gone PATH
wait_gone() { wait_for "$1 removed" sh -c "! $READ $1"; }
# key DIR KEY EXPECTED
key() { check_eq "$1/$2" "$3" "$("$READ" "$1/$2" 2>/dev/null || echo absent)"; }
# maps DOMID: how many of DOMID's pages the backend has mapped.
maps() { grep -c "memfd:dom$1-pfn" "/proc/$bk/maps" || true; }
nfds() { ls "/proc/$1/fd" | wc -l; }
# attach CMD...: xsim attaches (it may or may not wait for the handshake).
attach() { xsim "$@" >"$RUN/attach.out" 2>&1 || { cat "$RUN/attach.out"; fail "xsim $*"; }; }
# traced DOM PATH VALUE: domain DOM wrote PATH = VALUE (xenstored's log).
traced() {
	grep -q "(d$1) .* WRITE ($2 $3)" "$RUN/trace" || { grep "WRITE ($2" "$RUN/trace"

		fail "no write of $2 = $3 by d$1 in the trace"; }
}

# --- Two vcpus: two queues --------------------------------------------
xsim create g1 -- sleep || fail "xsim create g1"
d1=$(xsim domid g1)
"$WRITE" /local/domain/$d1/cpu/1/availability online
wait_for "g1 sleeping" grep -qx sleeping "$SIM/domains/g1.log"
g1pid=$(xsim pid g1)
bk_fds=$(nfds "$bk")
g1_fds=$(nfds "$g1pid")
truncate -s 1M "$RUN/d1.img"

fe=/local/domain/$d1/device/vbd/51712
be=$BE/vbd/$d1/51712
fv=/local/domain/$d1/device/vif/0
bv=$BE/vif/$d1/0
for round in 1 2 3; do
	attach block-attach g1 "$RUN/d1.img" xvda
	attach network-attach g1 script="$STUBS/vif-ok"
	for p in $be $fe $bv $fv; do wait_state $p 4; done
	[ "$(maps "$d1")" = 6 ] || fail "round $round: $(maps "$d1") pages mapped, not 2 + 4"
	[ "$round" = 1 ] || { xsim block-detach g1 xvda; xsim network-detach g1 0; continue; }

	key $fe multi-queue-num-queues 2
	for q in 0 1; do
		"$READ" $fe/queue-$q/ring-ref >/dev/null || fail "vbd queue-$q/ring-ref"
		"$READ" $fe/queue-$q/event-channel >/dev/null || fail "vbd queue-$q/event-channel"
		for k in tx-ring-ref rx-ring-ref event-channel; do
			"$READ" $fv/queue-$q/$k >/dev/null || fail "vif queue-$q/$k"
		done
	done
	key $fe ring-ref absent
	key $fe event-channel absent
	key $fe protocol x86_64-abi
	key $fv multi-queue-num-queues 2
	key $fv tx-ring-ref absent
	key $fv request-rx-copy 1
	key $fv feature-rx-notify 1
	key $be sectors 2048
	key $be sector-size 512
	key $be info 0
	key $be feature-flush-cache 1
	key $be feature-persistent 0
	key $be max-ring-page-order 0
	key $be multi-queue-max-queues 4
	key $be hotplug-status connected
	key $bv feature-sg 1
	key $bv feature-rx-copy 1
	key $bv feature-split-event-channels 0
	key $bv multi-queue-max-queues 4
	[ -z "$own_backend" ] || [ -e "$NET/link/vif$d1.0" ] ||
		fail "no simulated interface vif$d1.0"

	# Detach: the toolstack's Closing, the frontend's Closing and
	# Closed, the backend's Closed, then everything goes.
	xsim block-detach g1 xvda || fail "block-detach"
	xsim network-detach g1 0 || fail "network-detach"
	for p in $fe $fv; do
		traced "$d1" $p/state 5
		traced "$d1" $p/state 6
	done
	traced 0 $be/state 6
	traced 0 $bv/state 6
done
for p in $fe $be $fv $bv; do wait_gone $p; done
[ -z "$own_backend" ] || [ ! -e "$NET/link/vif$d1.0" ] ||
	fail "vif$d1.0 left after detach"
wait_for "backend unmapped" sh -c "[ \$(grep -c memfd:dom$d1- /proc/$bk/maps) = 0 ]"
# Handles closed: mappings and channels are gone with them.
wait_for "backend's handles closed" sh -c "[ \$(ls /proc/$bk/fd | wc -l) = $bk_fds ]"
wait_for "g1's handles closed" sh -c "[ \$(ls /proc/$g1pid/fd | wc -l) = $g1_fds ]"
for e in /local/domain/0/error/backend/vbd/$d1 /local/domain/$d1/error/device; do
	"$READ" $e 2>/dev/null && { "$LS" -f $e; fail "error report $e"; }
done

# --- One vcpu: top-level keys; a read-only disk; a failing script -------
xsim create g2 -- sleep || fail "xsim create g2"
d2=$(xsim domid g2)
truncate -s 4K "$RUN/d2.img"
attach block-attach g2 "$RUN/d2.img" xvdb r
attach network-attach g2 script="$STUBS/vif-ok"
fe=/local/domain/$d2/device/vbd/51728
be=$BE/vbd/$d2/51728
fv=/local/domain/$d2/device/vif/0
bv=$BE/vif/$d2/0
for p in $be $fe $bv $fv; do wait_state $p 4; done
key $fe multi-queue-num-queues 1
"$READ" $fe/ring-ref >/dev/null || fail "no top-level ring-ref"
"$READ" $fe/event-channel >/dev/null || fail "no top-level event-channel"
key $fe queue-0/ring-ref absent
"$READ" $fv/tx-ring-ref >/dev/null || fail "no top-level tx-ring-ref"
"$READ" $fv/rx-ring-ref >/dev/null || fail "no top-level rx-ring-ref"
key $fv queue-0/tx-ring-ref absent
key $be info 4
key $be sectors 8
[ "$(maps "$d2")" = 3 ] || fail "$(maps "$d2") pages of g2 mapped, not 3"

# The block script fails for a missing file: reported, the backend
# Closed, the frontend follows.  (A toolstack that waits for the script
# fails the attach and removes the device; one that does not leaves it.)
fe=/local/domain/$d2/device/vbd/51744
be=$BE/vbd/$d2/51744
if xsim block-attach g2 "$RUN/missing.img" xvdc >"$RUN/attach.out" 2>&1; then
	wait_state $be 6
	wait_state $fe 6
	xsim block-detach g2 xvdc || fail "block-detach of the failed disk"
else
	grep -q "hotplug script .* failed" "$RUN/attach.out" ||
		{ cat "$RUN/attach.out"; fail "failed attach: wrong message"; }
fi
wait_for "the backend's report" "$READ" /local/domain/0/error/backend/vbd/$d2/51744/error
msg=$("$READ" /local/domain/0/error/backend/vbd/$d2/51744/error)
case $msg in
"hotplug script failed: "?*) ;;
*) fail "backend error report: $msg" ;;
esac
traced 0 $be/state 6
xsim block-detach g2 xvdb || fail "block-detach xvdb"
xsim network-detach g2 0 || fail "network-detach g2"
for p in $fe $be $fv $bv; do wait_gone $p; done
wait_for "g2's pages unmapped" sh -c "[ \$(grep -c memfd:dom$d2- /proc/$bk/maps) = 0 ]"

# --- Devices present at boot (xl config: attached before unpause) ------
truncate -s 1M "$RUN/c1.img"
cat >"$RUN/c1.cfg" <<CFG
name = "c1"
vcpus = 2
extra = "sleep"
disk = [ 'format=raw, vdev=xvda, access=rw, target=$RUN/c1.img' ]
vif = [ 'script=$STUBS/vif-ok' ]
CFG
if xsim create "$RUN/c1.cfg" >"$RUN/c1.out" 2>&1; then
	dc=$(xsim domid c1)
	for p in $BE/vbd/$dc/51712 /local/domain/$dc/device/vbd/51712 \
		$BE/vif/$dc/0 /local/domain/$dc/device/vif/0; do
		wait_state $p 4
	done
	key /local/domain/$dc/device/vbd/51712 multi-queue-num-queues 2
	key /local/domain/$dc/device/vif/0 multi-queue-num-queues 2
	xsim destroy c1 || fail "xsim destroy c1"
	wait_gone $BE/vbd/$dc
	wait_for "c1's pages unmapped" sh -c "[ \$(grep -c memfd:dom$dc- /proc/$bk/maps) = 0 ]"
elif grep -q "usage" "$RUN/c1.out"; then
	echo "no xl config files: skipping devices present at boot"
else
	cat "$RUN/c1.out"; fail "xsim create c1.cfg"
fi

# --- A driver domain: a guest's backends (-b), grants between guests ----
cat >"$RUN/dd.cfg" <<CFG
name = "dd"
driver_domain = 1
extra = "-q 1 sleep"
CFG
truncate -s 1M "$RUN/e1.img"
if xsim create "$RUN/dd.cfg" >"$RUN/dd.out" 2>&1; then
	dd=$(xsim domid dd)
	ddpid=$(xsim pid dd)
	attach block-attach g2 "format=raw, vdev=xvde, backend=dd, target=$RUN/e1.img"
	fe=/local/domain/$d2/device/vbd/51776
	be=/local/domain/$dd/backend/vbd/$d2/51776
	wait_state $be 4
	wait_state $fe 4
	key $fe backend-id "$dd"
	key $be multi-queue-max-queues 1
	key $fe multi-queue-num-queues 1
	[ "$(grep -c "memfd:dom$d2-pfn" /proc/$ddpid/maps)" = 1 ] ||
		fail "dd has not mapped g2's ring"
	xsim block-detach g2 xvde || fail "block-detach from dd"
	wait_gone $be
	wait_gone $fe
	wait_for "dd unmapped" sh -c "[ \$(grep -c memfd:dom$d2- /proc/$ddpid/maps) = 0 ]"
	grep -v '^sleeping$' "$SIM/domains/dd.log" && fail "dd logged"
	xsim destroy dd || fail "xsim destroy dd"
else
	cat "$RUN/dd.out"
	echo "no driver domains: skipping"
fi

# --- A frontend that gives the backend nonsense -------------------------
# A guest held before Initialised (-H 3) publishes its keys; the test
# then plays the rest of the frontend: a ring-ref that is no grant, and a
# missing event channel.  The backend reports, releases what it mapped,
# goes Closing, and Closed once the frontend is.
xsim create b1 -- -H 3 sleep || fail "xsim create b1"
db=$(xsim domid b1)
truncate -s 4K "$RUN/b1.img"
# bad VDEV KEY VALUE MESSAGE: break KEY (VALUE "" removes it), expect MESSAGE.
bad() {
	attach block-attach b1 "$RUN/b1.img" $1
	dev=$(( (202 << 8) | (($(printf %d "'${1#xvd}") - 97) << 4) ))
	fe=/local/domain/$db/device/vbd/$dev
	be=$BE/vbd/$db/$dev
	wait_for "b1's $1 keys" "$READ" $fe/event-channel
	wait_state $be 2
	if [ -n "$3" ]; then
		"$WRITE" $fe/$2 "$3"
	else
		"$BIN/xenstore-rm" $fe/$2
	fi
	"$WRITE" $fe/state 3
	wait_state $be 5
	key /local/domain/0/error/backend/vbd/$db/$dev error "$4"
	[ "$(maps "$db")" = 0 ] || fail "$1: $(maps "$db") pages left mapped"
	"$WRITE" $fe/state 6
	wait_state $be 6
	xsim block-detach b1 $1 || fail "block-detach b1 $1"
}
bad xvda ring-ref 99 "mapping ring-ref 99 of domain $db: Invalid argument"
bad xvdb event-channel "" "frontend gave no event-channel for queue 0"
xsim destroy b1 || fail "xsim destroy b1"

# --- Killed mid-handshake ------------------------------------------------
# -H 3: rings published, never Initialised; -H 4: Initialised, the
# backend mapped and Connected, the frontend never Connected.
for hold in 3 4; do
	xsim create h$hold -- -H $hold sleep || fail "xsim create h$hold"
	d=$(xsim domid h$hold)
	eval "dh$hold=$d"
	truncate -s 4K "$RUN/h$hold.img"
	attach block-attach h$hold "$RUN/h$hold.img" xvda
	fe=/local/domain/$d/device/vbd/51712
	be=$BE/vbd/$d/51712
	wait_for "h$hold's ring-ref" "$READ" $fe/ring-ref
	if [ $hold = 3 ]; then
		wait_state $be 2
		wait_for "h3's hotplug" sh -c "[ \"\$($READ $be/hotplug-status)\" = connected ]"
		sleep 0.2
		key $fe state 1
		key $be state 2
	else
		wait_state $be 4
		key $fe state 3
		[ "$(maps "$d")" = 1 ] || fail "h4's ring is not mapped"
	fi
	pid=$(xsim pid h$hold)
	kill -9 "$pid"
	# The toolstack destroys the crashed domain (its default).
	wait_for "h$hold destroyed" sh -c "! $READ /local/domain/$d/name"
	wait_gone $BE/vbd/$d
	wait_for "h$hold's pages unmapped" sh -c "[ \$(grep -c memfd:dom$d- /proc/$bk/maps) = 0 ]"
done
wait_for "backend's handles closed" sh -c "[ \$(ls /proc/$bk/fd | wc -l) = $bk_fds ]"
# (xsim destroy may leave the empty backend/vbd; no device is left.)
for d in $d1 $d2 ${dc:-} $db $dh3 $dh4; do
	for k in vbd vif; do
		"$READ" $BE/$k/$d 2>/dev/null && { "$LS" -f $BE; fail "$BE/$k/$d left"; }
	done
done

# A guest told to power off with a device connected: its drivers stop
# and release, it exits cleanly, and the backend lets go after destroy.
attach block-attach g1 "$RUN/d1.img" xvda
wait_state /local/domain/$d1/device/vbd/51712 4
xsim shutdown -w g1 >"$RUN/shutdown.out" 2>&1 ||
	{ cat "$RUN/shutdown.out"; fail "xsim shutdown g1"; }
wait_for "g1 gone" sh -c "! kill -0 $g1pid"
wait_gone $BE/vbd/$d1
wait_for "g1's pages unmapped" sh -c "[ \$(grep -c memfd:dom$d1- /proc/$bk/maps) = 0 ]"
printf 'sleeping\nshutdown poweroff\n' >"$RUN/g1.expected"
cmp "$RUN/g1.expected" "$SIM/domains/g1.log" ||
	{ cat "$SIM/domains/g1.log"; fail "g1's log"; }

# The backend kernel's log: the reported errors only; SIGTERM ends it.
blog=$SIM/backend.log
if [ -n "$own_backend" ]; then
	kill -TERM "$bk"
	wait "$bk" || fail "the backend kernel exited with $?"
	blog=$RUN/backend.log
fi
if [ -f "$blog" ] && grep -v -e "/51744: hotplug script failed: " \
	-e "/51712: mapping ring-ref 99 of domain $db: Invalid argument\$" \
	-e "/51728: frontend gave no event-channel for queue 0\$" "$blog"; then
	fail "the backend kernel logged"
fi
grep -v '^sleeping$' "$SIM/domains/g2.log" && fail "g2 logged"
echo "drivers_handshake: ok"
