# SPDX-License-Identifier: MIT
# xenstore-chmod: permission lists, -r, -u, invalid lists, missing nodes,
# owner changes, and what a privileged client sees afterwards.
x xenstore-write /c/a/b/c 1 /c/x 2
x xenstore-chmod /c/a n0 r1
x xenstore-ls -p /c
note "-r applies to every descendant, -u to every ancestor"
x xenstore-chmod -r /c/a b0 w2
x xenstore-ls -p /c
x xenstore-chmod -u /c/a/b/c r0
x xenstore-ls -p /
x xenstore-chmod -u -r /c/a n0
x xenstore-ls -p /c
note "an owner other than dom0, and many entries"
x xenstore-chmod /c/x n0 r1 w2 b3 n4 r5 w6 b7
x xenstore-ls -f -p /c
x xenstore-ls -f -p /c
note "new nodes inherit the parent's permissions"
x xenstore-chmod /c/x n0 r9
x xenstore-write /c/x/new 1
x xenstore-ls -f -p /c
note "the client is privileged: it still reads and writes everything"
x xenstore-chmod /c/x n0
x xenstore-read /c/x
x xenstore-write /c/x 3
x xenstore-read /c/x
note "invalid permission lists and paths"
x xenstore-chmod /c/x q1
x xenstore-chmod /c/x r
x xenstore-chmod /c/x r1x
x xenstore-chmod /c/x ''
x xenstore-chmod /c/x 0
x xenstore-ls -f -p /c
x xenstore-chmod /c/nope n0
note "an owner must be a domain that can exist; ACL entries may name any"
x xenstore-chmod /c/x n5 r1
x xenstore-ls -f -p /c
x xenstore-chmod /c/x n0 r32752 w32757 b65535 r010 r0x10
x xenstore-ls -f -p /c
x xenstore-chmod /c/x n32752
x xenstore-chmod /c/x n32757 r0
x xenstore-chmod /c/x n65535
x xenstore-chmod /c/nope n32752
x xenstore-ls -f -p /c
x xenstore-chmod /c/nope/deeper n0
x xenstore-chmod /c//x n0
x xenstore-chmod rel n0
x xenstore-write rel 1
x xenstore-chmod rel n0 r3
x xenstore-ls -p /local/domain/0
x xenstore-chmod @introduceDomain n0 r1
x xenstore-chmod @releaseDomain n0
note "usage"
x xenstore-chmod /c/x
x xenstore-chmod
x xenstore-chmod -h
