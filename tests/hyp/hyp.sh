# SPDX-License-Identifier: MIT
# Helpers for tests that need the simulated hypervisor; source after
# tests/lib.sh.  start_hyp runs a private xenhyp in $RUN/hyp and exports
# XENHYP_RUNDIR so that every program started afterwards (tools, the
# daemon, hyptest) talks to it as dom0.  Anything the hypervisor writes
# to stderr fails the test unless the test calls expect_hyp_log.
HYP_PID=""

hyp_cleanup() {
	status=$?
	set +e
	if [ -n "$HYP_PID" ]; then
		# A test may fail while the hypervisor is stopped.
		kill -CONT "$HYP_PID" 2>/dev/null
		kill "$HYP_PID" 2>/dev/null
		wait "$HYP_PID" 2>/dev/null
	fi
	if [ $status -eq 0 ] && [ -s "$RUN/hyp.err" ] &&
		[ ! -e "$RUN/hyp-stderr-ok" ]; then
		echo "hypervisor wrote to stderr:"
		cat "$RUN/hyp.err"
		status=1
	fi
	(exit $status)
	cleanup
}
trap hyp_cleanup EXIT INT TERM

# start_hyp [extra xenhyp options]
start_hyp() {
	XENHYP_RUNDIR=$RUN/hyp
	export XENHYP_RUNDIR
	${XS_WRAP:-} "$BIN/xenhyp" -r "$XENHYP_RUNDIR" "$@" \
		2>"$RUN/hyp.err" &
	HYP_PID=$!
	i=0
	while [ ! -S "$XENHYP_RUNDIR/hypervisor" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "xenhyp did not start"; cat "$RUN/hyp.err"; return 1; }
		kill -0 "$HYP_PID" 2>/dev/null ||
			{ echo "xenhyp died"; cat "$RUN/hyp.err"; return 1; }
		sleep 0.05
	done
}

# The test expects the hypervisor to log (e.g. a refused connection).
expect_hyp_log() { touch "$RUN/hyp-stderr-ok"; }
