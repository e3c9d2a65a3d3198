# SPDX-License-Identifier: MIT
#
# Start-up under systemd (Type=notify): with NOTIFY_SOCKET set, the daemon
# sends "READY=1" on that datagram socket, and by then its socket accepts
# requests: the listener below answers READY=1 by connecting at once and
# reading "/".  Checked in the foreground (-N), with an abstract socket
# name ("@..."), and daemonised (no -N: forks, writes its pid file,
# writes nothing to the terminal, notifies from the daemon process).
. tests/lib.sh

# listen ADDR OUT: a datagram listener on ADDR (a path, or "@name" for
# the abstract namespace) that waits up to 60 s for one message and, if
# it is READY=1, sends READ "/" to the daemon's socket at once; OUT gets
# the message and the reply's type.  Returns when ADDR is bound.
listen() {
	rm -f "$2" "$2.bound"
	case $1 in /*) rm -f "$1" ;; esac
	python3 - "$1" "$2" "$RUN/socket" <<'PY' &
import socket, struct, sys
addr, out, xs = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(out + ".bound", "w").close()
s.settimeout(60)
msg = s.recv(4096).decode()
line = msg
if msg == "READY=1":
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(xs)  # must already accept: no retry
    c.sendall(struct.pack("<IIII", 2, 7, 0, 2) + b"/\0")  # READ "/"
    hdr = b""
    while len(hdr) < 16:
        hdr += c.recv(16 - len(hdr))
    line += " reply-type=%d" % struct.unpack("<IIII", hdr)[0]
open(out, "w").write(line + "\n")
PY
	LISTENER=$!
	background $LISTENER
	i=0
	until [ -e "$2.bound" ]; do
		i=$((i + 1)); [ $i -gt 200 ] && fail "listener did not start"
		sleep 0.05
	done
}

# wait_listener OUT: the listener's verdict (READ's reply type is 2).
wait_listener() {
	wait $LISTENER || fail "listener failed"
	check_eq "notification" "READY=1 reply-type=2" "$(cat "$1")"
}

# Foreground, path socket.
listen "$RUN/notify" "$RUN/n1"
NOTIFY_SOCKET=$RUN/notify start_daemon
wait_listener "$RUN/n1"
stop_daemon

# Foreground, abstract socket.
name="@xst-notify-$$"
listen "$name" "$RUN/n2"
NOTIFY_SOCKET=$name start_daemon
wait_listener "$RUN/n2"
stop_daemon

# Daemonised: the parent returns, the daemon notifies and serves.
listen "$RUN/notify" "$RUN/n3"
NOTIFY_SOCKET=$RUN/notify XENSTORED_RUNDIR=$RUN ${XS_WRAP:-} \
	"$BIN/xenstored" -F "$RUN/pid" >"$RUN/daemon.out" 2>"$RUN/daemon.err" ||
	fail "xenstored did not daemonise"
wait_listener "$RUN/n3"
DAEMON_PID=$(cat "$RUN/pid")
[ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" || fail "no daemon behind the pid file"
XENSTORED_PATH=$RUN/socket xenstore-write /daemonised yes
[ ! -s "$RUN/daemon.out" ] || fail "daemon wrote to stdout"
stop_detached
echo ok
