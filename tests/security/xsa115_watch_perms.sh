# SPDX-License-Identifier: MIT
# XSA-115: watch events told a guest about nodes it may not read, special
# watches and IS_DOMAIN_INTRODUCED were open to every guest, and WATCH
# looked at the tx_id it should ignore.  A guest watching "/" must get
# no event for a node it cannot read (nor whose parent it cannot read);
# @introduceDomain gives it only the event every watch fires when set;
# IS_DOMAIN_INTRODUCED is refused; WATCH with a garbage tx_id works.
. tests/security/lib.sh

start_hyp
start_daemon
xenstore-write /secret/a 1
launch_guest spy "watch:/:root" "op:17:0" "tx:4242" "watch:mine:t" "tx:0" \
	"watch:@introduceDomain:intro" \
	"wait:$RUN/go" "write:mine=2" "events:2" "sleep"
wait_count "$RUN/spy.out" "^WATCH OK" 3
spy=$domid
# Changes the spy may not see: a dom0 node, another guest's home, the
# creation and introduction of that guest.
xenstore-write /secret/a 2
xenstore-write /secret/b 1
xenstore-rm /secret
launch_guest other "write:x=1" "sleep"
wait_for "$RUN/other.out" "^WRITE"
xenstore-write "/local/domain/$domid/y" 1
# Then one it may see, which it writes itself: every event before it
# would have reached it by then.
touch "$RUN/go"
wait_for "$RUN/spy.out" "^event /local/domain/$spy/mine root"
check_eq replies "WATCH OK
ERROR EACCES
WATCH OK
WATCH OK
WRITE OK" "$(replies spy)"
bad=$(grep '^event' "$RUN/spy.out" | grep -v -e '^event / root$' \
	-e '^event mine t$' -e '^event @introduceDomain intro$' \
	-e "^event /local/domain/$spy/mine root\$" || true)
[ -z "$bad" ] || fail "events the spy may not see: $bad"
check_eq "@introduceDomain events" 1 "$(grep -c '^event @intro' "$RUN/spy.out")"
