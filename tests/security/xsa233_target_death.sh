# SPDX-License-Identifier: MIT
# XSA-233: a guest and its device model (SET_TARGET) dying together freed
# their shared connection twice.  Both domains die in the same instant
# with requests in flight; the daemon must survive and forget both.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest guest "repeat:0:write:x=#"
launch_guest dm "repeat:0:write:y=#"
script "1 op 19 $dm_domid $guest_domid
> 1: OK"
wait_for "$RUN/dm.out" "^domid"
kill -KILL "$guest_pid" "$dm_pid"
gone "$guest_domid"
gone "$dm_domid"
alive
store_ok
