# SPDX-License-Identifier: MIT
# XSA-421: a node created and deleted in the same transaction aborted
# the commit half-way, leaving nodes uncounted and the commit partial.
# A guest creates and removes nodes (new ones and an existing one) in
# one transaction and commits: all of it applies, and its node count is
# the nodes it owns.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "write:e=1" "start" "write:a=1" "write:b/c=1" "rm:a" "rm:b" \
	"rm:e" "write:e=2" "write:f/g=1" "rm:f/g" "end:T" "sleep"
wait_for "$RUN/g.out" "^TRANSACTION_END\|^ERROR"
wait_count "$RUN/g.out" "^[A-Z]" 11
check_eq replies "WRITE OK
TRANSACTION_START 1
WRITE OK
WRITE OK
RM OK
RM OK
RM OK
WRITE OK
WRITE OK
RM OK
TRANSACTION_END OK" "$(replies g)"
check_eq nodes "e
f" "$(xenstore-list "/local/domain/$domid")"
check_eq e 2 "$(xenstore-read "/local/domain/$domid/e")"
check_eq count 3 "$(usage "$domid" nodes)"
store_ok
