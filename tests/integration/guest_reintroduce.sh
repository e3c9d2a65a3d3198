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
i=0
until grep -q "^queued 3" "$RUN/g.out"; do
	i=$((i + 1)); [ $i -gt 400 ] && { cat "$RUN/g.out"; fail "guest hangs"; }
	sleep 0.05
done
printf '1 op 8 %s 0 %s\n> 1: OK\n' "$domid" "$port" >"$RUN/again.xs"
"$TOOLS/xs-script" "$RUN/again.xs" >/dev/null || fail "INTRODUCE again"
i=0
until [ "$(grep -c '^READ g' "$RUN/g.out")" -ge 3 ]; do
	i=$((i + 1)); [ $i -gt 200 ] && { cat "$RUN/g.out"; fail "queued requests unanswered"; }
	sleep 0.05
done
# The watch survived: a change fires it.
xenstore-write "/local/domain/$domid/name" h
i=0
until [ "$(grep -c '^event name tok' "$RUN/g.out")" -ge 2 ]; do
	i=$((i + 1)); [ $i -gt 200 ] && { cat "$RUN/g.out"; fail "watch lost"; }
	sleep 0.05
done
