# SPDX-License-Identifier: MIT
# XSA-440: two transactions deleting the same nodes made a node count go
# negative for a moment, which tripped an assertion.  A guest creates 50
# nodes, removes them all in two transactions, and commits both: the
# first commits, the second commits or gets EAGAIN, and the count is
# right (never below zero: it is unsigned, so a wrap would show).
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "repeat:50:write:d/n#=1" "start" "rm:d" "start" "rm:d" \
	"use:1" "end:T" "use:2" "end:T" "sleep"
wait_count "$RUN/g.out" "^TRANSACTION_END\|^ERROR" 2
check_eq first "TRANSACTION_END OK" "$(replies g | sed -n 6p)"
case $(replies g | sed -n 7p) in
"TRANSACTION_END OK" | "ERROR EAGAIN") ;;
*) fail "second commit: $(replies g | sed -n 7p)" ;;
esac
xenstore-exists "/local/domain/$domid/d" && fail "d survived"
check_eq nodes 1 "$(usage "$domid" nodes)"
store_ok
alive
