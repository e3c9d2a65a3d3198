# SPDX-License-Identifier: MIT
# Transactions on the wire, as Xen 4.17's cxenstored and our daemon both
# handle them: a commit fails with EAGAIN when something the transaction
# read (a value, a child list, an absence, permissions) changed outside,
# even to the same value; a transaction sees its own changes; events fire
# at commit only.  Where we conflict less than cxenstored (blind writes
# and removals): docs/differences.md.
1 write /t/a 1
> 1: OK
1 write /t/b 1
> 1: OK
1 write /t/d/x 1
> 1: OK
9 watch /t w
> 9: OK
9 events
> 9: event /t w
# a value read, then rewritten outside with the same value
2 start
> 2: OK
2 read /t/a
> 2: 1
1 write /t/a 1
> 1: OK
2 write /t/b 2
> 2: OK
2 commit
> 2: EAGAIN
# a child list read, then a child added outside
2 start
> 2: OK
2 dir /t/d
> 2: x
1 write /t/d/y 1
> 1: OK
2 write /t/b 3
> 2: OK
2 commit
> 2: EAGAIN
# an absence read, then the node created outside
2 start
> 2: OK
2 read /t/m
> 2: ENOENT
1 write /t/m 1
> 1: OK
2 write /t/b 4
> 2: OK
2 commit
> 2: EAGAIN
# a read-only transaction conflicts too
2 start
> 2: OK
2 read /t/a
> 2: 1
1 write /t/a 6
> 1: OK
2 commit
> 2: EAGAIN
# permissions read, then changed outside
2 start
> 2: OK
2 getperms /t/a
> 2: n0
1 setperms /t/a n0 r2
> 1: OK
2 write /t/b 7
> 2: OK
2 commit
> 2: EAGAIN
9 events
> 9: event /t/a w
> 9: event /t/d/y w
> 9: event /t/m w
> 9: event /t/a w
> 9: event /t/a w
# what a transaction sees of its own changes, and what others see
# (events at commit: docs/differences.md on their order)
2 start
> 2: OK
2 write /t/n/x 1
> 2: OK
2 dir /t/n
> 2: x
2 dir /t
> 2: a b d m n
2 read /t/n
> 2: 
3 read /t/n/x
> 3: ENOENT
3 dir /t
> 3: a b d m
9 events
2 commit
> 2: OK
1 dir /t
> 1: a b d m n
9 events
> 9: event /t/n/x w
# an aborted transaction fires nothing
2 start
> 2: OK
2 write /t/a 9
> 2: OK
2 abort
> 2: OK
1 read /t/a
> 1: 6
9 events
# a transaction of another connection cannot be used
2 start
> 2: OK
2 write /t/q 1
> 2: OK
3 raw 07000000010000000100000002000000 5400
3 reply
> 3: ENOENT
2 commit
> 2: OK
1 read /t/q
> 1: 1
# A transaction removing a node, then its parent: one event per removal,
# in the order of the operations, as outside a transaction.
40 write /rmtx/e/f/g 1
> 40: OK
41 watch /rmtx/e/f w
> 41: OK
41 events
> 41: event /rmtx/e/f w
40 start
> 40: OK
40 write /rmtx/x 1
> 40: OK
40 rm /rmtx/e/f/g
> 40: OK
40 rm /rmtx/e/f
> 40: OK
40 commit
> 40: OK
41 events
> 41: event /rmtx/e/f/g w
> 41: event /rmtx/e/f w
