# SPDX-License-Identifier: MIT
#
# Helpers for the interop scenarios (tests/interop/cli/*.sh), sourced by
# tests/interop/run-scenario.sh.  A scenario drives Debian's xenstore-*
# tools against whatever daemon XENSTORED_PATH names and prints a
# transcript: each command, its stdout, its stderr (lines prefixed "2> ")
# and its exit code.  The same scenario is run against Xen's cxenstored
# and against ours, and the transcripts must be identical byte for byte,
# so nothing in a transcript may depend on which daemon answered except
# the daemon's behaviour itself (no pids, times or temporary paths).

# Print file $2 with prefix $1 on each line, and say so if its last line
# has no newline (xenstore-read -R prints none), so that such output is
# not silently merged with the next line of the transcript.
sc_show() {
	[ -s "$2" ] || return 0
	sed "s/^/$1/" "$2"
	[ -z "$(tail -c 1 "$2")" ] || printf '\n%s(no newline at end)\n' "$1"
}

# x CMD [ARG...]: run CMD once and record it.
x() {
	printf '$'
	printf ' %s' "$@"
	printf '\n'
	"$@" >"$SC_TMP/out" 2>"$SC_TMP/err"
	sc_rc=$?
	sc_show '' "$SC_TMP/out"
	sc_show '2> ' "$SC_TMP/err"
	printf '[exit %d]\n' "$sc_rc"
}

# xin INPUT CMD [ARG...]: like x, with INPUT (printf format) on stdin.
xin() {
	sc_in=$1
	shift
	printf '$ (stdin) %s |' "$sc_in"
	printf ' %s' "$@"
	printf '\n'
	printf "$sc_in" | "$@" >"$SC_TMP/out" 2>"$SC_TMP/err"
	sc_rc=$?
	sc_show '' "$SC_TMP/out"
	sc_show '2> ' "$SC_TMP/err"
	printf '[exit %d]\n' "$sc_rc"
}

# spawn NAME CMD [ARG...]: start CMD in the background (a watcher); its
# output is recorded when `reap NAME` collects it.  A hang guard kills it
# after 20 s, so a missing event fails the test instead of blocking it.
spawn() {
	sc_name=$1
	shift
	printf '$ (spawn %s)' "$sc_name"
	printf ' %s' "$@"
	printf '\n'
	: >"$SC_TMP/$sc_name.out"
	timeout 20 "$@" >"$SC_TMP/$sc_name.out" 2>"$SC_TMP/$sc_name.err" &
	echo $! >"$SC_TMP/$sc_name.pid"
}

# wait_lines NAME N: wait until background NAME has printed N lines (for
# example its initial watch event), so that later changes come after its
# watch is registered.  Gives up when the process has exited.
wait_lines() {
	while [ "$(wc -l <"$SC_TMP/$1.out")" -lt "$2" ]; do
		kill -0 "$(cat "$SC_TMP/$1.pid")" 2>/dev/null || return 0
		sleep 0.02
	done
}

# reap NAME: wait for background NAME to exit and record its output.
reap() {
	wait "$(cat "$SC_TMP/$1.pid")"
	sc_rc=$?
	printf '$ (reap %s)\n' "$1"
	sc_show '' "$SC_TMP/$1.out"
	sc_show '2> ' "$SC_TMP/$1.err"
	printf '[exit %d]\n' "$sc_rc"
}

# halt NAME: end background NAME (a watcher without -n) and record it.
halt() {
	kill "$(cat "$SC_TMP/$1.pid")" 2>/dev/null
	reap "$1"
}

# note TEXT: a comment line in the transcript.
note() {
	printf '# %s\n' "$*"
}
