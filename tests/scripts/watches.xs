# Watches: the first event, subtree events, removal events, relative
# paths, depth, special paths, unwatch and reset.
2 watch /a tok
> 2: OK
2 events
> 2: event /a tok
2 watch /a tok
> 2: EEXIST
2 watch /a other
> 2: OK
2 events
> 2: event /a other
2 unwatch /a other
> 2: OK
2 unwatch /a other
> 2: ENOENT
# a write below the watch fires it with the changed path
1 write /a/b/c 1
> 1: OK
2 events
> 2: event /a/b/c tok
# a node above the watch does not
1 write /x 1
> 1: OK
2 events
# the same value again still fires
1 write /a/b/c 1
> 1: OK
2 events
> 2: event /a/b/c tok
# watches on removed nodes fire (deepest first), then the subtree event
3 watch /a/b/c t3
> 3: OK
3 watch /a/b/nonexistent t4
> 3: OK
3 events
> 3: event /a/b/c t3
> 3: event /a/b/nonexistent t4
1 rm /a/b
> 1: OK
2 events
> 2: event /a/b tok
3 events
> 3: event /a/b/c t3
# removing a missing node fires nothing
1 rm /a/b
> 1: OK
2 events
# relative watches report relative paths
4 watch rel r
> 4: OK
1 write /local/domain/0/rel/x 1
> 1: OK
4 events
> 4: event rel r
> 4: event rel/x r
# depth 0: the node only; depth 1: and its children
5 watch /d d0 0
> 5: OK
5 watch /d d1 1
> 5: OK
5 events
> 5: event /d d0
> 5: event /d d1
1 write /d 1
> 1: OK
1 write /d/e 1
> 1: OK
1 write /d/e/f 1
> 1: OK
5 events
> 5: event /d d1
> 5: event /d d0
> 5: event /d/e d1
5 watch /d dn -1
> 5: EINVAL
# special paths
6 watch @releaseDomain rel
> 6: OK
6 events
> 6: event @releaseDomain rel
# mkdir of an existing node is silent
1 mkdir /d
> 1: OK
5 events
# setperms fires
1 setperms /d n0 r1
> 1: OK
5 events
> 5: event /d d1
> 5: event /d d0
# reset drops every watch of the connection
2 reset
> 2: OK
1 write /a/z 1
> 1: OK
2 events
# a watch on / sees everything
7 watch / all
> 7: OK
1 write /q 1
> 1: OK
7 events
> 7: event / all
> 7: event /q all
