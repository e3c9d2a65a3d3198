# SPDX-License-Identifier: MIT
# XSA-324: a watch token so long that its event exceeded 4096 bytes made
# the daemon dereference a request that was not there, and crash.  A
# guest watches "w" with a 4000-byte token (its WATCH fits in 4096
# bytes, and so does the event for "w"); a change to a node below w with
# a 200-byte name would need a larger event.  dom0 makes that change
# while the guest has no request in flight, then the guest makes one
# itself: no crash, no oversized event (ring-guest dies on one), the
# guest still served.
. tests/security/lib.sh

start_hyp
start_daemon
token=$(printf '%04000d' 0)
child=$(printf '%0200d' 0 | tr 0 c)
launch_guest g "watch:w:$token" "wait:$RUN/go" "write:w/$child=2" \
	"write:y=1" "read:y" "sleep"
wait_for "$RUN/g.out" "^WATCH"
xenstore-write "/local/domain/$domid/w/$child" 1
alive
touch "$RUN/go"
wait_for "$RUN/g.out" "^READ\|^ring-guest"
check_eq guest "WATCH OK
WRITE OK
WRITE OK
READ 1" "$(replies g)"
check_eq events 1 "$(grep -c "^event w $token" "$RUN/g.out")"
alive
