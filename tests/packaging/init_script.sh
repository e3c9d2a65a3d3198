# SPDX-License-Identifier: MIT
#
# XENSTORED= in /etc/default/xen makes Debian's own init script start our
# daemon.  The test runs xenstored_start, the function of xen-utils-common's
# /etc/init.d/xen that starts xenstored, as that script runs it: /bin/sh,
# its variables, /etc/default/xen sourced after them, start-stop-daemon
# and choom, the 30 s readiness loop on Xen's `xenstore-read -s /`, then
# dom0's entries.  Only the places differ: the default file, run
# directory and pid file are in a private directory, and $ROOT (Xen's
# /usr/lib/xen-4.17) has no xen-init-dom0, which needs the hypervisor,
# so the function writes dom0's entries with Xen's xenstore-write (its
# own fallback).  Then a second start: still one daemon; and the boot
# where xenstored-ng.service started the daemon before /etc/init.d/xen.
. tests/lib.sh
. tests/packaging/lib.sh

INIT=/etc/init.d/xen
dpkg -S "$INIT" 2>/dev/null | grep -q '^xen-utils-common:' ||
	fail "$INIT is not xen-utils-common's (scripts/install-deps.sh --test)"
R=$RUN/root
extract_all "$R"
D=$R/usr/sbin/xenstored-ng

sed -n '/^xenstored_start()/,/^}/p' "$INIT" >"$RUN/fn.sh"
grep -q 'start-stop-daemon --start' "$RUN/fn.sh" || fail "no xenstored_start in $INIT"
# choom -n -1000 needs CAP_SYS_RESOURCE: without it (not root, or a
# container), a stand-in that runs the command the same way.
choom=/usr/bin/choom
if ! /usr/bin/choom -n -1000 true 2>/dev/null; then
	printf '#!/bin/sh\n[ "$1" = -n ] && shift 2\n[ "$1" = -- ] && shift\ncmd=$1; shift\n[ "$1" = -- ] && shift\nexec "$cmd" "$@"\n' \
		>"$RUN/choom"
	chmod +x "$RUN/choom"
	sed -i "s|/usr/bin/choom|$RUN/choom|" "$RUN/fn.sh"
	choom=$RUN/choom
fi

mkdir -p "$RUN/default" "$RUN/xenroot/bin"
cat >"$RUN/default/xen" <<EOS
# as an operator edits /etc/default/xen
XENSTORED=$D
XENSTORED_ARGS="--db $RUN/store.tdb"
XENSTORED_DIR=$RUN/xenstored
EOS

# The lines of /etc/init.d/xen before and around the function, with the
# private paths; the function itself unchanged.
cat >"$RUN/start.sh" <<EOS
log_progress_msg() { echo "progress: \$*"; }
log_failure_msg() { echo "failure: \$*"; }
XENSTORED_DIR="/run/xenstored"
[ -r "$RUN/default/xen" ] && . "$RUN/default/xen"
PATH=/sbin:/bin:/usr/sbin:/usr/bin
ROOT=$RUN/xenroot
CXENSTORED="\$ROOT"/bin/xenstored
OXENSTORED="\$ROOT"/bin/oxenstored
XENSTORED_PIDFILE="$RUN/xenstore.pid"
# Xen's client library and our daemon find the socket here.
export XENSTORED_RUNDIR=$RUN/xenstored
. "$RUN/fn.sh"
xenstored_start
EOS
sh "$RUN/start.sh" >"$RUN/out" 2>&1 || fail "xenstored_start: $(cat "$RUN/out")"
check_eq "messages" "progress: xenstored" "$(cat "$RUN/out")"
DAEMON_PID=$(cat "$RUN/xenstore.pid")
check_eq "started from XENSTORED" "$(readlink -f "$D")" \
	"$(readlink -f "/proc/$DAEMON_PID/exe")"
tr '\0' ' ' <"/proc/$DAEMON_PID/cmdline" >"$RUN/cmdline"
check_eq "arguments" "$D --db $RUN/store.tdb --pid-file $RUN/xenstore.pid " \
	"$(cat "$RUN/cmdline")"
[ "$choom" != /usr/bin/choom ] ||
	check_eq "oom_score_adj" -1000 "$(cat "/proc/$DAEMON_PID/oom_score_adj")"
export XENSTORED_RUNDIR=$RUN/xenstored
check_eq "dom0's name, written by the script" Domain-0 \
	"$(xenstore-read /local/domain/0/name)"
check_eq "dom0's domid" 0 "$(xenstore-read /local/domain/0/domid)"

# Started again (the unit ran first, or the script twice): the second
# daemon finds the pid file locked and leaves; the first one serves on.
sh "$RUN/start.sh" >"$RUN/out2" 2>&1 || fail "second xenstored_start: $(cat "$RUN/out2")"
check_eq "same daemon" "$DAEMON_PID" "$(cat "$RUN/xenstore.pid")"
check_eq "one daemon" "$DAEMON_PID" "$(pgrep -f "^$D " | tr '\n' ' ' | sed 's/ $//')"
xenstore-write /after second
check_eq "serving" second "$(xenstore-read /after)"
stop_detached

# The boot with xenstored-ng.service enabled: its launcher starts the
# daemon (in the foreground, Debian's pid file), then /etc/init.d/xen
# runs and finds it: the script succeeds, the launcher's daemon is the
# one serving, and it holds dom0's entries the script wrote.
rm -rf "$RUN/xenstored" "$RUN/store.tdb"*
XEN_DEFAULT_DIR=$RUN/default XENSTORED_PIDFILE=$RUN/xenstore.pid \
	"$R/usr/libexec/xenstore-ng/launch-xenstored" 2>"$RUN/launch.err" &
DAEMON_PID=$!
i=0
while [ ! -S "$RUN/xenstored/socket" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && fail "launcher's daemon did not start: $(cat "$RUN/launch.err")"
	sleep 0.05
done
sh "$RUN/start.sh" >"$RUN/out3" 2>&1 || fail "xenstored_start after the unit: $(cat "$RUN/out3")"
check_eq "the unit's daemon" "$DAEMON_PID" "$(cat "$RUN/xenstore.pid")"
check_eq "still one daemon" "$DAEMON_PID" "$(pgrep -f "^$D " | tr '\n' ' ' | sed 's/ $//')"
check_eq "dom0's name" Domain-0 "$(xenstore-read /local/domain/0/name)"
kill "$DAEMON_PID"
wait "$DAEMON_PID" || fail "launched daemon's exit status"
DAEMON_PID=""
echo ok
