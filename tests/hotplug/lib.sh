# SPDX-License-Identifier: MIT
#
# Helpers for the hotplug tests (sourced after tests/lib.sh): start
# xenstore-hotplugd daemons on the test's private xenstored, stub `ip`
# and `brctl` that record their calls instead of touching the network,
# write device directories the way libxl does (reference 11.3), and wait
# for keys with bounded polling.  Their own variables start with _, as
# sh has no locals.

PATH=$BIN:$PATH
SCRIPTS=$XS_TOP/hotplug/scripts
STUBS=$RUN/stubs
CALLS=$RUN/calls
XEN_HOTPLUG_LOCKDIR=$RUN/lock
export PATH XEN_HOTPLUG_LOCKDIR CALLS
: >"$CALLS"

# Stub network commands: one line per call in $CALLS.  Bridges that
# exist are those named in $STUB_BRIDGES; `link set` always succeeds.
mkdir -p "$STUBS"
cat >"$STUBS/ip" <<'STUB'
#!/bin/sh
# Stub ip(8) for the hotplug tests: records the call, fakes bridges.
echo "ip $*" >>"$CALLS"
case "$*" in
"-o link show type bridge")
	n=1
	for b in ${STUB_BRIDGES:-}; do echo "$n: $b: <BROADCAST,UP>"; n=$((n + 1)); done
	;;
"link show dev "*)
	for b in ${STUB_BRIDGES:-}; do [ "$b" = "$4" ] && exit 0; done
	echo "Device \"$4\" does not exist." >&2
	exit 1
	;;
esac
exit 0
STUB
cat >"$STUBS/brctl" <<'STUB'
#!/bin/sh
# Stub brctl(8) for the hotplug tests: records the call, fakes bridges.
echo "brctl $*" >>"$CALLS"
if [ "$1" = show ]; then
	echo "bridge name	bridge id		STP enabled	interfaces"
	for b in ${STUB_BRIDGES:-}; do echo "$b		8000.000000000000	no"; done
fi
exit 0
STUB
chmod +x "$STUBS/ip" "$STUBS/brctl"
PATH=$STUBS:$PATH
STUB_BRIDGES="xenbr0 br1"
export STUB_BRIDGES

HOTPLUGD_PIDS=""

# However the test ends, the daemons get SIGTERM first so that they kill
# their scripts' process groups; tests/lib.sh's cleanup then runs with
# the test's exit status.
_hotplug_stop_all() {
	for _p in $HOTPLUGD_PIDS; do
		kill -TERM "$_p" 2>/dev/null || continue
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do
			_i=$((_i + 1))
			sleep 0.05
		done
	done
}
trap '_st=$?; _hotplug_stop_all; (exit $_st); cleanup' EXIT
trap '_hotplug_stop_all; cleanup' INT TERM

# start_hotplugd NAME [options]: a daemon logging to $RUN/NAME.log,
# started once it has said it serves its domain.
start_hotplugd() {
	name=$1
	shift
	"$BIN/xenstore-hotplugd" -s "$SCRIPTS" -v "$@" 2>"$RUN/$name.log" &
	pid=$!
	background "$pid"
	HOTPLUGD_PIDS="$HOTPLUGD_PIDS $pid"
	eval "HOTPLUGD_$name=$pid"
	i=0
	until grep -q "serving" "$RUN/$name.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 400 ] && { cat "$RUN/$name.log"; fail "$name did not start"; }
		kill -0 "$pid" 2>/dev/null || { cat "$RUN/$name.log"; fail "$name died"; }
		sleep 0.05
	done
}

# stop_hotplugd NAME: SIGTERM, and it must exit cleanly.
stop_hotplugd() {
	eval "pid=\$HOTPLUGD_$1"
	kill "$pid"
	wait "$pid" || fail "$1 exited with status $?"
}

# wait_for PATH VALUE: until PATH reads VALUE (about 20 s at most).
wait_for() {
	i=0
	while [ "$(xenstore-read "$1" 2>/dev/null)" != "$2" ]; do
		i=$((i + 1))
		if [ $i -gt 400 ]; then
			echo "--- logs"; cat "$RUN"/*.log
			fail "$1: expected [$2], got [$(xenstore-read "$1" 2>&1)]"
		fi
		sleep 0.05
	done
}

# wait_gone PATH: until PATH does not exist.
wait_gone() {
	i=0
	while xenstore-exists "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 400 ]; then
			echo "--- logs"; cat "$RUN"/*.log
			fail "$1 still exists"
		fi
		sleep 0.05
	done
}

# wait_file FILE PATTERN: until FILE has a line matching PATTERN.
wait_file() {
	i=0
	until grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 400 ] && { cat "$RUN"/*.log; fail "$1: no [$2]"; }
		sleep 0.05
	done
}

# _extra DIR [KEY VALUE]...: more keys in DIR.
_extra() {
	_dir=$1
	shift
	while [ $# -ge 2 ]; do
		xenstore-write "$_dir/$1" "$2"
		shift 2
	done
}

# add_vbd BACKDOM DOMU DEVID PARAMS MODE [KEY VALUE]...: the frontend and
# backend directories of a disk as libxl writes them, in one
# transaction-free burst (state 1: the backend driver has not probed).
add_vbd() {
	_bd=$1 _du=$2 _id=$3 _params=$4 _mode=$5
	shift 5
	_be=/local/domain/$_bd/backend/vbd/$_du/$_id
	_fe=/local/domain/$_du/device/vbd/$_id
	xenstore-write "$_fe/backend-id" "$_bd" "$_fe/state" 1 "$_fe/backend" "$_be" \
		"$_fe/virtual-device" "$_id" "$_fe/device-type" disk
	xenstore-write "$_be/frontend" "$_fe" "$_be/frontend-id" "$_du" \
		"$_be/online" 1 "$_be/removable" 0 "$_be/bootable" 1 \
		"$_be/dev" xvda "$_be/type" phy "$_be/mode" "$_mode" \
		"$_be/device-type" disk "$_be/params" "$_params" \
		"$_be/script" "$SCRIPTS/block"
	_extra "$_be" "$@"
	xenstore-write "$_be/state" 1
}

# add_vif BACKDOM DOMU DEVID [KEY VALUE]...: a nic as libxl writes it.
add_vif() {
	_bd=$1 _du=$2 _id=$3
	shift 3
	_be=/local/domain/$_bd/backend/vif/$_du/$_id
	_fe=/local/domain/$_du/device/vif/$_id
	xenstore-write "$_fe/backend-id" "$_bd" "$_fe/state" 1 "$_fe/backend" "$_be" \
		"$_fe/handle" "$_id" "$_fe/mac" "00:16:3e:00:00:0$_id"
	xenstore-write "$_be/frontend" "$_fe" "$_be/frontend-id" "$_du" \
		"$_be/online" 1 "$_be/script" "$SCRIPTS/vif-bridge" \
		"$_be/mac" "00:16:3e:00:00:0$_id" "$_be/handle" "$_id" \
		"$_be/type" vif \
		"$_be/hotplug-status" ""
	_extra "$_be" "$@"
	xenstore-write "$_be/state" 1
}

# backend_driver BE STATE: what the backend driver does (InitWait = 2).
backend_driver() {
	xenstore-write "$1/state" "$2"
}

# detach BE: libxl's removal: online 0, Closing, then (as the backend
# driver would, once the frontend closed) Closed.
detach() {
	xenstore-write "$1/online" 0 "$1/state" 5
	xenstore-write "$1/state" 6
}
