# Plain node operations, errors and payload formats.
1 read /a
> 1: ENOENT
1 write /a/b/c hello world
> 1: OK
1 read /a/b/c
> 1: hello world
1 read /a/b
> 1: 
1 dir /a
> 1: b
1 write /a/x 1
> 1: OK
1 write /a/d 2
> 1: OK
# children come in creation order
1 dir /a
> 1: b x d
1 mkdir /a/x
> 1: OK
1 read /a/x
> 1: 1
1 mkdir /m
> 1: OK
1 read /m
> 1: 
1 rm /a/x
> 1: OK
1 rm /a/x
> 1: OK
1 rm /nope/x
> 1: ENOENT
1 dir /a
> 1: b d
1 rm /
> 1: EINVAL
1 read a/b
> 1: ENOENT
1 write rel 5
> 1: OK
1 read /local/domain/0/rel
> 1: 5
1 read /a//b
> 1: EINVAL
1 read /a/
> 1: EINVAL
1 read /a b
> 1: EINVAL
1 read @releaseDomain
> 1: EINVAL
1 getperms /a
> 1: n0
1 setperms /a n0 r3 b5
> 1: OK
1 getperms /a
> 1: n0 r3 b5
1 setperms /a x0
> 1: EINVAL
1 setperms /a
> 1: EINVAL
1 getperms @releaseDomain
> 1: n0 r32757
1 getperms @introduceDomain
> 1: n0
# new nodes inherit the parent's permissions
1 write /a/new 1
> 1: OK
1 getperms /a/new
> 1: n0 r3 b5
1 domainpath 7
> 1: /local/domain/7
1 domainpath x
> 1: EINVAL
# type 20 was RESTRICT and is gone; unknown types too
1 op 20 x
> 1: ENOSYS
1 op 99
> 1: ENOSYS
1 op 15 x
> 1: ENOSYS
1 op 16 x
> 1: ENOSYS
1 op 17 0
> 1: T
1 op 17 5
> 1: F
1 op 23
> 1: 15
1 op 25
> 1: nodes watches outstanding memory soft-memory transactions transaction-nodes node-permissions path-max node-size
1 op 25 nodes
> 1: 1000
1 op 26 nodes 2000
> 1: OK
1 op 25 nodes
> 1: 2000
1 op 25 bogus
> 1: EINVAL
1 op 25 7 nodes
> 1: ENOENT
# a special path that is no node: no parent to ask, "/" decides
1 getperms @nonexistent
> 1: ENOENT
1 getperms @releaseDomain/5
> 1: ENOENT
1 setperms @nonexistent n0
> 1: ENOENT
