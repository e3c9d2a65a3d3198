# SPDX-License-Identifier: MIT
# The order of argument checks, where Xen 4.17's cxenstored and our daemon
# agree (interop_protocol.sh; make check-interop runs it against
# cxenstored).  Each case was a difference found by the lock-step test
# (tests/interop/lockstep.py).  The deliberate differences that remain
# (garbage offsets of DIRECTORY_PART, out-of-range ACL entries, ...) are
# rows of docs/differences.md.
1 write /g/a x
> 1: OK
# SET_PERMS: an owner that cannot exist is ENOENT before the path is
# looked at: a missing node, a bad path, an @ path
1 setperms /g/missing n-1
> 1: ENOENT
1 setperms /g/a n70000
> 1: ENOENT
1 setperms /g/a r-1
> 1: ENOENT
1 setperms /g//a n-1
> 1: ENOENT
# ... but a malformed entry is EINVAL first
1 setperms /g/missing x3
> 1: EINVAL
1 setperms /g/missing n0 r
> 1: EINVAL
1 setperms /g/missing n0
> 1: ENOENT
# DIRECTORY_PART: the node before the offset
1 dirpart /g/missing abc
> 1: ENOENT
1 dirpart /g/missing -1
> 1: ENOENT
1 dirpart /g//a abc
> 1: EINVAL
# a transaction id that names none: ENOENT for every request but WATCH
# and UNWATCH (GET_DOMAIN_PATH, RESET_WATCHES, CONTROL, SET_TARGET here)
2 raw 0a000000010000006300000002000000 3000
2 reply
> 2: ENOENT
2 raw 15000000010000006300000001000000 00
2 reply
> 2: ENOENT
2 raw 00000000010000006300000006000000 626f67757300
2 reply
> 2: ENOENT
2 raw 13000000010000006300000004000000 31003200
2 reply
> 2: ENOENT
# UNWATCH of a path no watch can have: ENOENT
2 unwatch /g//a t
> 2: ENOENT
2 unwatch /g/a/ t
> 2: ENOENT
# domain 0 is never resumed
2 op 18 0
> 2: EINVAL
# a transaction's listing names a child once, also when the transaction
# and another connection both created it
3 write /g/b x
> 3: OK
3 start
> 3: OK
3 write /g/b/c 1
> 3: OK
1 mkdir /g/b/c
> 1: OK
3 dir /g/b
> 3: c
3 commit
> 3: EAGAIN
