# SPDX-License-Identifier: MIT
# xenstore-list and xenstore-exists: children in creation order, -p,
# several keys, missing and relative paths, exit codes.
x xenstore-write /k/z 1 /k/a 2 /k/m/n 3
x xenstore-write /k/b 4
x xenstore-list /k
x xenstore-list -p /k
x xenstore-list /k /k/m
x xenstore-list -p /k/m /k
x xenstore-list /k/z
x xenstore-list /
x xenstore-list /nope
x xenstore-list /k /nope
x xenstore-write rel/c 1
x xenstore-list rel
x xenstore-list -p rel
x xenstore-list /k//m
x xenstore-list
x xenstore-exists /k
x xenstore-exists /k/m/n
x xenstore-exists /k/nope
x xenstore-exists /k /k/a
x xenstore-exists /k /k/nope
x xenstore-exists rel/c
x xenstore-exists /k//m
x xenstore-exists @introduceDomain
x xenstore-exists
x xenstore list /k
x xenstore exists /k
x xenstore bogus /k
x xenstore
note "a directory too big for one reply (the library's DIRECTORY_PART path)"
xenstore-write $(i=100; while [ $i -lt 300 ]; do
	printf '/big/child-with-a-long-name-%d %d ' $i $i; i=$((i + 1)); done) ||
	echo "writing 200 children failed"
x xenstore-list /big
x xenstore-ls -f /big/child-with-a-long-name-299
x xenstore-rm /big
