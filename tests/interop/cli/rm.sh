# SPDX-License-Identifier: MIT
# xenstore-rm: subtrees, missing nodes and parents, -t, the root, several
# keys, relative paths.
x xenstore-write /d/a/b/c 1 /d/a/x 2 /d/y 3
x xenstore-rm /d/a/b
x xenstore-ls /d
note "a missing leaf whose parent exists is fine; a missing parent is not"
x xenstore-rm /d/a/nope
x xenstore-rm /d/nope/deeper
x xenstore-rm /nope/at/all
note "several keys in one transaction; one failing removes nothing"
x xenstore-rm /d/y /d/nope/deeper
x xenstore-exists /d/y
x xenstore-rm /d/y /d/a/x
x xenstore-ls /d
note "-t removes parents left with an empty value and no children"
x xenstore-write /t/a/b/c 1 /t/a/v 1 /t/e/f/g 1
x xenstore-write /t/val 'keep'
x xenstore-write /t/val/k/l 1
x xenstore-rm -t /t/a/b/c
x xenstore-ls /t
x xenstore-rm -t /t/e/f/g
x xenstore-ls /t
x xenstore-rm -t /t/val/k/l
x xenstore-ls /t
x xenstore-rm -t /t/missing/m
x xenstore-ls /t
note "the root, relative and invalid paths"
x xenstore-rm /
x xenstore-write rel/a 1
x xenstore-rm rel
x xenstore-exists /local/domain/0/rel
x xenstore-rm /d//a
x xenstore-rm @introduceDomain
note "usage"
x xenstore-rm
x xenstore-rm -h
x xenstore-ls /
