# SPDX-License-Identifier: MIT
# XSA-416: memory a request used lived until the guest read its reply, so
# a guest pipelining large requests without reading held memory without
# bound.  A guest sends 5000 READs of a 2000-byte node and reads nothing:
# the replies held for it stay within 20 (its "outstanding" quota) and
# its accounted memory (nodes and queued output) within 20 replies'
# worth, and the daemon goes on serving others.
. tests/security/lib.sh

start_hyp
start_daemon
V=$(printf '%02000d' 0)
launch_guest g "write:v=$V" "wait:$RUN/go" "flood:5000:read:v" "sleep"
wait_for "$RUN/g.out" "^WRITE"
base=$(usage "$domid" memory)
touch "$RUN/go"
wait_for "$RUN/g.out" "^flood"
grep -q '^flood sent [0-9]* stalled' "$RUN/g.out" ||
	fail "the flood was not held back: $(grep '^flood' "$RUN/g.out")"
out=$(usage "$domid" outstanding)
mem=$(usage "$domid" memory)
[ "$out" -le 20 ] || fail "$out replies queued"
[ "$mem" -le $((base + 20 * 2100)) ] || fail "memory $base -> $mem"
launch_guest ok "read:/local/domain/$domid/v" "write:x=1" "sleep"
wait_for "$RUN/ok.out" "^WRITE"
check_eq "other guest" "ERROR EACCES
WRITE OK" "$(replies ok)"
alive
