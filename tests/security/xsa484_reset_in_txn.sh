# SPDX-License-Identifier: MIT
# XSA-484: RESET_WATCHES carrying the id of an open transaction tripped
# an assertion.  A guest opens a transaction, writes in it, and sends
# RESET_WATCHES with that transaction's id: OK, its transactions are gone
# (ending it gives ENOENT, its write never happened), the daemon lives.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "watch:w:t" "start" "write:t=1" "op:21" "end:T" "tx:0" \
	"read:t" "sleep"
wait_count "$RUN/g.out" "^ERROR" 2
check_eq replies "WATCH OK
TRANSACTION_START 1
WRITE OK
RESET_WATCHES OK
ERROR ENOENT
ERROR ENOENT" "$(replies g)"
check_eq transactions 0 "$(usage "$domid" transactions)"
check_eq watches 0 "$(usage "$domid" watches)"
alive
store_ok
