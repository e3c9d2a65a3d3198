# One re-attachment for both restarts (guest.h's guest_reattach): a
# guest's ring, event channel and pending work are picked up after a
# crash restart and after a live update, the same way.
#   - the privileged domain on a ring (--priv-domid, not 0) is attached
#     again after a crash like any guest, and nothing is logged;
#   - after a live update the guest's own end of its event channel is
#     known (OWN_CONN), so that a crash restart after the update can
#     bind it again: the guest goes on through both;
#   - after an update from Xen's records only (no OWN_CONN), the guest's
#     end is asked of the hypervisor: a crash restart binds it again;
#   - a request longer than the ring, half received at a crash, is
#     applied once;
#   - a reply written in pieces is completed after a crash between them;
#   - a read answered but not given back at a crash, more than a ring of
#     reads after the guest's last save, is not answered again.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

CTL="$BIN/xenstore-control"

# wait_incr NAME N: NAME's guest has finished N increment loops.
wait_incr() {
	wait_lines "$RUN/$1.out" "$2" '^incr done' "$1 stuck before loop $2"
}

crash_restart() {
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	start_daemon "$@"
}

start_hyp
start_daemon --priv-domid 7
LAUNCH_DOMID=7 launch_guest p "incr:5:n" "wait:$RUN/go1" "incr:5:n" \
	"wait:$RUN/end"
launch_guest g "incr:5:m" "wait:$RUN/go1" "incr:5:m" "wait:$RUN/go2" \
	"incr:5:m" "wait:$RUN/end"
wait_incr p 1
wait_incr g 1

crash_restart --priv-domid 7
touch "$RUN/go1"
wait_incr p 2
check_eq "privileged guest's counter" 10 "$("$BIN/xenstore-read" /local/domain/7/n)"
wait_incr g 2

"$CTL" live-update -t 10 "$BIN/xenstored" || fail "live update"
crash_restart --priv-domid 7
touch "$RUN/go2"
wait_incr g 3
check_eq "guest's counter" 15 "$("$BIN/xenstore-read" "/local/domain/$g_domid/m")"

# After an update from a daemon that gives only Xen's records (no
# OWN_CONN: played by ours behind a --help that is not ours, as Xen's
# daemon would be), the guest's end of its channel is asked of the
# hypervisor, so that a crash restart can bind it again.
cat >"$RUN/xen-like" <<EOF
#!/bin/sh
[ "\$1" = --help ] && { "$BIN/xenstored" --help | grep -v -- --check-state; exit 0; }
exec "$BIN/xenstored" "\$@"
EOF
chmod +x "$RUN/xen-like"
launch_guest k "incr:5:k" "wait:$RUN/go4" "incr:5:k" "wait:$RUN/end"
wait_incr k 1
"$CTL" live-update -t 10 "$RUN/xen-like" || fail "live update with Xen's records only"
crash_restart --priv-domid 7
touch "$RUN/go4"
wait_incr k 2
check_eq "the guest's counter after Xen's records and a crash" 10 \
	"$("$BIN/xenstore-read" "/local/domain/$k_domid/k")"

# A request longer than the ring, half received at a crash: its start,
# given back so that the guest could write the rest, was saved first;
# the next daemon reads it, then the rest, and applies it once.
hexes=$(python3 -c '
import struct
body = b"long\0" + b"v" * 1500
msg = struct.pack("<IIII", 11, 1, 0, len(body)) + body
print(msg[:1024].hex(), msg[1024:].hex())')
set -- $hexes
launch_guest l "raw:$1" consumed "wait:$RUN/go5" "raw:$2" "drain:1" \
	"wait:$RUN/end"
wait_lines "$RUN/l.out" 1 '^consumed' "the long request's start"
crash_restart --priv-domid 7
touch "$RUN/go5"
wait_lines "$RUN/l.out" 1 '^WRITE\|^ERROR' "the long request's reply"
check_eq "the long request's reply" "WRITE OK" "$(grep '^WRITE\|^ERROR' "$RUN/l.out")"
check_eq "the long request's value" 1500 \
	"$("$BIN/xenstore-read" "/local/domain/$l_domid/long" | tr -d '\n' | wc -c)"

# A reply that went out in pieces (it did not fit in the space left,
# and the guest reads as Linux does: ring_conn.c) is completed after a
# crash between the pieces, from the save made before the first: the
# guest reads each reply once and whole.
BIG=$(printf '%01000d' 7)
launch_guest h "write:small=x" "write:big=$BIG" linux "flood:1:read:small" \
	"flood:1:read:big" full "wait:$RUN/go3" "drain:2" "wait:$RUN/end"
wait_lines "$RUN/h.out" 1 '^ring full' "the reply's first piece"
crash_restart --priv-domid 7
touch "$RUN/go3"
# Two replies, or a stall (which the check below shows): either ends it.
wait_lines "$RUN/h.out" 2 '^READ\|^stalled' "the replies after the crash"
check_eq "the replies across the crash" "READ x
READ $BIG" "$(grep -v '^WRITE\|^flood\|^ring full\|^domid\|^[0-9]' "$RUN/h.out")"

# A read answered on the ring, the daemon killed before it gave the
# request back, a hundred reads (more than a ring) after the guest's last
# save: the guest wrote over the requests after the record's req_end,
# but the ring's cursor says where the answered ones end, and the read
# is not answered again.  A stopped daemon plays one killed between the
# two stores: the guest puts req_cons back.
launch_guest u "write:a=1" "write:b=2" "repeat:100:read:a" "read:a" \
	"wait:$RUN/go6" unconsume "wait:$RUN/go7" "read:b" "wait:$RUN/end"
wait_lines "$RUN/u.out" 1 '^READ 1' "the last read's reply"
kill -STOP "$DAEMON_PID"
touch "$RUN/go6"
wait_lines "$RUN/u.out" 1 '^unconsumed' "req_cons put back"
crash_restart --priv-domid 7
touch "$RUN/go7"
wait_lines "$RUN/u.out" 2 '^READ' "the read after the crash"
check_eq "the replies after the crash" "READ 1
unconsumed
READ 2" "$(sed -n '/^repeat/,$p' "$RUN/u.out" | tail -n +2)"
stop_daemon
