# SPDX-License-Identifier: MIT
#
# The packages' programs, unpacked into a directory (nothing is
# installed), run: the daemon serves Xen's tools and ours, Debian's
# tools run on our private library, a program builds with the
# pkg-config module, man finds our tools' pages from their directory;
# the unit's launcher reads Xen's settings, notifies systemd from the
# unit's main process and refuses what would start two daemons; the
# units pass systemd-analyze.
. tests/lib.sh
. tests/packaging/lib.sh

R=$RUN/root
extract_all "$R"
D=$R/usr/sbin/xenstored-ng
TB=$R/usr/lib/xenstore-ng/bin
PRIV=$R/usr/lib/$MA/xenstore-ng

# This daemon is built against Xen's real libraries: on a machine without
# Xen, libxenctrl says so once on stderr and the daemon serves its
# sockets only.  Anything else on stderr fails the test.
check_stderr() {
	grep -v '^xencall: error: Could not obtain handle on privileged command interface' \
		"$1" >"$1.other" || true
	[ ! -s "$1.other" ] || fail "daemon's stderr: $(cat "$1.other")"
}
wait_socket() {
	i=0
	while [ ! -S "$1" ]; do
		i=$((i + 1)); [ $i -gt 200 ] && fail "no socket $1"
		sleep 0.05
	done
}

# --- the daemon, the tools and the library, as installed ---
mkdir -p "$RUN/s"
XENSTORED_RUNDIR=$RUN/s "$D" -N -F "$RUN/s/pid" 2>"$RUN/d.err" &
DAEMON_PID=$!
wait_socket "$RUN/s/socket"
export XENSTORED_PATH=$RUN/s/socket
xenstore-write /pkg/a hello || fail "Xen's xenstore-write"
check_eq "our xenstore-read" hello "$("$TB/xenstore-read" /pkg/a)"
"$TB/xenstore-write" /pkg/b world
check_eq "Xen's xenstore-read" world "$(xenstore-read /pkg/b)"
check_eq "Xen's tool on our library" hello \
	"$(LD_LIBRARY_PATH=$PRIV xenstore-read /pkg/a)"
LD_LIBRARY_PATH=$PRIV ldd /usr/bin/xenstore-read |
	grep -q "libxenstore.so.4 => $PRIV/libxenstore.so.4" ||
	fail "Debian's xenstore-read did not load our library"
"$TB/xenstore-control" help | grep -q quota || fail "our xenstore-control"

cat >"$RUN/prog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <xenstore.h>
int
main(void)
{
	struct xs_handle *h = xs_open(0);
	unsigned int len;
	char *v = h ? xs_read(h, XBT_NULL, "/pkg/a", &len) : NULL;

	if (v == NULL)
		return 1;
	printf("%s\n", v);
	free(v);
	xs_close(h);
	return 0;
}
C
flags=$(PKG_CONFIG_PATH=$R/usr/lib/$MA/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R \
	pkg-config --cflags --libs xenstore-ng) || fail "pkg-config xenstore-ng"
# shellcheck disable=SC2086
cc -o "$RUN/prog" "$RUN/prog.c" $flags || fail "building with xenstore-ng.pc"
readelf -d "$RUN/prog" | grep -q "/usr/lib/$MA/xenstore-ng" ||
	fail "no run path to the private library"
check_eq "a program of libxenstore-ng-dev" hello \
	"$(LD_LIBRARY_PATH=$PRIV "$RUN/prog")"
if command -v man >/dev/null; then
	check_eq "man page found from PATH" "$R/usr/lib/xenstore-ng/share/man/man1/xenstore-read.1" \
		"$(PATH=$TB:$PATH man -w xenstore-read)"
fi
kill "$DAEMON_PID"
wait "$DAEMON_PID" || fail "daemon's exit status"
DAEMON_PID=""
check_stderr "$RUN/d.err"
unset XENSTORED_PATH

# --- the launcher of xenstored-ng.service ---
# launch: runs it with the settings in $RUN/default, the pid file and
# log directory in $RUN/l, NOTIFY_SOCKET on a listener that records who
# sent what (SCM_CREDENTIALS, as systemd checks NotifyAccess=main).
mkdir -p "$RUN/default" "$RUN/l"
launch() {
	rm -f "$RUN/l/notify" "$RUN/l/said" "$RUN/l/bound"
	python3 - "$RUN/l/notify" "$RUN/l/said" "$RUN/l/bound" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
open(sys.argv[3], "w").close()
s.settimeout(60)
msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
pid = [struct.unpack("iII", d)[0] for l, t, d in anc
       if l == socket.SOL_SOCKET and t == socket.SCM_CREDENTIALS]
open(sys.argv[2], "w").write("%s %s\n" % (msg.decode(), pid[0] if pid else "?"))
PY
	LISTENER=$!
	background $LISTENER
	i=0
	until [ -e "$RUN/l/bound" ]; do
		i=$((i + 1)); [ $i -gt 200 ] && fail "listener did not start"
		sleep 0.05
	done
	XEN_DEFAULT_DIR=$RUN/default XENSTORED_PIDFILE=$RUN/l/pid \
		XEN_LOG_DIR=$RUN/l/log XENSTORED_RUNDIR=$RUN/l \
		NOTIFY_SOCKET=$RUN/l/notify \
		"$R/usr/libexec/xenstore-ng/launch-xenstored" 2>"$RUN/l/err" &
	DAEMON_PID=$!
}

