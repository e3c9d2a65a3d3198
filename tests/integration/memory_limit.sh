# Growth that guests drive meets the daemon's memory limit, not a quota:
# the daemon runs under an address-space limit (prlimit --as), dom0 lifts
# every quota, and three guests at once flood it with large nodes, watches
# with large tokens and the nodes of an open transaction (ring-guest's
# "repeat", which stops at the first error).  Each flood
# must end in ENOMEM (or, for a reply that cannot be queued, the closing
# of that guest's connection only), never in an abort; a well-behaved
# client is still served, and once the flooders die their memory serves
# it again, with the store consistent (CONTROL check).
#
# Under SANITIZE the limit is left out (ASan reserves terabytes of
# shadow address space): the floods are bounded instead, and the test
# checks that the daemon survives and serves, not that it refuses.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

case "$XS_BUILD" in
*/san-*) LIMIT="" N=1500 ;;
# 128 MB: a 64 MB node arena (the largest that fits) and some 60 MB of heap.
*) LIMIT=$((128 << 20)) N=200000 ;;
esac

start_hyp
expect_log
if [ -n "$LIMIT" ]; then
	command -v prlimit >/dev/null || fail "prlimit (util-linux) missing"
	XS_WRAP="prlimit --as=$LIMIT --"
fi
start_daemon -Q nodes=0 -Q watches=0 -Q memory=0 -q memory=0 \
	-Q transactions=0 -Q transaction-nodes=0 -Q node-size=0
XS_WRAP=""
xenstore-write /ok before

# The well-behaved client: a guest connected before the floods, which
# reads and writes its own node once they are over.
launch_guest good "write:ok=before" "wait:$RUN/go" "read:ok" "write:ok=at"
V=$(printf '%03000d' 0)
T=$(printf '%02000d' 0)
launch_guest a "repeat:$N:write:f/#=$V" sleep
launch_guest w "repeat:$N:watch:w/#:$T" sleep
launch_guest t start "repeat:$N:write:t/#=$V" sleep

# flood_result NAME: "repeat ok <done> [<error>]" of guest NAME, once it
# has one; "closed" if its connection was closed for want of memory.
flood_result() {
	i=0
	until grep -q '^repeat ok ' "$RUN/$1.out"; do
		i=$((i + 1))
		if grep -q 'no event from xenstored' "$RUN/$1.out"; then
			echo closed
			return
		fi
		[ $i -gt 2400 ] && { cat "$RUN/$1.out"; fail "guest $1 hangs"; }
		sleep 0.05
	done
	grep '^repeat ok ' "$RUN/$1.out"
}

refused=0
for g in a:nodes w:watches t:txn; do
	kind=${g#*:} g=${g%:*}
	r=$(flood_result $g)
	echo "$g: $r"
	kill -0 "$DAEMON_PID" 2>/dev/null ||
		{ cat "$RUN/daemon.err"; fail "daemon died (guest $g: $r)"; }
	if [ -n "$LIMIT" ]; then
		case "$r" in
		"repeat ok "*" ENOMEM") refused=$((refused + 1)) ;;
		closed) grep -q 'closing: out of memory' "$RUN/daemon.err" || {
			tail -n 5 "$RUN/$g.out"; tail -n 20 "$RUN/daemon.err"
			fail "guest $g lost its connection for no reason"; } ;;
		*) fail "guest $g: expected ENOMEM, got: $r" ;;
		esac
	else
		check_eq "guest $g ($kind)" "repeat ok $N" "$r"
	fi
done
[ -z "$LIMIT" ] || [ $refused -gt 0 ] || fail "no flood was refused with ENOMEM"
! grep 'refused by quota' "$RUN/daemon.err" ||
	fail "a quota refused, not the memory limit"

# The daemon is short of memory, but serves a well-behaved client: its
# read is answered, its write too (OK, or ENOMEM if no memory is left).
touch "$RUN/go"
wait_lines "$RUN/good.out" 3 '^[A-Z]' "good guest hangs"
replies=$(grep '^[A-Z]' "$RUN/good.out" | cut -d' ' -f1-2)
case "$replies" in
"WRITE OK
READ before
WRITE OK" | "WRITE OK
READ before
ERROR ENOMEM") ;;
*) fail "the good guest was not served: $replies" ;;
esac
echo "good: $(echo $replies)"
# Removing thousands of nodes in one request (no transaction, whose
# commit would need memory for the events it owes), at the limit: the
# turn's changes outgrow the memory kept for them, and are stored all
# the same.
printf '1 rm /local/domain/%s/f\n> 1: OK\n' "$a_domid" >"$RUN/rm.xs"
"$TOOLS/xs-script" "$RUN/rm.xs" ||
	{ tail -n 20 "$RUN/daemon.err"; fail "rm at the limit"; }
kill -0 "$DAEMON_PID" 2>/dev/null || fail "daemon died"

# The flooders die: their nodes, watches and transaction go, and with
# them the memory.
kill "$a_pid" "$w_pid" "$t_pid" "$good_pid"
for d in $a_domid $w_domid $t_domid $good_domid; do
	i=0
	while xenstore-read "/local/domain/$d" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 400 ] && fail "domain $d not released"
		sleep 0.05
	done
done
xenstore-write /ok after || fail "write after the flooders died"
check_eq "read after" after "$(xenstore-read /ok)"
printf '1 op 0 check\n> 1: OK\n' >"$RUN/check.xs"
"$TOOLS/xs-script" "$RUN/check.xs" || fail "the store is inconsistent"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "daemon died"

# What it acknowledged is on disk.
stop_daemon
start_daemon
check_eq "after a restart" after "$(xenstore-read /ok)"
xenstore-read "/local/domain/$a_domid" >/dev/null 2>&1 &&
	fail "a released domain's nodes came back"
"$TOOLS/xs-script" "$RUN/check.xs" || fail "the store is inconsistent"
echo ok
