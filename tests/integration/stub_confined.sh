#!/bin/sh
# SPDX-License-Identifier: MIT
# The xenstore domain has nothing but the hypervisor's interfaces
# (docs/stubdom.md, "What the hypervisor lets it do"): xsim confines its
# process before boot (tools/xsim/confine.h) so that it reaches no file
# of dom0's outside its share (RUNDIR/xenstored/domain) and no socket.
#
#   - `xenstore-control logfile` and `memreport` naming a file outside
#     the share get the error as the reply, logged, and create nothing;
#   - a relative name lands in the share, and both work there;
#   - the daemon keeps serving, and still after a live update (the
#     confinement binds the new kernel too).
# Without Landlock (an older kernel) the file part is skipped, saying so.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
XENSTORETYPE=domain
export XENSTORETYPE
start_sim 2>"$RUN/sim.err"
cat "$RUN/sim.err" >&2
expect_log # the refusals are logged on the domain's console
share=$SIM/xenstored/domain
ctl() { "$BIN/xenstore-control" "$@" 2>&1; }
out=$RUN/outside
mkdir "$out"

landlock=yes
grep -q "not confined on the file system" "$RUN/sim.err" && landlock=no
if [ $landlock = no ]; then
	echo "SKIP (part): no Landlock here, the file system is not confined"
else
	for c in logfile memreport; do
		r=$(ctl $c "$out/$c.log") && fail "$c outside the share: $r"
		echo "$r" | grep -q "Error 13 \|Permission denied\|EACCES" ||
			fail "$c outside the share: no EACCES: $r"
		[ ! -e "$out/$c.log" ] || fail "$c created $out/$c.log"
		grep -q "control: $c $out/$c.log" "$SIM/xenstored.log" ||
			fail "$c refusal not logged"
	done
	r=$(ctl logfile /etc/xenstore-confined-test.log) &&
		fail "logfile in /etc: $r"
fi

# A relative name is the share's (the trace's directory is the domain's
# working directory), and works.
check_eq "relative logfile" OK "$(ctl logfile trace.log)"
"$BIN/xenstore-write" /confined/a 1 || fail "write after logfile"
[ -s "$share/trace.log" ] || fail "no trace.log in the share"
grep -q "WRITE (/confined/a 1" "$share/trace.log" ||
	fail "the write is not in the share's trace.log"
check_eq "relative memreport" OK "$(ctl memreport report.txt)"
grep -q "^memreport:" "$share/report.txt" || fail "no memreport in the share"
ctl logfile off >/dev/null

# Still serving, and still confined after a live update.
check_eq "read after refusals" 1 "$("$BIN/xenstore-read" /confined/a)"
r=$(ctl live-update "$BIN/xenstored") || fail "live update: $r"
check_eq "read after the update" 1 "$("$BIN/xenstore-read" /confined/a)"
if [ $landlock = yes ]; then
	r=$(ctl logfile "$out/after.log") && fail "logfile after update: $r"
	[ ! -e "$out/after.log" ] || fail "the new kernel created $out/after.log"
fi
"$BIN/xenstore-write" /confined/b 2 || fail "write after the update"
check_eq "read b" 2 "$("$BIN/xenstore-read" /confined/b)"
