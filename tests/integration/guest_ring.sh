# Guests over their rings: INTRODUCE, requests with a guest's rights,
# watches, @introduceDomain/@releaseDomain, a guest's death cleaning up
# its nodes, and a guest breaking its ring losing only itself.
. tests/lib.sh
. tests/hyp/hyp.sh

start_hyp
start_daemon
GUEST="$TOOLS/ring-guest"
. tests/guest/guest.sh
LAUNCH_NAMED=1

xenstore-watch @introduceDomain >"$RUN/intro.watch" &
background $!
xenstore-watch @releaseDomain >"$RUN/release.watch" &
background $!
wait_lines "$RUN/release.watch" 1 "@releaseDomain" "the first @releaseDomain"

launch_guest g1 "write:x=hello" "read:x" "read:/tool/xenstored" \
	"write:/forbidden=1" "watch:x:tok" "events:1" "introduce:5:0:1" \
	"sleep"
wait_lines "$RUN/g1.out" 1 "^event x tok" "g1's watch event"
check_eq guest-replies "WRITE OK
READ hello
ERROR EACCES
ERROR EACCES
WATCH OK
event x tok" "$(sed -n '3,8p' "$RUN/g1.out")"
wait_lines "$RUN/g1.out" 1 "^ERROR EACCES" "g1's refused writes" # privileged op refused
check_eq "dom0 sees the guest's node" hello "$(xenstore-read /local/domain/$g1_domid/x)"
check_eq owner "n$g1_domid r0" "$(xenstore-ls -p /local/domain/$g1_domid | sed -n 's/.*(\(.*\))/\1/p' | tr , ' ' | tail -1)"
check_eq introduced "T" "$(printf '1 op 17 %s\n' $g1_domid | sed 's/$/\n> 1: T/' >"$RUN/t.xs"; "$TOOLS/xs-script" "$RUN/t.xs" >/dev/null && echo T)"
wait_lines "$RUN/intro.watch" 1 "@introduceDomain" "@introduceDomain"

# A second guest cannot read the first one's nodes.
launch_guest g2 "read:/local/domain/$g1_domid/x" "write:/local/domain/$g1_domid/y=1"
wait_lines "$RUN/g2.out" 1 "^ERROR" "g2's refusals"
check_eq isolation "ERROR EACCES
ERROR EACCES" "$(sed -n '3,4p' "$RUN/g2.out")"

# A guest breaking its ring is dropped; the others carry on.
expect_log
launch_guest g3 "garbage" "sleep"
wait_lines "$RUN/g3.out" 1 "^error" "g3's broken ring"
check_eq error-field "error 2" "$(grep '^error' "$RUN/g3.out")"
check_eq "dom0 still served" hello "$(xenstore-read /local/domain/$g1_domid/x)"

# kill -9 of a guest: its nodes and connection go, @releaseDomain fires.
n=$(grep -c . "$RUN/release.watch")
kill -KILL "$g1_pid"
i=0
while xenstore-exists "/local/domain/$g1_domid"; do
	i=$((i + 1)); [ $i -gt 400 ] && fail "dead guest's nodes remain"
	sleep 0.05
done
[ "$(grep -c . "$RUN/release.watch")" -gt "$n" ] || fail "no @releaseDomain"

# With a hypervisor to ask, an owner that does not exist is refused, and
# an entry for a missing domain is kept but not honoured (XSA-322).
xenstore-write /stale x
if xenstore-chmod /stale n77 2>/dev/null; then fail "owner 77 accepted"; fi
xenstore-chmod /stale n0 r77
check_eq stale-entry-kept "n0,r77" "$(xenstore-ls -p / | sed -n 's/^stale.*(\(.*\))$/\1/p')"

# Reconnection (feature bit 1): the guest asks for a fresh connection; its
# watches are gone afterwards and the new connection serves it.
launch_guest g4 "watch:x:tok" "events:1" "reconnect" "write:y=1" "read:y" \
	"watch:y:t2" "events:1" "events:1" "sleep"
wait_lines "$RUN/g4.out" 1 "^event y t2" "g4's watch after reconnection"
check_eq reconnect "WATCH OK
event x tok
reconnected features 15
WRITE OK
READ 1
WATCH OK
event y t2" "$(sed -n '3,9p' "$RUN/g4.out")"
# x changes before y: once y's event is in, x's would be too.
xenstore-write "/local/domain/$g4_domid/x" changed
xenstore-write "/local/domain/$g4_domid/y" changed
wait_lines "$RUN/g4.out" 2 '^event y t2' "no event on y after reconnection"
[ "$(grep -c '^event x' "$RUN/g4.out")" -eq 1 ] || fail "a watch survived the reconnection"

# dom0 served over a ring of its own (as a stub xenstore domain needs):
# privileged on it, as on the socket.
"$GUEST" dom0 "write:/dom0ring/x=1" "read:/dom0ring/x" \
	"read:/local/domain/$g4_domid/name" "introduce:999:0:1" >"$RUN/d0.out" 2>&1 ||
	{ cat "$RUN/d0.out"; fail "dom0 over its ring"; }
check_eq dom0-ring "domid 0
WRITE OK
READ 1
READ g4
ERROR ENOENT" "$(cat "$RUN/d0.out")"
check_eq "dom0's ring write seen on the socket" 1 "$(xenstore-read /dom0ring/x)"

# SET_TARGET: a device-model domain acts with its target's rights.
launch_guest g5 "read:/local/domain/$g4_domid/name" "watch:go:t" "events:1" \
	"events:1" "read:/local/domain/$g4_domid/name" "sleep"
wait_lines "$RUN/g5.out" 1 "^event go t" "g5's watch"
printf '1 op 19 %s %s\n> 1: OK\n' "$g5_domid" "$g4_domid" >"$RUN/target.xs"
"$TOOLS/xs-script" "$RUN/target.xs" >/dev/null || fail "SET_TARGET"
xenstore-write "/local/domain/$g5_domid/go" 1
wait_lines "$RUN/g5.out" 1 "^READ g4" "g5's read as its target"
check_eq set-target "ERROR EACCES
WATCH OK
event go t
event go t
READ g4" "$(sed -n '3,7p' "$RUN/g5.out")"

# A guest that reads as Linux's xenbus driver does (it tells the daemon
# it read only when it found the ring full) is sent a reply that does
# not fit in the space its first reply left: the daemon saves it, then
# fills the ring, instead of waiting for room no event would announce.
BIG=$(printf '%01000d' 0)
launch_guest g6 "write:small=x" "write:big=$BIG" linux \
	"flood:1:read:small" "flood:1:read:big" "drain:2" "sleep"
wait_lines "$RUN/g6.out" 1 "^READ 0000\|^stalled" "g6's big reply"
grep -q "^stalled" "$RUN/g6.out" && fail "a Linux-like guest stalled on a reply"
check_eq "the Linux-like guest's replies" "READ x
READ $BIG" "$(grep '^READ' "$RUN/g6.out")"
