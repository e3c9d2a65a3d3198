# Shared helpers for integration tests (sourced).  Each test gets a private
# run directory and daemon; everything is cleaned up on exit.  Anything
# the daemon writes to stderr fails the test, unless the test expects it
# (expect_log).
set -eu
BIN="$XS_BUILD/bin"
TOOLS="$XS_BUILD/tests"
RUN=$(mktemp -d /tmp/xst.XXXXXX)
DAEMON_PID=""
BACKGROUND_PIDS=""
cleanup() {
	status=$?
	for p in $BACKGROUND_PIDS; do kill -KILL "$p" 2>/dev/null || true; done
	if [ -n "$DAEMON_PID" ]; then
		kill "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ $status -eq 0 ] && [ -s "$RUN/daemon.err" ] && [ ! -e "$RUN/stderr-ok" ]; then
		echo "daemon wrote to stderr:"; cat "$RUN/daemon.err"; status=1
	fi
	rm -rf "$RUN"
	exit $status
}
trap cleanup EXIT INT TERM

# start_daemon [extra xenstored options]
start_daemon() {
	XENSTORED_RUNDIR=$RUN ${XS_WRAP:-} "$BIN/xenstored" -N -F "$RUN/pid" "$@" \
		2>"$RUN/daemon.err" &
	DAEMON_PID=$!
	i=0
	# A killed daemon leaves its socket file: wait for this one's pid too.
	until [ -S "$RUN/socket" ] &&
		[ "$(cat "$RUN/pid" 2>/dev/null)" = "$DAEMON_PID" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "daemon did not start"; cat "$RUN/daemon.err"; return 1; }
		kill -0 "$DAEMON_PID" 2>/dev/null || { echo "daemon died"; cat "$RUN/daemon.err"; return 1; }
		sleep 0.05
	done
	XENSTORED_PATH=$RUN/socket
	export XENSTORED_PATH
}

stop_daemon() {
	kill "$DAEMON_PID"
	wait "$DAEMON_PID" || true
	DAEMON_PID=""
}

# background PID...: processes to kill when the test ends, however it ends.
background() { BACKGROUND_PIDS="$BACKGROUND_PIDS $*"; }

# The test expects the daemon to log (e.g. a dropped bad client).
expect_log() { touch "$RUN/stderr-ok"; }

fail() { echo "FAIL: $*"; exit 1; }

# wait_lines FILE N PATTERN WHAT: bounded wait (~20 s) until FILE has at
# least N lines matching PATTERN (grep's basic syntax); on timeout, show
# FILE and fail naming WHAT.  Turns a hang into a failure.
wait_lines() {
	# Own names: the callers' loops use i and n.
	wl_i=0
	until wl_n=$(grep -c -- "$3" "$1" 2>/dev/null); [ "${wl_n:-0}" -ge "$2" ]; do
		wl_i=$((wl_i + 1))
		[ $wl_i -gt 400 ] && { cat "$1"; fail "$4"; }
		sleep 0.05
	done
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	[ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
}

# kill_rounds: four rounds of crash-writer, each killed with the daemon at
# a random moment (0.1 to 0.99 s in); after each restart every round so
# far must read back whole, and each round must have had acknowledgements.
kill_rounds() {
	for round in 1 2 3 4; do
		start_daemon
		"$TOOLS/crash-writer" write "$round" "$RUN/ack.$round" &
		writer=$!
		ms=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
		sleep "0.$((ms > 0 ? ms : 1))"
		kill -KILL "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null || true
		DAEMON_PID=""
		wait "$writer" || fail "writer failed in round $round"
		rm -f "$RUN/socket" "$RUN/socket_ro" "$RUN/pid"
		start_daemon
		for r in $(seq 1 "$round"); do
			"$TOOLS/crash-writer" check "$r" "$RUN/ack.$r" ||
				fail "round $r after kill $round"
		done
		[ "$(wc -l <"$RUN/ack.$round")" -gt 0 ] ||
			fail "round $round acknowledged nothing"
		stop_daemon
	done
}

# stop_detached: stop a daemon that daemonised (not our child, so no wait).
stop_detached() {
	kill "$DAEMON_PID"
	i=0
	while kill -0 "$DAEMON_PID" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 200 ] && fail "daemon did not stop"
		sleep 0.05
	done
	DAEMON_PID=""
}
