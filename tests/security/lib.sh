# SPDX-License-Identifier: MIT
# Helpers for the security regression tests (tests/security/xsa*.sh, one
# per Xen security advisory, docs/security.md).  Sourced first: it
# brings in the integration helpers, the simulated hypervisor and
# launch_guest, and starts nothing itself.  The attacker is a guest
# (tests/guest/ring-guest.c) wherever the advisory's attacker was one.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

# wait_for FILE PATTERN: bounded wait for a line (a hang becomes a failure)
wait_for() {
	i=0
	until grep -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 600 ] && { cat "$1"; fail "waiting for '$2' in $1"; }
		sleep 0.05
	done
}

# wait_count FILE PATTERN N: bounded wait for N lines matching PATTERN
wait_count() {
	i=0
	until [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ]; do
		i=$((i + 1))
		[ $i -gt 600 ] && { cat "$1"; fail "waiting for $3 '$2' in $1"; }
		sleep 0.05
	done
}

# replies NAME: the guest's reply lines (not events), "OK" replies cut
# to "TYPE OK" and errors to "ERROR ENAME".
replies() {
	sed -n '3,$p' "$RUN/$1.out" | grep -v '^event' |
		sed 's/^\(ERROR [A-Z0-9]*\).*/\1/; s/^\([A-Z_]* OK\).*/\1/'
}

# usage DOMID QUOTA: what the daemon counts of that quota for the domain
usage() {
	"$BIN/xenstore-control" quota "$1" |
		sed -n "s/^$2 *: *\\([0-9]*\\).*/\\1/p"
}

# script FILE-CONTENT: run an xs-script (dom0 over the socket) given as
# text; fails the test on a mismatch.
script() {
	printf '%s\n' "$1" >"$RUN/s.xs"
	"$TOOLS/xs-script" "$RUN/s.xs" >"$RUN/s.out" ||
		{ cat "$RUN/s.out"; fail "script"; }
}

# alive: the daemon still serves dom0 (and has not died)
alive() {
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon died"
	xenstore-write /alive 1 || fail "the daemon does not serve dom0"
	check_eq alive 1 "$(xenstore-read /alive)"
}

# store_ok: the daemon's own consistency check finds nothing wrong
store_ok() {
	"$BIN/xenstore-control" check >/dev/null ||
		{ cat "$RUN/daemon.err"; fail "xenstore-control check"; }
}

# gone DOMID: wait until the daemon has forgotten the domain
gone() {
	i=0
	while "$BIN/xenstore-control" quota "$1" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 600 ] && fail "domain $1 still known"
		sleep 0.05
	done
}
