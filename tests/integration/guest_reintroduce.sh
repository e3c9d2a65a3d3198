# INTRODUCE of a domain whose connection works makes its event channel
# again and answers what the guest had put on its ring meanwhile: no
# request is dropped without a reply.  Its watches stay.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

start_hyp
start_daemon
LAUNCH_NAMED=1 launch_guest g "watch:name:tok" "events:1" \
	"unannounced:3:name" "events:1" "sleep"
wait_lines "$RUN/g.out" 1 '^queued 3' "guest hangs"
printf '1 op 8 %s 0 %s\n> 1: OK\n' "$domid" "$port" >"$RUN/again.xs"
"$TOOLS/xs-script" "$RUN/again.xs" >/dev/null || fail "INTRODUCE again"
wait_lines "$RUN/g.out" 3 '^READ g' "queued requests unanswered"
# The watch survived: a change fires it.
xenstore-write "/local/domain/$domid/name" h
wait_lines "$RUN/g.out" 2 '^event name tok' "watch lost"
