# SPDX-License-Identifier: MIT
# Raw protocol behaviour that Xen 4.17's cxenstored and our daemon share,
# beyond what the tools and libxenstore reach: watch events of a subtree
# removal, RESET_WATCHES, unknown transaction ids, domain requests, error
# names.  Checked against both daemons (interop_protocol.sh, make
# check-interop).  Known differences: docs/differences.md.
1 write /p/a 1
> 1: OK
1 write /p/a/b/c 2
> 1: OK
1 write /p/x 3
> 1: OK
2 watch /p/a/b/c t1
> 2: OK
2 watch /p/a/b t2
> 2: OK
2 watch /p/a t3
> 2: OK
2 watch /p/a/nonexist t4
> 2: OK
2 watch /p t5
> 2: OK
2 events
> 2: event /p/a/b/c t1
> 2: event /p/a/b t2
> 2: event /p/a t3
> 2: event /p/a/nonexist t4
> 2: event /p t5
# removal: each removed node's own watch, deepest first, then the watches
# on the removed node and above it; none for nodes that never existed
1 rm /p/a
> 1: OK
2 events
> 2: event /p/a/b/c t1
> 2: event /p/a/b t2
> 2: event /p/a t3
> 2: event /p/a t5
2 watch /p t5
> 2: EEXIST
2 unwatch /p t9
> 2: ENOENT
2 unwatch /p/zz t5
> 2: ENOENT
# RESET_WATCHES drops them all
2 reset
> 2: OK
2 unwatch /p t5
> 2: ENOENT
1 write /p/y 1
> 1: OK
2 events
# a request naming a transaction that does not exist: ENOENT, whatever
# the request; WATCH ignores the transaction id
3 raw 02000000010000006300000002000000 2f00
3 reply
> 3: ENOENT
3 raw 02000000010000006300000003000000 2f7000
3 reply
> 3: ENOENT
3 raw 04000000010000006300000005000000 2f70007400
3 reply
> 3: OK
3 events
> 3: event /p t
# no nested transactions; RESET_WATCHES also ends the open transaction
3 start
> 3: OK
3 start
> 3: EBUSY
3 write /p/in-tx 1
> 3: OK
3 reset
> 3: OK
3 commit
> 3: ENOENT
3 read /p/in-tx
> 3: ENOENT
3 start
> 3: OK
3 rm /p
> 3: OK
3 dir /p
> 3: ENOENT
3 read /p/x
> 3: ENOENT
3 abort
> 3: OK
3 dir /p
> 3: x y
# domain requests of a privileged client
1 op 9 0
> 1: EINVAL
1 op 9 5
> 1: ENOENT
1 op 9 x
> 1: EINVAL
1 op 17 0
> 1: T
1 op 17 5
> 1: F
1 op 18 5
> 1: ENOENT
1 op 19 5 6
> 1: ENOENT
1 op 19 0 0
> 1: OK
1 op 10 0
> 1: /local/domain/0
1 op 10 65535
> 1: /local/domain/65535
# RESTRICT (20) is gone, 99 never existed
1 op 20
> 1: ENOSYS
1 op 99
> 1: ENOSYS
1 op 21
> 1: OK
# nodes
1 dir /p/x
> 1: 
1 dir /
> 1: tool p
1 rm /p/nope
> 1: OK
1 rm /p/nope/deeper
> 1: ENOENT
1 mkdir /p/x
> 1: OK
1 mkdir /p/new/deep
> 1: OK
1 read /p/new
> 1: 
1 getperms /p
> 1: n0
1 setperms /p n0 r1
> 1: OK
1 getperms /p/x
> 1: n0
1 setperms /p/nope n0
> 1: ENOENT
1 write /p/x
> 1: OK
1 read /p/x
> 1: 
