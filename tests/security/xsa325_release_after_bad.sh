# SPDX-License-Identifier: MIT
# XSA-325: a misbehaving guest's connection was destroyed at once, which
# fired @releaseDomain too early and never again when the domain really
# died (a zombie domain for the toolstack).  A guest breaks its ring:
# it goes silent, but no @releaseDomain fires and its domain stays
# introduced; when it dies, @releaseDomain fires and its nodes go.
. tests/security/lib.sh

start_hyp
start_daemon
expect_log
xenstore-watch @releaseDomain >"$RUN/release" &
background $!
wait_for "$RUN/release" "@releaseDomain"
launch_guest bad "garbage" "sleep"
wait_for "$RUN/bad.out" "^error"
script "1 op 17 $domid
> 1: T"
alive
check_eq "@releaseDomain while alive" 1 "$(grep -c . "$RUN/release")"
kill -KILL "$bad_pid"
wait_count "$RUN/release" "@releaseDomain" 2
gone "$domid"
xenstore-exists "/local/domain/$domid" && fail "the dead guest's nodes remain"
script "1 op 17 $domid
> 1: F"
