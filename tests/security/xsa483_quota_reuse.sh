# SPDX-License-Identifier: MIT
# XSA-483: a dead domain's node count was not reset, so a new domain with
# the same id started with part of its quota used.  Domain N fills its
# quota of 10 nodes and dies; the new domain N must create as many.
. tests/security/lib.sh

start_hyp
start_daemon -E 10
expect_log
launch_guest old "repeat:100:write:n#=1" "sleep"
N=$domid
wait_for "$RUN/old.out" "^repeat"
check_eq "the old domain" "repeat ok 9 ENOSPC" "$(grep '^repeat' "$RUN/old.out")"
kill -KILL "$old_pid"
gone "$N"
"$BIN/xenhyp-ctl" destroy "$N" 2>/dev/null || true
LAUNCH_DOMID=$N launch_guest new "repeat:100:write:n#=1" "sleep"
wait_for "$RUN/new.out" "^repeat"
check_eq "the new domain" "repeat ok 9 ENOSPC" "$(grep '^repeat' "$RUN/new.out")"
check_eq nodes 10 "$(usage "$N" nodes)"
store_ok
