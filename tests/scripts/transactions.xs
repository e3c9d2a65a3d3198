# Transactions: isolation, repeatable reads, atomic commit, conflicts only
# on what was observed, events only at commit.
1 write /d/x 0
> 1: OK
9 watch /d w
> 9: OK
9 events
> 9: event /d w
# two transactions add different children of one directory: both commit
1 start
> 1: OK
2 start
> 2: OK
1 write /d/a 1
> 1: OK
2 write /d/b 2
> 2: OK
# private writes: invisible outside, visible inside
3 read /d/a
> 3: ENOENT
1 read /d/a
> 1: 1
9 events
1 commit
> 1: OK
9 events
> 9: event /d/a w
2 commit
> 2: OK
9 events
> 9: event /d/b w
3 dir /d
> 3: x a b
# a transaction that read a node another commit changed gets EAGAIN
1 start
> 1: OK
1 read /d/x
> 1: 0
3 write /d/x 5
> 3: OK
# repeatable read
1 read /d/x
> 1: 0
1 write /d/y 1
> 1: OK
1 commit
> 1: EAGAIN
3 read /d/y
> 3: ENOENT
9 events
> 9: event /d/x w
# blind writes of the same node never conflict
1 start
> 1: OK
2 start
> 2: OK
1 write /d/x 10
> 1: OK
2 write /d/x 20
> 2: OK
1 commit
> 1: OK
2 commit
> 2: OK
3 read /d/x
> 3: 20
9 events
> 9: event /d/x w
> 9: event /d/x w
# a transaction that listed a directory conflicts with a new child
1 start
> 1: OK
1 dir /d
> 1: x a b
3 write /d/c 1
> 3: OK
1 write /d/list-saw 3
> 1: OK
1 commit
> 1: EAGAIN
9 events
> 9: event /d/c w
# an abort leaves no trace
1 start
> 1: OK
1 write /d/gone 1
> 1: OK
1 rm /d/a
> 1: OK
1 setperms /d/b n0 r7
> 1: OK
1 abort
> 1: OK
3 dir /d
> 3: x a b c
3 getperms /d/b
> 3: n0
9 events
# delete and re-create inside one transaction
1 start
> 1: OK
1 rm /d
> 1: OK
1 read /d/x
> 1: ENOENT
1 write /d/new 1
> 1: OK
1 dir /d
> 1: new
3 dir /d
> 3: x a b c
1 commit
> 1: OK
3 dir /d
> 3: new
9 events
> 9: event /d w
> 9: event /d/new w
# a transaction that saw a node missing conflicts when someone creates it
1 start
> 1: OK
1 read /d/late
> 1: ENOENT
3 write /d/late 1
> 3: OK
1 write /d/other 1
> 1: OK
1 commit
> 1: EAGAIN
# ids: unknown -> ENOENT, nested start -> EBUSY, bad end arg -> EINVAL
1 start
> 1: OK
1 start
> 1: EBUSY
1 op 7 X
> 1: EINVAL
1 commit
> 1: OK
1 commit
> 1: ENOENT
# reset drops the connection's transactions
1 start
> 1: OK
1 reset
> 1: OK
