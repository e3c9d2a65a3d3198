# SPDX-License-Identifier: MIT
# Helpers for the daemon's guest tests (tests/integration/guest_*.sh),
# sourced after tests/lib.sh and tests/hyp/hyp.sh, once start_hyp and
# start_daemon have run.

# launch_guest NAME ARGS...: start ring-guest as a new domain with ARGS
# (its output in $RUN/NAME.out, after the toolstack's "<domid> <port>
# <pid>" line), give it its home /local/domain/<domid> (owned by it, dom0
# may read; with LAUNCH_NAMED=1 also a "name" node), and introduce it.
# With LAUNCH_DOMID=N the domain gets id N (a dead domain's id reused).
# Sets domid, port, NAME_domid and NAME_pid.
launch_guest() {
	name=$1
	shift
	"$BIN/xenhyp-ctl" launch ${LAUNCH_DOMID:+-d "$LAUNCH_DOMID"} \
		"$TOOLS/ring-guest" "$@" >"$RUN/$name.out" 2>&1
	set -- $(head -1 "$RUN/$name.out")
	domid=$1 port=$2
	background "$3"
	eval "${name}_pid=$3"
	if [ -n "${LAUNCH_NAMED:-}" ]; then
		xenstore-write "/local/domain/$domid/name" "$name"
	else
		xenstore-write "/local/domain/$domid" ""
	fi
	xenstore-chmod -r "/local/domain/$domid" "n$domid" r0
	printf '1 op 8 %s 0 %s\n> 1: OK\n' "$domid" "$port" >"$RUN/intro.xs"
	"$TOOLS/xs-script" "$RUN/intro.xs" >/dev/null || fail "INTRODUCE $domid"
	eval "${name}_domid=$domid"
}
