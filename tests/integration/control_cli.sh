# SPDX-License-Identifier: MIT
#
# xenstore-control: ours and Debian's (Xen 4.17) against our daemon.
# Debian's /usr/bin/xenstore-control is a wrapper that runs the tool of
# the hypervisor's version, read from /sys/hypervisor; where mount
# namespaces are allowed it runs with a /sys saying "Xen 4.17", else the
# binary it would run, $XEN_BIN/xenstore-control, is used directly.  For every
# command, good and bad, both tools must print the same bytes on the same
# streams and exit with the same status, and our daemon's replies must be
# Xen's (the expected texts below).  Against Xen's cxenstored, when it
# runs here, the two tools must again agree.  Also: exit statuses 1
# (no daemon) and 2 (usage), and finding the daemon through
# XENSTORED_RUNDIR.
. tests/lib.sh
. tests/interop/lib.sh

OURS="$BIN/xenstore-control"
DEB="$XEN_BIN/xenstore-control"
DEB_REAL=$DEB
[ -x "$DEB" ] || DEB=""
[ -n "$DEB" ] || echo "note: Debian's xenstore-control missing, ours only"
if [ -n "$DEB" ] && [ -x /usr/bin/xenstore-control ] && unshare -m true 2>/dev/null; then
	cat >"$RUN/debian-xenstore-control" <<'EOF'
#!/bin/sh
# Debian's wrapper, in a mount namespace whose /sys says Xen 4.17.
exec unshare -m sh -c '
	mount -t tmpfs none /sys && mkdir -p /sys/hypervisor/version &&
	echo xen >/sys/hypervisor/type &&
	echo 4 >/sys/hypervisor/version/major &&
	echo 17 >/sys/hypervisor/version/minor &&
	exec /usr/bin/xenstore-control "$@"' sh "$@"
EOF
	chmod +x "$RUN/debian-xenstore-control"
	DEB="$RUN/debian-xenstore-control"
	echo "Debian's tool: /usr/bin/xenstore-control (its wrapper)"
fi

# run NAME ARGS...: run both tools; $RUN/NAME.{out,err,rc} hold ours, and
# Debian's must be byte for byte the same.
run() {
	name=$1
	shift
	set +e
	"$OURS" "$@" >"$RUN/$name.out" 2>"$RUN/$name.err"
	echo $? >"$RUN/$name.rc"
	if [ -n "$DEB" ]; then
		"$DEB" "$@" >"$RUN/$name.dout" 2>"$RUN/$name.derr"
		echo $? >"$RUN/$name.drc"
	fi
	set -e
	[ -z "$DEB" ] && return 0
	for x in out err rc; do
		d=d$x
		[ $x = rc ] && d=drc
		cmp -s "$RUN/$name.$x" "$RUN/$name.$d" || {
			echo "--- ours ($x)"; cat "$RUN/$name.$x"
			echo "--- Debian's ($x)"; cat "$RUN/$name.$d"
			fail "$name: the tools differ ($x)"
		}
	done
}

# expect NAME RC: ours exited RC, printed standard input on stdout, and
# nothing on stderr.
expect() {
	check_eq "$1 status" "$2" "$(cat "$RUN/$1.rc")"
	cat >"$RUN/$1.want"
	cmp -s "$RUN/$1.want" "$RUN/$1.out" || {
		echo "--- want"; cat "$RUN/$1.want"; echo "--- got"; cat "$RUN/$1.out"
		fail "$1: output"
	}
	[ ! -s "$RUN/$1.err" ] || { cat "$RUN/$1.err"; fail "$1: stderr"; }
}

# expect_err NAME RC: ours exited RC, printed nothing on stdout, and
# standard input on stderr.
expect_err() {
	check_eq "$1 status" "$2" "$(cat "$RUN/$1.rc")"
	cat >"$RUN/$1.want"
	cmp -s "$RUN/$1.want" "$RUN/$1.err" || {
		echo "--- want"; cat "$RUN/$1.want"; echo "--- got"; cat "$RUN/$1.err"
		fail "$1: stderr"
	}
	[ ! -s "$RUN/$1.out" ] || { cat "$RUN/$1.out"; fail "$1: stdout"; }
}

HELP='check           
log             [on|off|+<switch>|-<switch>]
live-update     [-c <cmdline>] [-F] [-t <timeout>] <file>
    Default timeout is 60 seconds.
logfile         <file>
memreport       [<file>]
print           <string>
quota           [set <name> <val>|<domid>|max [-r]]
quota-soft      [set <name> <val>]
help            
'
unsupported() {
	printf 'Command not supported. Valid commands are:\n%s\n' "$HELP"
}

# --- without a daemon: usage (2), cannot connect (1) ---
XENSTORED_PATH=$RUN/none
export XENSTORED_PATH
set +e
"$OURS" 2>"$RUN/usage.err"; rc=$?
set -e
check_eq "usage status" 2 "$rc"
check_eq "usage" "Usage:
$OURS <command> [<arg>...]" "$(cat "$RUN/usage.err")"
if [ -n "$DEB" ]; then
	set +e
	"$DEB" 2>"$RUN/dusage.err"; rc=$?
	set -e
	check_eq "Debian's usage status" 2 "$rc"
	check_eq "Debian's usage" "Usage:
$DEB_REAL <command> [<arg>...]" "$(cat "$RUN/dusage.err")"
fi
run noconn help
expect_err noconn 1 <<'EOF'
Failed to contact Xenstored.
EOF

# --- our daemon ---
unset XENSTORED_PATH # the daemon would take it as its socket
start_daemon -T trace.log

