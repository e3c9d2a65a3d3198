# SPDX-License-Identifier: MIT
# XSA-323: the path length was checked before the guest's relative path
# got its home prefix, so a guest could create nodes too long for anyone
# to address.  A guest creates a relative path of the longest length
# (2048, the path-max quota) and fails with one byte more; dom0 reads,
# lists and removes the node by its absolute path.
. tests/security/lib.sh

start_hyp
start_daemon
expect_log
long=$(printf '%02046d' 0 | tr 0 a)
launch_guest g "write:$long/b=1" "write:$long/bc=1" "read:$long/b" "sleep"
wait_for "$RUN/g.out" "^READ"
check_eq guest "WRITE OK
ERROR EINVAL
READ 1" "$(replies g)"
abs=/local/domain/$domid/$long
check_eq "dom0 reads" 1 "$(xenstore-read "$abs/b")"
check_eq "dom0 lists" b "$(xenstore-list "$abs")"
xenstore-rm "$abs"
xenstore-exists "$abs" && fail "not removed"
store_ok
