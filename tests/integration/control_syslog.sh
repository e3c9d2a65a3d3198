# SPDX-License-Identifier: MIT
#
# Daemonised, xenstored logs to syslog with ident "xenstored" and facility
# daemon, and nothing to the terminal.  The daemon runs in a private mount
# namespace whose /dev holds our own /dev/log (a datagram socket this test
# reads) beside the real null and urandom; "xenstore-control print" makes
# it log a line, which must arrive as <28> (daemon.warning) from
# "xenstored[<pid>]".  Skipped where mount namespaces are not allowed.
. tests/lib.sh

if ! unshare -m true 2>/dev/null; then
	echo "note: no mount namespace here (needs root); skipped"
	exit 0
fi

mkdir "$RUN/dev"
touch "$RUN/dev/null" "$RUN/dev/urandom"
rm -f "$RUN/syslog" "$RUN/syslog.bound"
python3 - "$RUN/dev/log" "$RUN/syslog" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".bound", "w").close()
s.settimeout(60)
with open(sys.argv[2], "w") as out:
    while True:
        msg = s.recv(4096).decode(errors="replace")
        out.write(msg.rstrip("\n") + "\n")
        out.flush()
        if "control: mark" in msg:
            break
PY
LISTENER=$!
background $LISTENER
i=0
until [ -e "$RUN/syslog.bound" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && fail "syslog listener did not start"
	sleep 0.05
done

unshare -m sh -c '
	mount --bind /dev/null "$1/dev/null" &&
	mount --bind /dev/urandom "$1/dev/urandom" &&
	mount --bind "$1/dev" /dev &&
	XENSTORED_RUNDIR="$1" exec "$2" -F "$1/pid"
' sh "$RUN" "$BIN/xenstored" >"$RUN/daemon.out" 2>"$RUN/daemon.err" ||
	fail "xenstored did not start daemonised"
i=0
until [ -S "$RUN/socket" ] && [ -s "$RUN/pid" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && fail "daemon did not come up"
	sleep 0.05
done
DAEMON_PID=$(cat "$RUN/pid")
export XENSTORED_PATH="$RUN/socket"

"$BIN/xenstore-control" print mark >/dev/null || fail "print"
wait $LISTENER || fail "no syslog message"
grep -Eq "^<28>.*xenstored\\[$DAEMON_PID\\]: control: mark\$" "$RUN/syslog" ||
	{ cat "$RUN/syslog"; fail "syslog line: ident, pid or facility"; }
[ ! -s "$RUN/daemon.out" ] || fail "daemon wrote to stdout"

stop_detached
echo ok
