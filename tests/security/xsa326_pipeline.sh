# SPDX-License-Identifier: MIT
# XSA-326 (unread replies): a guest sending requests without ever reading
# the replies made the daemon queue replies without end.  A guest sends
# 5000 READs and reads nothing: once it has 20 replies waiting (its
# "outstanding" quota) the daemon stops reading its ring, so the guest's
# sending stalls with its ring full; another guest and dom0 are served.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "write:x=1" "flood:5000:read:x" "sleep"
wait_for "$RUN/g.out" "^flood"
case $(grep '^flood' "$RUN/g.out") in
"flood sent "*" stalled") ;;
*) fail "the flood was not held back: $(grep '^flood' "$RUN/g.out")" ;;
esac
sent=$(sed -n 's/^flood sent \([0-9]*\).*/\1/p' "$RUN/g.out")
[ "$sent" -lt 200 ] || fail "$sent requests taken in"
[ "$(usage "$domid" outstanding)" -le 20 ] ||
	fail "$(usage "$domid" outstanding) replies queued"
launch_guest ok "write:x=1" "read:x" "sleep"
wait_for "$RUN/ok.out" "^READ"
check_eq "other guest" "WRITE OK
READ 1" "$(replies ok)"
alive
