# SPDX-License-Identifier: MIT
# xenstore-write: escapes in values, -R, several pairs, relative and
# invalid paths, odd argument counts.
x xenstore-write /w/a 1
x xenstore-read /w/a
note "unescaping: \\t \\n \\r \\\\ \\xHH \\ooo; -R keeps the backslashes"
x xenstore-write /w/esc 'a\tb\nc\rd\\e\x41\x7a\101\060f'
x xenstore-read /w/esc
x xenstore-read -R /w/esc
x xenstore-write -R /w/raw 'a\tb\x41\\'
x xenstore-read /w/raw
x xenstore-write /w/trail 'ends in backslash\'
x xenstore-read /w/trail
x xenstore-write /w/badhex 'x\xZZy\q'
x xenstore-read /w/badhex
x xenstore-write /w/nul 'a\000b'
x xenstore-read /w/nul
x xenstore-read -R /w/nul
note "several pairs in one transaction, parents created on the way"
x xenstore-write /w/p/q/r 1 /w/p/s 2 /w/a 3
x xenstore-ls /w/p
x xenstore-read /w/a /w/p/q
note "an empty value, an overwrite, a long value"
x xenstore-write /w/a ''
x xenstore-read /w/a
x xenstore-write /w/long 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789
x xenstore-read /w/long
note "the root node and relative paths"
x xenstore-write / rootval
x xenstore-read /
x xenstore-write rel relval
x xenstore-read /local/domain/0/rel
x xenstore-ls /local
note "invalid paths"
x xenstore-write /w//x 1
x xenstore-write /w/x/ 1
x xenstore-write '/w/sp ace' 1
x xenstore-write @releaseDomain 1
x xenstore-write /w/ok 1 /w/bad! 2
x xenstore-exists /w/ok
note "usage"
x xenstore-write
x xenstore-write /w/a
x xenstore-write /w/a 1 /w/b
x xenstore-write -h
