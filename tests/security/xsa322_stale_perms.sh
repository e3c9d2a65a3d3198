# SPDX-License-Identifier: MIT
# XSA-322: a permission naming a domain outlived the domain, and a new
# domain given the same id inherited it.  dom0 lets guest N read a node;
# N dies; a new domain gets id N and reads the node: EACCES.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest old "wait:$RUN/go" "read:/granted" "sleep"
N=$domid
xenstore-write /granted secret
xenstore-chmod /granted n0 "r$N"
touch "$RUN/go"
wait_for "$RUN/old.out" "^READ"
check_eq "the old domain reads" "READ secret" "$(replies old)"
kill -KILL "$old_pid"
gone "$N"
"$BIN/xenhyp-ctl" destroy "$N" 2>/dev/null || true
LAUNCH_DOMID=$N launch_guest new "read:/granted" "sleep"
check_eq "same domid" "$N" "$domid"
wait_for "$RUN/new.out" "^ERROR\|^READ"
check_eq "the new domain" "ERROR EACCES" "$(replies new)"
