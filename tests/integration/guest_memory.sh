# A guest's memory quota: the records it owns and its watches count;
# going over gives ENOMEM, logged; removing a node gives the room back.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

start_hyp
start_daemon -Q memory=250
expect_log
V=$(printf '%0100d' 0)
launch_guest g "write:a=$V" "write:b=$V" \
	"rm:a" "write:b=$V" "watch:a-long-watch-path:tok"
wait_lines "$RUN/g.out" 5 '^[A-Z]' "guest hangs"
check_eq replies "WRITE OK
ERROR ENOMEM
RM OK
WRITE OK
WATCH OK" "$(grep '^[A-Z]' "$RUN/g.out" | grep -v '^event' | sed 's/^\([A-Z_]* OK\).*/\1/')"
grep -q "domain $domid: refused by quota memory" "$RUN/daemon.err" ||
	{ cat "$RUN/daemon.err"; fail "memory refusal not logged"; }
