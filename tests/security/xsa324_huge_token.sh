# SPDX-License-Identifier: MIT
# XSA-324: a watch token so long that its event exceeded 4096 bytes made
# the daemon dereference a request that was not there, and crash.  A
# guest sets a watch with a 4000-byte token, dom0 triggers it while the
# guest has no request in flight, then the guest triggers it itself: no
# crash, no oversized event (ring-guest dies on one), the guest still
# served.
. tests/security/lib.sh

start_hyp
start_daemon
expect_log
token=$(printf '%04000d' 0)
launch_guest g "watch:$(printf '%040d' 0 | tr 0 x):$token" "wait:$RUN/go" \
	"write:$(printf '%040d' 0 | tr 0 x)=2" "write:y=1" "read:y" "sleep"
wait_for "$RUN/g.out" "^WATCH"
xenstore-write "/local/domain/$domid/$(printf '%040d' 0 | tr 0 x)" 1
alive
touch "$RUN/go"
wait_for "$RUN/g.out" "^READ"
check_eq guest "WATCH OK
WRITE OK
WRITE OK
READ 1" "$(replies g)"
alive
