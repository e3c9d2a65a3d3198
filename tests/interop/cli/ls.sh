# SPDX-License-Identifier: MIT
# xenstore-ls: the tree view, -f, -p, escaping of non-printable values,
# truncation to 80 columns, missing and relative paths.
x xenstore-write /l/a 1 /l/b/c two /l/b/d '' /l/e/f/g deep
x xenstore-ls
x xenstore-ls /l
x xenstore-ls -f /l
x xenstore-ls -p /l
x xenstore-ls -f -p /l
x xenstore-ls /l/b/c
x xenstore-ls -f /l/b/c
note "values with control and high bytes are escaped"
x xenstore-write /v/ctl 'a\001b\007c\010d\033e\177f'
x xenstore-write /v/ws 'tab\there\nnl\rcr\\bs"dq'
x xenstore-write /v/hi '\200\201\376\377'
x xenstore-write /v/nul 'x\000y'
x xenstore-ls /v
x xenstore-ls -f /v
note "long names and values are cut at 80 columns unless -f"
x xenstore-write /v/long 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789
x xenstore-write /v/a-rather-long-node-name-that-takes-up-a-lot-of-the-line-on-its-own-0123 value
x xenstore-ls /v
x xenstore-ls -p /v
x xenstore-ls -f /v
note "permissions shown by -p"
x xenstore-chmod /v/ctl n0 r1 w2 b3
x xenstore-ls -p /v
note "missing, relative and invalid paths"
x xenstore-ls /nope
x xenstore-write rel/a 1
x xenstore-ls rel
x xenstore-ls -f rel
x xenstore-ls /l//b
x xenstore-ls @introduceDomain
note "usage"
x xenstore-ls /l /v
x xenstore-ls -h
