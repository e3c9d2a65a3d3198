# SPDX-License-Identifier: MIT
# XSA-418: recursive walks of the tree (delete, create, check) ran out of
# stack on deep paths.  A guest creates a path 1000 levels deep (within
# its path-max) and dom0 one 2000 levels deep; the consistency check
# walks them, and the removals leave a consistent store.  The daemon runs
# with a 160 KB stack: a walk recursing per level would need more
# (2000 levels deep from dom0) and crash.
. tests/security/lib.sh

printf '#!/bin/sh\nulimit -s 160\nexec "$@"\n' >"$RUN/small-stack"
chmod +x "$RUN/small-stack"
start_hyp
XS_WRAP="$RUN/small-stack ${XS_WRAP:-}" start_daemon -E 1100
deep=a$(printf '%0999d' 0 | sed 's|0|/a|g')
launch_guest g "write:$deep=1" "read:$deep" "wait:$RUN/go" "rm:a" "sleep"
wait_for "$RUN/g.out" "^READ"
check_eq guest "WRITE OK
READ 1" "$(replies g)"
xenstore-write "/d$(printf '%01999d' 0 | sed 's|0|/d|g')" 1
store_ok
touch "$RUN/go"
wait_for "$RUN/g.out" "^RM"
xenstore-rm /d
xenstore-exists "/local/domain/$domid/a" && fail "not removed"
check_eq nodes 1 "$(usage "$domid" nodes)"
store_ok
alive
