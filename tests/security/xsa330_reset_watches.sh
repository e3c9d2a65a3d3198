# SPDX-License-Identifier: MIT
# XSA-330: RESET_WATCHES left the watches in a second index, so a guest
# adding and resetting watches in a loop (a kexec loop) grew the daemon
# without bound.  Five rounds of 128 watches then RESET_WATCHES: each
# round gets all 128 (the count went back to zero) and the guest's
# accounted memory is what it was before the first round.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "wait:$RUN/go" "repeat:128:watch:w#:t#" "op:21" \
	"repeat:128:watch:w#:t#" "op:21" "repeat:128:watch:w#:t#" "op:21" \
	"repeat:128:watch:w#:t#" "op:21" "repeat:128:watch:w#:t#" "op:21" \
	"write:done=1" "sleep"
before=$(usage "$domid" memory)
touch "$RUN/go"
wait_for "$RUN/g.out" "^WRITE"
check_eq rounds "5 5" "$(grep -c '^repeat ok 128$' "$RUN/g.out") $(grep -c '^RESET_WATCHES OK' "$RUN/g.out")"
check_eq watches 0 "$(usage "$domid" watches)"
# Only the node "done" is new.
after=$(usage "$domid" memory)
[ "$after" -le $((before + 64)) ] || fail "memory $before -> $after"
