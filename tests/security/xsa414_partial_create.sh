# SPDX-License-Identifier: MIT
# XSA-414: undoing a multi-node creation that failed half-way used the
# wrong parent and crashed.  A guest with room for 3 more nodes writes
# a/b/c/d/e (5 new nodes): ENOSPC, and none of them is left behind; its
# count is unchanged and the store consistent.
. tests/security/lib.sh

start_hyp
start_daemon -E 4
expect_log
launch_guest g "write:a/b/c/d/e=1" "write:x=1" "sleep"
wait_count "$RUN/g.out" "^WRITE\|^ERROR" 2
check_eq replies "ERROR ENOSPC
WRITE OK" "$(replies g)"
xenstore-exists "/local/domain/$domid/a" && fail "a partial creation is left"
check_eq nodes 2 "$(usage "$domid" nodes)"
store_ok
alive
