# SPDX-License-Identifier: MIT
# XSA-420: a length with its high bit set became a negative packet size,
# and the daemon looped on it for ever.  A guest's header announcing
# 0x80000000 bytes loses its ring (error field 3); a socket client's
# loses its connection; another guest and dom0 are still served.
. tests/security/lib.sh

start_hyp
start_daemon
expect_log
launch_guest bad "raw:02000000010000000000000000000080" "error" "sleep"
wait_for "$RUN/bad.out" "^error"
check_eq "ring error" "error 3" "$(grep '^error' "$RUN/bad.out")"
script "1 raw 02000000010000000000000000000080
1 expect-close
> 1: closed
2 raw 0200000001000000000000000000ffff
2 expect-close
> 2: closed"
launch_guest ok "write:x=1" "read:x" "sleep"
wait_for "$RUN/ok.out" "^READ"
check_eq "other guest" "WRITE OK
READ 1" "$(replies ok)"
alive
