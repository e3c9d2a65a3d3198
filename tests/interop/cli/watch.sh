# SPDX-License-Identifier: MIT
# xenstore-watch: the initial event, -n, events for writes, removals and
# permission changes below the watched path, relative and missing paths.
x xenstore-watch -n 1 /nope
x xenstore-watch -n 1 /
x xenstore-watch -n 1 rel/path
x xenstore-watch -n 1 @introduceDomain
x xenstore-write /wt/a 1
spawn w1 xenstore-watch -n 5 /wt
wait_lines w1 1
x xenstore-write /wt/a 2
x xenstore-write /wt/b/c 3
x xenstore-write /other 1
x xenstore-chmod /wt/a n0 r1
x xenstore-rm /wt/b
reap w1
note "removal fires on the removed nodes that are watched exactly"
x xenstore-write /wr/a/b/c 1 /wr/a/b/d 1
spawn w2 xenstore-watch -n 2 /wr/a/b/c
wait_lines w2 1
x xenstore-rm /wr/a
reap w2
note "a relative watch reports relative paths"
spawn w3 xenstore-watch -n 3 rel
wait_lines w3 1
x xenstore-write rel/x 1
x xenstore-write /local/domain/0/rel/y 1
reap w3
note "several keys, and a watch on a node that does not exist yet"
spawn w4 xenstore-watch -n 3 /later/node
wait_lines w4 1
x xenstore-write /later 1
x xenstore-write /later/node/child 1
x xenstore-write /later/node 2
reap w4
note "invalid paths and usage"
x xenstore-watch -n 1 /a//b
x xenstore-watch -n 1 /a/
x xenstore-watch
x xenstore-watch -n 1
x xenstore-watch -h
x xenstore-watch -d 1 -n 1 /wt
x xenstore-watch -n 1 /wt /wr
