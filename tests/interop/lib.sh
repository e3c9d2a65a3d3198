# SPDX-License-Identifier: MIT
#
# Helpers for the interop tests (tests/integration/interop_*.sh), sourced
# after tests/lib.sh: start Xen's own C daemon (cxenstored, from Debian's
# xen-utils-4.17) without a hypervisor, under the LD_PRELOAD shim of the
# shared bench (built by tests/interop/module.mk from
# $XS_TOP/../shared/bench/xs_shim.c), and compare what Xen's tools print
# against it and against our daemon.  When cxenstored cannot run here, the
# transcripts recorded from it in tests/interop/expected/ stand in.

XEN_BIN=${XEN_BIN:-/usr/lib/xen-4.17/bin}
CX_SHIM="$XS_BUILD/tests/interop/xs_shim.so"
INTEROP="$XS_TOP/tests/interop"

# True if Xen's daemon and the shim to start it are both here.
cx_present() {
	[ -x "$XEN_BIN/xenstored" ] && [ -f "$CX_SHIM" ]
}

# start_cxenstored: a fresh cxenstored in $RUN/cx, serving $RUN/cx/socket,
# with XENSTORED_PATH pointing at it.  It is tests/lib.sh's DAEMON_PID, so
# its cleanup applies.  Returns 1 if it does not come up.  The shim tells
# it that domains 1-9 exist besides dom0: cxenstored asks the hypervisor
# whether the owner named by SET_PERMS exists, and our daemon, without a
# hypervisor, takes every non-reserved id as existing (docs/differences.md,
# A); scenarios use owners up to 9.
start_cxenstored() {
	unset XENSTORED_PATH
	rm -rf "$RUN/cx"
	mkdir "$RUN/cx"
	env XS_SHIM_DOMAINS=1-9 XS_SHIM_RUNDIR="$RUN/cx" \
		XENSTORED_RUNDIR="$RUN/cx" LD_PRELOAD="$CX_SHIM" \
		"$XEN_BIN/xenstored" -N -F "$RUN/cx/pid" \
		>"$RUN/cx/daemon.log" 2>&1 &
	DAEMON_PID=$!
	i=0
	while ! XENSTORED_PATH="$RUN/cx/socket" xenstore-exists / 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			echo "cxenstored did not start:"
			cat "$RUN/cx/daemon.log"
			kill "$DAEMON_PID" 2>/dev/null || true
			wait "$DAEMON_PID" 2>/dev/null || true
			DAEMON_PID=""
			return 1
		fi
		sleep 0.05
	done
	XENSTORED_PATH=$RUN/cx/socket
	export XENSTORED_PATH
}

# start_ours [xenstored options]: a fresh instance of our daemon in its
# own run directory $RUN/ours (a fresh store: the daemon keeps its tree in
# the run directory across restarts), with XENSTORED_PATH pointing at it.
# Like start_cxenstored it sets tests/lib.sh's DAEMON_PID.  Both daemons
# take XENSTORED_PATH as the socket to create, so the client setting of
# the last run must not leak into the next start.
start_ours() {
	unset XENSTORED_PATH
	rm -rf "$RUN/ours"
	mkdir "$RUN/ours"
	XENSTORED_RUNDIR="$RUN/ours" ${XS_WRAP:-} "$BIN/xenstored" -N \
		-F "$RUN/ours/pid" "$@" 2>"$RUN/ours/daemon.err" &
	DAEMON_PID=$!
	i=0
	while [ ! -S "$RUN/ours/socket" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			echo "our daemon did not start:"
			cat "$RUN/ours/daemon.err"
			return 1
		fi
		sleep 0.05
	done
	XENSTORED_PATH=$RUN/ours/socket
	export XENSTORED_PATH
}

# stop_any: stop the daemon last started, without the shell's
# "Terminated" notice on stderr.
stop_any() {
	kill "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=""
}

# stop_ours: SIGTERM; fails if the daemon wrote anything to stderr.
stop_ours() {
	stop_any
	if [ -s "$RUN/ours/daemon.err" ]; then
		echo "our daemon wrote to stderr:"
		cat "$RUN/ours/daemon.err"
		return 1
	fi
}

# Decide once whether cxenstored can be the live reference: CX_LIVE=1 if
# it starts here, else 0 (and the recorded transcripts are used).
cx_probe() {
	CX_LIVE=0
	if cx_present && start_cxenstored; then
		stop_any
		CX_LIVE=1
	else
		echo "note: cxenstored unavailable, comparing with tests/interop/expected"
	fi
}

# show_diff EXPECTED ACTUAL: a readable diff of two transcripts.
show_diff() {
	diff -a -u "$1" "$2" | head -n 80
}
