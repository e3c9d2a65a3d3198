# SPDX-License-Identifier: MIT
#
# What SET_QUOTA gave one domain (dom0's too, on the socket) and what
# SET_FEATURE gave a domain not yet introduced outlive a SIGKILL: the
# restarted daemon answers them as before, while the global quota is
# the command line's again; the quotas likewise after a live update.
. "$XS_TOP/tests/lib.sh"

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

# A live update into our own binary carries the quotas (a version 1
# stream has no room for the features of a domain not yet introduced:
# crash-restart.md, Limits); a crash after it finds them all on disk.
"$BIN/xenstore-control" live-update -t 10 "$BIN/xenstored" >/dev/null ||
	fail "live update"
sed '1,2d' "$RUN/get.xs" >"$RUN/get-lu.xs"
"$TOOLS/xs-script" "$RUN/get-lu.xs" || fail "quotas after the live update"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
rm -f "$RUN/socket"
start_daemon
"$TOOLS/xs-script" "$RUN/get.xs" || fail "quotas after update and crash"
echo ok
