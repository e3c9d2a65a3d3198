# SPDX-License-Identifier: MIT
# XSA-481: the path "/local/domain/" made canonicalisation fail without
# an errno, which tripped an assertion.  Guests and dom0 send that path,
# a domain number too large, and trailing slashes: each gets an error
# (EINVAL where the path is malformed), and the daemon carries on.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "write:/local/domain/=1" "read:/local/domain/" \
	"read:/local/domain/123456/x" "write:/local/domain/123456/x=1" \
	"write:x/=1" "read:x/" "op:12:/local/domain//" "sleep"
wait_count "$RUN/g.out" "^ERROR" 7
check_eq guest "ERROR EINVAL
ERROR EINVAL
ERROR EACCES
ERROR EACCES
ERROR EINVAL
ERROR EINVAL
ERROR EINVAL" "$(replies g)"
script "1 write /local/domain/ 1
> 1: EINVAL
1 read /local/domain/
> 1: EINVAL
1 mkdir /local/domain/123456/
> 1: EINVAL
1 rm /local/domain/
> 1: EINVAL
1 read /local/domain/123456/x
> 1: ENOENT
1 getperms /local/domain/
> 1: EINVAL"
alive
store_ok
