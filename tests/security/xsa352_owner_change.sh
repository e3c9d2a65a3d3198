# SPDX-License-Identifier: MIT
# XSA-352: a guest could change the owner of its nodes, giving them (and
# their quota) to another domain, or to dom0 to escape its quota.  A
# guest's SET_PERMS naming dom0 or another guest as owner is refused with
# EPERM and the permissions stay as they were.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest other "sleep"
launch_guest g "write:x=1" "setperms:x:n0" "setperms:x:n$other_domid:r$domid" \
	"perms:x" "sleep"
wait_for "$RUN/g.out" "^GET_PERMS"
check_eq replies "WRITE OK
ERROR EPERM
ERROR EPERM
GET_PERMS n$g_domid r0" "$(replies g)"
script "1 getperms /local/domain/$g_domid/x
> 1: n$g_domid r0"
