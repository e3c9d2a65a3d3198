# SPDX-License-Identifier: MIT
# XSA-326 (mass deletion): removing a large subtree under many watches
# could queue an event per watch per node.  A guest sets 128 watches on
# a directory of 500 nodes and dom0 removes it: each watch fires once,
# so the guest gets 128 events for the removal (after the 128 that
# setting the watches fired), not one per node removed.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "wait:$RUN/made" "repeat:128:watch:d:t#" "wait:$RUN/go" \
	"write:sync=1" "sleep"
for i in $(seq 1 500); do
	printf '1 write /local/domain/%s/d/n%s 1\n> 1: OK\n' "$domid" "$i"
done >"$RUN/made.xs"
"$TOOLS/xs-script" "$RUN/made.xs" >/dev/null || fail "making the directory"
touch "$RUN/made"
wait_for "$RUN/g.out" "^repeat"
xenstore-rm "/local/domain/$domid/d"
touch "$RUN/go"
wait_for "$RUN/g.out" "^WRITE"
check_eq events 256 "$(grep -c '^event' "$RUN/g.out")"
# Each watch fired twice: when set, and for the removal.
check_eq "events per watch" "" "$(grep '^event' "$RUN/g.out" | sort | uniq -c |
	awk '$1 != 2 || $3 != "d"')"
alive
