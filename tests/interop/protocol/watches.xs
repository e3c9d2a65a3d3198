# SPDX-License-Identifier: MIT
# Which changes fire watches, and with which path, as Xen 4.17's
# cxenstored and our daemon agree: rewrites of the same value fire, MKDIR
# of an existing node and RM of a missing one do not, SET_PERMS fires,
# implicitly created parents do not fire, relative watches get relative
# paths.  Each watch is on a connection of its own: the order in which
# one change fires several watches of one connection differs
# (docs/differences.md).
1 write /e/a 1
> 1: OK
9 watch /e w
> 9: OK
8 watch / root
> 8: OK
9 events
> 9: event /e w
8 events
> 8: event / root
1 write /e/a 1
> 1: OK
1 mkdir /e/a
> 1: OK
1 mkdir /e/new
> 1: OK
1 rm /e/missing
> 1: OK
1 rm /e/missing/deeper
> 1: ENOENT
1 setperms /e/a n0
> 1: OK
1 write /e/a/b/c/d 1
> 1: OK
1 rm /e/a/b
> 1: OK
9 events
> 9: event /e/a w
> 9: event /e/new w
> 9: event /e/a w
> 9: event /e/a/b/c/d w
> 9: event /e/a/b w
8 events
> 8: event /e/a root
> 8: event /e/new root
> 8: event /e/a root
> 8: event /e/a/b/c/d root
> 8: event /e/a/b root
7 watch e/rel r
> 7: OK
7 events
> 7: event e/rel r
1 write /local/domain/0/e/rel/x 1
> 1: OK
7 events
> 7: event e/rel/x r
8 events
> 8: event /local/domain/0/e/rel/x root
9 unwatch /e w
> 9: OK
8 unwatch / root
> 8: OK
1 write /e/a 2
> 1: OK
9 events
8 events
6 watch /e/a w2
> 6: OK
5 watch /e/a w3
> 5: OK
6 events
> 6: event /e/a w2
5 events
> 5: event /e/a w3
1 write /e/a 3
> 1: OK
6 events
> 6: event /e/a w2
5 events
> 5: event /e/a w3
# one change sends a connection one event per path and token, however
# many of its watches match: /dd and /dd/x both with token D
7 watch /dd D
> 7: OK
7 watch /dd/x D
> 7: OK
7 events
> 7: event /dd D
> 7: event /dd/x D
8 write /dd/x 1
> 8: OK
7 events
> 7: event /dd/x D
