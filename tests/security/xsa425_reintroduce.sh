# SPDX-License-Identifier: MIT
# XSA-425: as xsa425_reset_watches, but dom0 introduces the live guest
# again (as a toolstack may after the guest's kexec) while 30 of its
# requests wait in its ring and queues: no crash, and every request
# still gets its reply.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "watch:x:t" "flood:30:write:x=#" "wait:$RUN/go" "drain:30" \
	"read:x" "sleep"
wait_for "$RUN/g.out" "^flood"
script "1 op 8 $domid 0 $port
> 1: OK"
touch "$RUN/go"
wait_for "$RUN/g.out" "^READ\|ring-guest:"
check_eq replies "30 READ 29" "$(grep -c '^WRITE OK' "$RUN/g.out") $(grep '^READ' "$RUN/g.out")"
alive
