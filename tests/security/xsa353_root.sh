# SPDX-License-Identifier: MIT
# XSA-353: operations on the root node "/" skipped the permission checks.
# A guest's SET_PERMS, RM, DIRECTORY, READ and GET_PERMS of "/", and its
# WRITE and MKDIR of a node under it, are all refused; the tree is intact.
. tests/security/lib.sh

start_hyp
start_daemon
xenstore-write /keep 1
launch_guest g "setperms:/:n$((0)):r1" "op:14:/:n1" "rm:/" "dir:/" "read:/" \
	"perms:/" "write:/x=1" "op:12:/y" "sleep"
wait_count "$RUN/g.out" "^ERROR" 8
check_eq replies "ERROR EACCES
ERROR EACCES
ERROR EACCES
ERROR EACCES
ERROR EACCES
ERROR EACCES
ERROR EACCES
ERROR EACCES" "$(replies g)"
script "1 getperms /
> 1: n0"
check_eq "tree intact" 1 "$(xenstore-read /keep)"
xenstore-exists /x && fail "/x created"
xenstore-exists /y && fail "/y created"
store_ok