run help help
printf '%s\n' "$HELP" | expect help 0
run log log
expect log 0 <<'EOF'
Log switch settings:
obj     : on
io      : on
wrl     : off
acc     : off
tdb     : off

EOF
run log-acc log +acc
expect log-acc 0 <<'EOF'
OK
EOF
run log-obj log -obj
run log2 log
expect log2 0 <<'EOF'
Log switch settings:
obj     : off
io      : on
wrl     : off
acc     : on
tdb     : off

EOF
run log-bad log +nope
unsupported | expect_err log-bad 3
run log-two log on off
unsupported | expect_err log-two 3

run quota quota
expect quota 0 <<'EOF'
Quota settings:
nodes            :     1000 Nodes per domain
watches          :      128 Watches per domain
outstanding      :       20 Outstanding requests per domain
memory           :  2621440 Memory used by a domain, in bytes
transactions     :       10 Open transactions per domain
transaction-nodes:     1024 Nodes accessed by one transaction
node-permissions :        5 Permissions per node
path-max         :     2048 Length of a node path
node-size        :     2048 Size of a node, in bytes

EOF
run quota-set quota set watches 64
expect quota-set 0 <<'EOF'
OK
EOF
"$OURS" quota | grep -qx 'watches          :       64 Watches per domain' ||
	fail "quota set did not take"
for bad in "set watches 0" "set watches -1" "set watches x" "set nope 5" \
	"set watches" "set soft-memory 5" "max -x" "max -r -r" "abc" "0 1"; do
	# shellcheck disable=SC2086
	run quota-bad quota $bad
	unsupported | expect_err quota-bad 3
done
run quota-nodom quota 77
expect_err quota-nodom 3 <<'EOF'
Error 2 when trying to execute command.
EOF
run quota-dom0 quota 0
expect quota-dom0 0 <<'EOF'
Domain 0:
nodes            :        5 (max        5)
watches          :        0 (max        0)
outstanding      :        0 (max        0)
memory           :      186 (max      186)
transactions     :        0 (max        0)
transaction-nodes:        0 (max        0)
node-permissions :        0 (max        0)
path-max         :        0 (max        0)
node-size        :        0 (max        0)

EOF
run quota-max quota max -r
expect quota-max 0 <<'EOF'
Max. seen accounting values:
nodes            :        0
watches          :        0
outstanding      :        0
memory           :        0
transactions     :        0
transaction-nodes:        0
node-permissions :        0
path-max         :        0
node-size        :        0

EOF
run soft quota-soft
expect soft 0 <<'EOF'
Quota settings:
memory           :  2097152 Memory used by a domain, in bytes

EOF
run soft-set quota-soft set memory 3000000
"$OURS" quota-soft | grep -qx 'memory           :  3000000 Memory used by a domain, in bytes' ||
	fail "quota-soft set did not take"
run soft-bad quota-soft 0
unsupported | expect_err soft-bad 3

run check check
expect check 0 <<'EOF'
OK
EOF
run check-arg check now
unsupported | expect_err check-arg 3

expect_log
run print print "hello there"
expect print 0 <<'EOF'
OK
EOF
check_eq "print on stderr" "xenstored: control: hello there
xenstored: control: hello there" "$(cat "$RUN/daemon.err")"
grep -qx 'control: hello there' "$RUN/trace.log" || fail "print not in the access log"
run print-none print
unsupported | expect_err print-none 3

run memreport memreport
expect memreport 0 <<'EOF'
OK
EOF
grep -q '^memreport: .* nodes, .* watches, 1 connections$' "$RUN/trace.log" ||
	fail "memreport not in the access log"
run memreport-file memreport mem.txt
grep -q '^memreport: ' "$RUN/mem.txt" || fail "memreport to a file"
run memreport-two memreport a b
unsupported | expect_err memreport-two 3

run logfile logfile other.log
expect logfile 0 <<'EOF'
OK
EOF
[ -f "$RUN/other.log" ] || fail "logfile did not open other.log"
run logfile-none logfile
unsupported | expect_err logfile-none 3

run unknown frobnicate
unsupported | expect_err unknown 3
# live-update: both tools drive the same steps and say the same (the
# updates that work are tests/integration/lu_*.sh).
run lu-missing live-update
expect_err lu-missing 2 <<'EOF'
Missing binary specification
EOF
run lu-noent live-update /nonexistent
expect_err lu-noent 3 <<'EOF'
Setting update binary failed:
File not accessible.
EOF
: >"$RUN/noexec"
run lu-noexec live-update "$RUN/noexec"
expect_err lu-noexec 3 <<'EOF'
Setting update binary failed:
File not executable.
EOF
run lu-nostart live-update /bin/false
expect_err lu-nostart 3 <<'EOF'
Setting update binary failed:
Error activating new binary.
EOF

# Found through XENSTORED_RUNDIR when XENSTORED_PATH is unset.
check_eq "rundir" OK "$(env -u XENSTORED_PATH XENSTORED_RUNDIR="$RUN" "$OURS" check)"
stop_daemon
unset XENSTORED_PATH

# Without a trace file, memreport has nowhere to write: EINVAL, as Xen.
start_daemon
run memreport-nofile memreport
unsupported | expect_err memreport-nofile 3
stop_daemon

# --- Xen's daemon: the two tools still agree, command by command ---
if [ -n "$DEB" ] && cx_present && start_cxenstored; then
	for cmd in help "log on" "log off" quota quota-soft "quota 0" \
		"quota 77" "quota set nodes 0" check "print x" bogus; do
		# shellcheck disable=SC2086
		run cx $cmd
	done
	stop_any
	echo "both tools agree against cxenstored"
fi
echo ok
