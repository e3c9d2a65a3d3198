# SPDX-License-Identifier: MIT
# XSA-425: reworking the I/O loop freed a connection still referenced when
# a guest reset its connection (kexec) with requests and events queued.
# A guest with a watch queues 30 writes to the watched node and a
# RESET_WATCHES behind them without reading, then reads: every request
# is answered in order, and the daemon lives.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "watch:x:t" "flood:30:write:x=#" "flood:1:op:21" "drain:31" \
	"read:x" "sleep"
wait_for "$RUN/g.out" "^READ"
check_eq replies "30 1 READ 29" "$(grep -c '^WRITE OK' "$RUN/g.out") $(grep -c '^RESET_WATCHES OK' "$RUN/g.out") $(grep '^READ' "$RUN/g.out")"
check_eq watches 0 "$(usage "$domid" watches)"
alive
