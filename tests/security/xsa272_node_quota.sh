# SPDX-License-Identifier: MIT
# XSA-272: node creation did not count against the quota, so a guest
# could create nodes without end.  With a quota of 20 nodes, guests
# create nodes (one at a time, and three at a time through missing
# parents) until refused: each owns 20 nodes at most, and the daemon's
# counts match the nodes they own.
. tests/security/lib.sh

start_hyp
start_daemon -E 20
expect_log
launch_guest flat "repeat:100:write:n#=1" "sleep"
launch_guest nested "repeat:100:write:n#/a/b=1" "sleep"
wait_for "$RUN/flat.out" "^repeat"
wait_for "$RUN/nested.out" "^repeat"
check_eq flat "repeat ok 19 ENOSPC" "$(grep '^repeat' "$RUN/flat.out")"
case $(grep '^repeat' "$RUN/nested.out") in
"repeat ok 6 ENOSPC") ;;
*) fail "nested: $(grep '^repeat' "$RUN/nested.out")" ;;
esac
check_eq "flat's nodes" 20 "$(usage "$flat_domid" nodes)"
[ "$(usage "$nested_domid" nodes)" -le 20 ] ||
	fail "nested owns $(usage "$nested_domid" nodes) nodes"
check_eq "flat's home" 19 "$(xenstore-list "/local/domain/$flat_domid" | wc -l)"
store_ok
