# SPDX-License-Identifier: MIT
# XSA-419: nodes a guest created outside its home outlived it (given to
# dom0, which has no quota), so rebooting a guest again and again filled
# the daemon.  Three guests in turn create nodes under a directory dom0
# lets them write, and die: their nodes go with them.
. tests/security/lib.sh

start_hyp
start_daemon
xenstore-write /shared ""
for round in 1 2 3; do
	launch_guest g "wait:$RUN/go$round" "repeat:20:write:/shared/g$round-#/x=1" "sleep"
	xenstore-chmod /shared n0 "b$domid"
	touch "$RUN/go$round"
	wait_for "$RUN/g.out" "^repeat"
	check_eq "round $round" "repeat ok 20" "$(grep '^repeat' "$RUN/g.out")"
	kill -KILL "$g_pid"
	gone "$domid"
	check_eq "left in round $round" "" "$(xenstore-list /shared)"
done
store_ok
