# SPDX-License-Identifier: MIT
# XSA-326 (the cost of unread events): a guest that stops reading must
# not make the daemon slow for everyone else.  A watcher sets 128
# watches on a node and never reads; another guest rewrites the node
# 1000 times, which queues events for the watcher up to its memory
# quota (the default 2.5 MiB, tens of thousands of events).  The
# writer's requests must all be served; the test does not time them,
# but a daemon that walks the whole queue for every event it queues
# takes minutes and trips the usual 30-second bound on the wait.
. tests/security/lib.sh

start_hyp
start_daemon
expect_log
launch_guest watcher "repeat:128:watch:/flood:t#" "sleep"
watcher=$domid
wait_for "$RUN/watcher.out" "^repeat"
launch_guest writer "wait:$RUN/go" "repeat:1000:write:/flood=#" "sleep"
xenstore-write /flood 0
xenstore-chmod /flood "n$domid" "r$watcher"
touch "$RUN/go"
wait_for "$RUN/writer.out" "^repeat"
check_eq writer "repeat ok 1000" "$(grep '^repeat' "$RUN/writer.out")"
[ "$(usage "$watcher" memory)" -le 2621440 ] || fail "the watcher holds too much"
alive
