# A guest hits its quotas where Xen's C daemon refuses, and each refusal
# is logged with the domain, the quota, the value and the limit.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

start_hyp
start_daemon -E 4 -W 2 -t 1 -A 2
expect_log

launch_guest g "write:a=1" "write:b=1" "write:c=1" \
	"write:d=1" "write:e=1" "watch:a:1" "watch:b:2" "watch:c:3" \
	"setperms:a:n1:r0:r2" "setperms:a:n1:r0" "rm:a" "write:e=1"
wait_lines "$RUN/g.out" 1 '^WRITE' "guest hangs"
wait_lines "$RUN/g.out" 12 '^[A-Z]' "guest hangs"
check_eq replies "WRITE OK
WRITE OK
WRITE OK
ERROR ENOSPC
ERROR ENOSPC
WATCH OK
WATCH OK
ERROR ENOSPC
ERROR ENOSPC
SET_PERMS OK
RM OK
WRITE OK" "$(grep '^[A-Z]' "$RUN/g.out" | grep -v '^event' | sed 's/^\(ERROR [A-Z]*\).*/\1/; s/^\([A-Z_]* OK\).*/\1/')"
grep -q "domain $domid: refused by quota nodes: 5 > 4" "$RUN/daemon.err" ||
	{ cat "$RUN/daemon.err"; fail "nodes refusal not logged"; }
grep -q "domain $domid: refused by quota watches: 3 > 2" "$RUN/daemon.err" ||
	fail "watches refusal not logged"
grep -q "domain $domid: refused by quota node-permissions: 3 > 2" "$RUN/daemon.err" ||
	fail "node-permissions refusal not logged"
# dom0 is exempt.
for n in 1 2 3 4 5 6; do xenstore-write "/dom0/n$n" x; done

# A creation of several nodes that would pass the node quota makes none
# of them (XSA-414), and one that fits makes them all.
launch_guest h "write:x=1" "write:p/q/r/s=1" "read:p" "write:p/q=1" \
	"dir:p"
wait_lines "$RUN/h.out" 5 '^[A-Z]' "guest h hangs"
check_eq "all or nothing" "WRITE OK
ERROR ENOSPC
ERROR ENOENT
WRITE OK
DIRECTORY q" "$(grep '^[A-Z]' "$RUN/h.out" | sed 's/^\(ERROR [A-Z]*\).*/\1/')"
