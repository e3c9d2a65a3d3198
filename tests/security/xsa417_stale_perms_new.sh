# SPDX-License-Identifier: MIT
# XSA-417: the stale-permission check took a domain the daemon had no
# record of for a new one, re-activating the old domain's permissions
# once the id was reused.  As XSA-322, but the new domain exists (and is
# introduced) before anyone touches the node, dom0 then rewrites the node
# and reads its permissions, and only then does the new domain read it:
# EACCES.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest old "sleep"
N=$domid
xenstore-write /granted secret
xenstore-chmod /granted n0 "r$N"
kill -KILL "$old_pid"
gone "$N"
"$BIN/xenhyp-ctl" destroy "$N" 2>/dev/null || true
LAUNCH_DOMID=$N launch_guest new "wait:$RUN/go" "read:/granted" "sleep"
xenstore-write /granted again
xenstore-ls -p / >/dev/null
touch "$RUN/go"
wait_for "$RUN/new.out" "^ERROR\|^READ"
check_eq "the new domain" "ERROR EACCES" "$(replies new)"
