# SPDX-License-Identifier: MIT
# XSA-415: a node creation that failed inside a transaction left orphan
# nodes once the transaction committed.  A guest with room for 3 more
# nodes writes a/b/c/d/e in a transaction, then x, and commits: the
# creation that does not fit is refused (ENOSPC) then or at the commit,
# no part of a/b/c/d/e exists afterwards, and every node is reachable
# and counted (xenstore-control check).
. tests/security/lib.sh

start_hyp
start_daemon -E 4
expect_log
launch_guest g "start" "write:a/b/c/d/e=1" "write:x=1" "end:T" "sleep"
wait_for "$RUN/g.out" "^TRANSACTION_END\|^ERROR E[A-Z]*$"
wait_count "$RUN/g.out" "^[A-Z]" 4
replies g | grep -q '^ERROR ENOSPC' || fail "no refusal: $(replies g)"
xenstore-exists "/local/domain/$domid/a" && fail "a partial creation was committed"
case $(replies g | sed -n 4p) in
"TRANSACTION_END OK") check_eq x 1 "$(xenstore-read "/local/domain/$domid/x")" ;;
"ERROR "*) xenstore-exists "/local/domain/$domid/x" && fail "x of a failed commit" ;;
esac
check_eq nodes "$(($(xenstore-list "/local/domain/$domid" | wc -l) + 1))" \
	"$(usage "$domid" nodes)"
store_ok
