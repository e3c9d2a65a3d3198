# SPDX-License-Identifier: MIT
#
# What SET_QUOTA gave one domain (dom0's too, on the socket) and what
# SET_FEATURE gave a domain not yet introduced outlive a SIGKILL: the
# restarted daemon answers them as before, while the global quota is
# the command line's again; likewise after live updates (the features
# in a record of our own: version 1's DOMAIN record has no room for
# them), and the domain, introduced afterwards, is offered its features
# on its ring.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/hyp/hyp.sh"
. "$XS_TOP/tests/guest/guest.sh"

start_hyp
start_daemon
cat >"$RUN/set.xs" <<'XS'
1 op 24 7 1
> 1: OK
1 op 26 7 watches 9
> 1: OK
1 op 26 0 nodes 50
> 1: OK
1 op 26 0 soft-memory 4096
> 1: OK
XS
"$TOOLS/xs-script" "$RUN/set.xs" || fail "setting the quotas"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
rm -f "$RUN/socket"
start_daemon
cat >"$RUN/get.xs" <<'XS'
1 op 23 7
> 1: 1
1 op 25 7 watches
> 1: 9
1 op 25 0 nodes
> 1: 50
1 op 25 0 soft-memory
> 1: 4096
1 op 25 0 watches
> 1: 128
XS
"$TOOLS/xs-script" "$RUN/get.xs" || fail "quotas after the restart"

# Live updates into our own binary carry them all, the second one what
# the first took over; a crash after them finds them all on disk.
for n in 1 2; do
	"$BIN/xenstore-control" live-update -t 10 "$BIN/xenstored" \
		>/dev/null || fail "live update $n"
	"$TOOLS/xs-script" "$RUN/get.xs" || fail "settings after update $n"
done
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
rm -f "$RUN/socket"
start_daemon
"$TOOLS/xs-script" "$RUN/get.xs" || fail "settings after updates and crash"
"$BIN/xenstore-control" live-update -t 10 "$BIN/xenstored" >/dev/null ||
	fail "live update after the crash"

# Domain 7, introduced now, is offered what SET_FEATURE gave it.
LAUNCH_DOMID=7 launch_guest g "wait:$RUN/introduced" features
touch "$RUN/introduced"
i=0
until grep -q '^features' "$RUN/g.out"; do
	i=$((i + 1)); [ $i -gt 200 ] && { cat "$RUN/g.out"; fail "guest"; }
	sleep 0.05
done
check_eq "features offered on the ring" "features 1" \
	"$(grep '^features' "$RUN/g.out")"
echo ok
