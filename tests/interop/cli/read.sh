# SPDX-License-Identifier: MIT
# xenstore-read: plain, several keys, -p, -R, relative paths, missing and
# invalid paths, usage errors.
x xenstore-write /r/a hello /r/b "two words" /r/empty ""
x xenstore-read /r/a
x xenstore-read /r/a /r/b /r/empty
x xenstore-read -p /r/a /r/b
x xenstore-read /r
x xenstore-read /
note "several keys run in one transaction: one missing key prints nothing"
x xenstore-read /r/a /r/missing /r/b
x xenstore-read /r/missing
x xenstore-read /nowhere/at/all
note "escaping of the value, and -R for the raw bytes"
x xenstore-write /r/esc 'tab\there\nnl\\bs\001\177\200\377'
x xenstore-read /r/esc
x xenstore-read -R /r/esc
x xenstore-read -p -R /r/esc /r/a
note "relative paths are under /local/domain/0 for a socket client"
x xenstore-write rel/x 42
x xenstore-read rel/x /local/domain/0/rel/x
x xenstore-read -p rel/x
note "invalid paths"
x xenstore-read /r//a
x xenstore-read /r/a/
x xenstore-read '/r/a b'
x xenstore-read '/r/a.b'
x xenstore-read @introduceDomain
x xenstore-read ''
note "usage"
x xenstore-read
x xenstore-read -h
x xenstore-read -x /r/a
x xenstore read /r/a
x xenstore read -p /r/a
