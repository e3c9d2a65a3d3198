# SPDX-License-Identifier: MIT
# Sizes at the protocol's limits, through the tools: long values and
# paths, deep trees, many arguments.  Socket clients are privileged, so
# only the 4096-byte payload limit applies.
v1k=$(printf '%01024d' 7)
note "path, NUL and value of a WRITE fill 4096 bytes exactly, or one more"
x xenstore-write /s/v1k "$v1k"
x xenstore-write /s/v2k "$v1k$v1k"
x xenstore-write /s/v4k "$(printf '%04089d' 7)"
x xenstore-write /s/v4l "$(printf '%04090d' 7)"
x xenstore-write /s/v5k "$v1k$v1k$v1k$v1k$v1k"
x xenstore-exists /s/v4l
x xenstore-exists /s/v5k
x xenstore-read /s/v4k
x xenstore-ls -f /s
note "a 2000-character path, and one too long for a request"
p=/s/long$(printf '/%09d' $(seq 1 199))
x xenstore-write "$p" deep
x xenstore-read "$p"
x xenstore-list /s/long/000000001/000000002
p=/s/long$(printf '/%09d' $(seq 1 420))
x xenstore-write "$p" deeper
x xenstore-read "$p"
x xenstore-rm /s/long
x xenstore-ls /s
note "many keys in one command"
x xenstore-write $(for i in $(seq 1 40); do echo /s/m/$i $i; done)
x xenstore-read $(seq -f '/s/m/%g' 1 40)
x xenstore-rm $(seq -f '/s/m/%g' 1 2 40)
x xenstore-list /s/m
