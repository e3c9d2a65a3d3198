# SPDX-License-Identifier: MIT
# Helpers for tests of the simulated host (tests/integration/sim_*.sh);
# source after tests/lib.sh.  start_sim brings up a private host in
# $RUN/sim with `xsim start` (xenhyp + xenstored); the EXIT trap stops it
# with `xsim stop` and then kills, by pid, anything of it still alive, so
# no process outlives the test.  Anything the daemons write to their logs
# fails the test unless it calls expect_log (xenstored) or
# expect_hyp_log.
SIM=""
XSIM=""

# alive PID: the process exists and is not a zombie (our daemons and
# monitors are reparented to an init that may not reap them).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

sim_cleanup() {
	status=$?
	set +e
	if [ -n "$SIM" ] && [ -d "$SIM" ]; then
		"$XSIM" -r "$SIM" stop >"$RUN/stop.out" 2>&1 ||
			{ echo "xsim stop failed:"; cat "$RUN/stop.out"; status=1; }
		# Whatever xsim stop missed: guests, monitors, daemons.
		for f in "$SIM"/domains/* "$SIM"/*.pid; do
			[ -f "$f" ] || continue
			for p in $(awk '$1 == "pid" || $1 == "monitor" { print $2 }
				NF == 1 { print $1 }' "$f"); do
				if alive "$p"; then
					echo "left running: pid $p ($f)"
					kill -9 "$p" 2>/dev/null
					status=1
				fi
			done
		done
		if [ $status -eq 0 ]; then
			for d in xenstored xenhyp; do
				[ -s "$SIM/$d.log" ] || continue
				[ "$d" = xenstored ] && [ -e "$RUN/stderr-ok" ] && continue
				[ "$d" = xenhyp ] && [ -e "$RUN/hyp-stderr-ok" ] && continue
				echo "$d wrote to its log:"; cat "$SIM/$d.log"
				status=1
			done
		fi
		if [ $status -ne 0 ]; then
			for f in "$SIM"/domains/*.log; do
				[ -f "$f" ] && { echo "--- $f"; cat "$f"; }
			done
		fi
	fi
	(exit $status)
	cleanup
}
trap sim_cleanup EXIT INT TERM

start_sim() {
	SIM=$RUN/sim
	XSIM="$BIN/xsim"
	"$XSIM" -r "$SIM" start "$@" || fail "xsim start"
	XENSTORED_PATH=$SIM/xenstored/socket
	XSIM_RUNDIR=$SIM
	export XENSTORED_PATH XSIM_RUNDIR
}

expect_hyp_log() { touch "$RUN/hyp-stderr-ok"; }

# xsim ARGS...: the toolstack on this host
xsim() { "$XSIM" -r "$SIM" "$@"; }

# dom0 ARGS...: a script run as a dom0 tool (xsim-guest -s)
dom0() { "$BIN/xsim-guest" -s "$@"; }

# wait_for WHAT COMMAND...: poll until COMMAND succeeds (at most ~30 s).
wait_for() {
	what=$1
	shift
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 600 ] && fail "timed out waiting for $what"
		sleep 0.05
	done
}

# has_line FILE LINE: FILE holds exactly LINE on a line of its own.
has_line() { grep -qxF -- "$2" "$1"; }

# expect_output NAME FILE: FILE equals standard input.
expect_output() {
	cat >"$RUN/$1.expected"
	cmp "$RUN/$1.expected" "$2" ||
		{ echo "--- expected"; cat "$RUN/$1.expected";
		  echo "--- got"; cat "$2"; fail "$1: output differs"; }
}
