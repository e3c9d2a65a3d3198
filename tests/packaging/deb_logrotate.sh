# SPDX-License-Identifier: MIT
#
# The package's /etc/logrotate.d/xenstored-ng, run by logrotate with its
# paths moved into a private directory: the access log is renamed, the
# daemon named by the pid file gets SIGHUP and reopens it by name, so
# later lines go to a new file that starts with Xen's "***" marker.  A
# pid file naming another program gets no signal.
. tests/lib.sh
. tests/packaging/lib.sh

command -v logrotate >/dev/null || fail "no logrotate (scripts/install-deps.sh --test)"
R=$RUN/root
extract_all "$R"
mkdir -p "$RUN/log" "$RUN/s"
LOG=$RUN/log/xenstored-trace.log
sed -e "s|/var/log/xen/xenstored-trace.log|$LOG|" -e "s|/run/xenstore.pid|$RUN/xenstore.pid|" \
	"$R/etc/logrotate.d/xenstored-ng" >"$RUN/logrotate.conf"
grep -q "$RUN/xenstore.pid" "$RUN/logrotate.conf" || fail "pid file not in the logrotate file"

XENSTORED_RUNDIR=$RUN/s "$R/usr/sbin/xenstored-ng" -N -T "$LOG" \
	--pid-file "$RUN/xenstore.pid" 2>"$RUN/d.err" &
DAEMON_PID=$!
i=0
while [ ! -S "$RUN/s/socket" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && fail "daemon did not start"
	sleep 0.05
done
export XENSTORED_PATH=$RUN/s/socket
xenstore-write /before rotation
logrotate -f -s "$RUN/state" "$RUN/logrotate.conf" || fail "logrotate"
[ -e "$LOG.1" ] || fail "not rotated: $(ls "$RUN/log")"
grep -q "WRITE (/before rotation)" "$LOG.1" || fail "old lines not in $LOG.1"
i=0
until [ -e "$LOG" ]; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "the daemon did not reopen its log"
	sleep 0.05
done
xenstore-write /after rotation
head -n 2 "$LOG" | grep -qx '\*\*\*' || fail "the new log does not start with the *** marker"
grep -q "WRITE (/after rotation)" "$LOG" || fail "new lines not in the new log"
! grep -q "/after" "$LOG.1" || fail "new lines in the old log"

# Another program's pid: no signal (sleep would die of SIGHUP).
sleep 60 &
other=$!
background $other
echo "$other" >"$RUN/other.pid"
sed "s|$RUN/xenstore.pid|$RUN/other.pid|" "$RUN/logrotate.conf" >"$RUN/other.conf"
logrotate -f -s "$RUN/state2" "$RUN/other.conf" || fail "logrotate (other)"
kill -0 "$other" || fail "SIGHUP sent to a program that is not xenstored-ng"

kill "$DAEMON_PID"
wait "$DAEMON_PID" || fail "daemon's exit status"
DAEMON_PID=""
grep -v '^xencall: error: Could not obtain handle on privileged command interface' \
	"$RUN/d.err" >"$RUN/d.other" || true
[ ! -s "$RUN/d.other" ] || fail "daemon's stderr: $(cat "$RUN/d.other")"
echo ok