# Debian's file names the daemon, with arguments and a trace; Xen's own
# xencommons sets the descriptor limit.
cat >"$RUN/default/xen" <<EOS
# as /etc/default/xen
XENSTORED=$D
XENSTORED_ARGS="--db $RUN/l/store.tdb --sync=none"
XENSTORED_TRACE=yes
EOS
echo "XENSTORED_MAX_OPEN_FDS=4000" >"$RUN/default/xencommons"
launch
wait "$LISTENER" || fail "no notification"
check_eq "READY=1 from the unit's main process" "READY=1 $DAEMON_PID" "$(cat "$RUN/l/said")"
check_eq "pid file" "$DAEMON_PID" "$(cat "$RUN/l/pid")"
check_eq "the main process is the daemon" "$(readlink -f "$D")" \
	"$(readlink -f "/proc/$DAEMON_PID/exe")"
[ -e "$RUN/l/store.tdb" ] || fail "XENSTORED_ARGS not passed (--db)"
grep -q "^Max open files *4000 " "/proc/$DAEMON_PID/limits" ||
	fail "XENSTORED_MAX_OPEN_FDS not applied: $(grep 'open files' "/proc/$DAEMON_PID/limits")"
XENSTORED_PATH=$RUN/l/socket xenstore-write /traced yes
grep -q "WRITE (/traced yes)" "$RUN/l/log/xenstored-trace.log" ||
	fail "XENSTORED_TRACE: no access log"
kill "$DAEMON_PID"
wait "$DAEMON_PID" || fail "launched daemon's exit status"
DAEMON_PID=""
check_stderr "$RUN/l/err"

# refuse WHY: the launcher exits 1 with a message, starting nothing.
refuse() {
	XEN_DEFAULT_DIR=$RUN/default XENSTORED_PIDFILE=$RUN/l/pid \
		XENSTORED_RUNDIR=$RUN/l "$R/usr/libexec/xenstore-ng/launch-xenstored" \
		2>"$RUN/l/err" && fail "launched: $1"
	grep -q "^launch-xenstored: " "$RUN/l/err" || fail "no message: $1"
	[ ! -e "$RUN/l/socket" ] || fail "a daemon started: $1"
}
rm -f "$RUN/default/xencommons"
echo "XENSTORED_ARGS=" >"$RUN/default/xen"
refuse "XENSTORED unset: Debian's init script would start oxenstored too"
echo "XENSTORED=/usr/sbin/oxenstored" >"$RUN/default/xen"
refuse "XENSTORED names Xen's daemon"
printf 'XENSTORED=%s\nXENSTORETYPE=domain\n' "$D" >"$RUN/default/xen"
refuse "a stub domain is asked for"

# --- the hotplug daemon finds the package's scripts by default ---
"$R/usr/sbin/xenstore-hotplugd" --help 2>&1 |
	grep -q "(default /usr/libexec/xenstore-ng/scripts)" ||
	fail "xenstore-hotplugd's default script directory"
[ -x "$R/usr/libexec/xenstore-ng/scripts/block" ] || fail "block not executable"

# --- the pool agent runs, and says what it lacks ---
"$R/usr/sbin/xs-pool-agent" >"$RUN/agent.out" 2>&1 && fail "xs-pool-agent without options"
grep -q "^usage: xs-pool-agent --host NAME --etcd" "$RUN/agent.out" ||
	fail "xs-pool-agent's usage: $(cat "$RUN/agent.out")"

# --- the units ---
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$RUN/units"
	for u in xenstored-ng xenstore-hotplugd xs-pool-agent; do
		sed -e "s|=/usr/libexec/|=$R/usr/libexec/|" -e "s|=/usr/sbin/|=$R/usr/sbin/|" \
			"$R/lib/systemd/system/$u.service" >"$RUN/units/$u.service"
	done
	systemd-analyze verify --man=no "$RUN"/units/*.service >"$RUN/verify" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$RUN/verify")"
	[ ! -s "$RUN/verify" ] || fail "systemd-analyze verify: $(cat "$RUN/verify")"
	grep -qx "Type=notify" "$RUN/units/xenstored-ng.service" || fail "not Type=notify"
fi
echo ok
