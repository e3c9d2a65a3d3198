# SPDX-License-Identifier: MIT
# XSA-326 (watch-event floods): events queued for a watcher that does not
# read were not bounded, so one guest writing a node another watches 128
# times over could grow the daemon without end.  The watcher sets 128
# watches on a node the writer rewrites 100 times, and never reads:
# what the daemon holds for the watcher stays within its memory quota,
# and the writer and dom0 are served throughout.
. tests/security/lib.sh

start_hyp
start_daemon -Q memory=40000
expect_log
launch_guest watcher "repeat:128:watch:/flood:t#" "sleep"
watcher=$domid
wait_for "$RUN/watcher.out" "^repeat"
check_eq watches "repeat ok 128" "$(grep '^repeat' "$RUN/watcher.out")"
launch_guest writer "wait:$RUN/go" "repeat:100:write:/flood=#" "sleep"
xenstore-write /flood 0
xenstore-chmod /flood "n$domid" "r$watcher"
touch "$RUN/go"
wait_for "$RUN/writer.out" "^repeat"
check_eq writer "repeat ok 100" "$(grep '^repeat' "$RUN/writer.out")"
mem=$(usage "$watcher" memory)
[ "$mem" -le 40000 ] || fail "the watcher holds $mem bytes (quota 40000)"
alive
