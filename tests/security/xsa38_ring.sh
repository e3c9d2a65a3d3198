# SPDX-License-Identifier: MIT
# XSA-38: a ring reader that trusts the guest's indexes and lengths reads
# out of bounds.  Guests write a producer index 5000 bytes past the
# consumer (more than the 1024-byte ring), and a header announcing a
# 5000-byte payload: each loses its own connection (error field 2, then
# 3), nothing else; a third guest and dom0 are still served.
. tests/security/lib.sh

start_hyp
start_daemon
expect_log
launch_guest idx "garbage" "sleep"
launch_guest len "raw:0200000001000000000000008813000078" "error" "sleep"
launch_guest ok "wait:$RUN/go" "write:x=1" "read:x"
wait_for "$RUN/idx.out" "^error"
wait_for "$RUN/len.out" "^error"
check_eq "ring index" "error 2" "$(grep '^error' "$RUN/idx.out")"
check_eq "payload length" "error 3" "$(grep '^error' "$RUN/len.out")"
touch "$RUN/go"
wait_for "$RUN/ok.out" "^READ"
check_eq "other guest" "WRITE OK
READ 1" "$(replies ok)"
alive
