#!/bin/sh
# SPDX-License-Identifier: MIT
# The xsim command line: what it says when something fails (and that it
# exits non-zero), before and after a host runs; start and stop twice.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"

# must_fail NAME EXPECTED-MESSAGE COMMAND...: fails, and says so on stderr.
must_fail() {
	name=$1 msg=$2
	shift 2
	if "$@" >"$RUN/$name.out" 2>"$RUN/$name.err"; then
		fail "$name: succeeded"
	fi
	grep -qF -- "$msg" "$RUN/$name.err" ||
		fail "$name: no [$msg] in [$(cat "$RUN/$name.err")]"
}

must_fail no-host "no run directory" "$BIN/xsim" -r "$RUN/none" list
must_fail usage "usage: xsim" "$BIN/xsim" -r "$RUN/none" frobnicate
start_sim
must_fail twice "already runs" xsim start
must_fail bad-name "bad domain name" xsim create 'a/b' -- exit
must_fail dom0-name "bad domain name" xsim create Domain-0 -- exit
must_fail no-domain "no domain nosuch" xsim destroy nosuch
must_fail no-id "no domain 42" xsim domid 42
must_fail bad-action "unknown action" xsim create x -c reboot -- exit
# More kernel arguments than reach the guest: refused, not cut short,
# in both forms of create, and nothing is left behind.
must_fail too-many-args "big: 300 kernel arguments, at most 254 fit" \
	xsim create big -- $(seq 300)
must_fail too-many-extra "big2: 300 kernel arguments, at most 254 fit" \
	xsim create "$XS_TOP/tools/xsim/examples/guest1.cfg" name=big2 \
	"disk=[]" "vif=[]" "extra='$(seq -s ' ' 300)'"
must_fail big-gone "no domain big" xsim domid big
must_fail big2-gone "no domain big2" xsim domid big2
xsim create g1 -- sleep || fail "create g1"
must_fail duplicate "domain g1 already exists" xsim create g1 -- exit
must_fail bad-kernel "cannot run the guest kernel" \
	xsim create g2 -F -k "$RUN/nothere" -- exit
check_eq "g1's id" 1 "$(xsim domid g1)"
# The guest's own failure is the foreground xsim's status.
xsim create g3 -F -- 'exit 7' && fail "exit 7 ignored"
status=0
xsim create g3 -F -- 'exit 7' || status=$?
check_eq "guest status" 7 "$status"
"$BIN/xenstore-write" /before-stop yes || fail "write before stop"
xsim stop || fail "stop"
must_fail stopped "cannot reach" xsim list
xsim start || fail "second start"
check_eq "fresh store" "0" "$("$BIN/xenstore-list" /local/domain)"
# Not even from the database's journal.
if "$BIN/xenstore-read" /before-stop 2>/dev/null; then
	fail "the old store is back"
fi
