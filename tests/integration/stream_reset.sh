# --reset-db and the change stream (docs/pool.md): a store started empty
# does not keep the old store's groups for the pool agent to publish
# against the new tree.  The old stream is kept aside, numbering goes on
# after its last group, and the first new group is a "lost" one, so an
# agent resuming from its cursor reads the tree again.
. tests/lib.sh

printf '/pool\n' >"$RUN/tdb.stream-prefixes"
start_daemon
xenstore-write /pool/a 1
xenstore-write /pool/b 2
xenstore-write /pool/c 3
check_eq "groups before the reset" "1 3" "$("$BIN/xenstore-control" stream bounds)"
stop_daemon

head -c 8192 /dev/urandom >"$RUN/tdb"
start_daemon --reset-db
xenstore-read /pool/a 2>/dev/null && fail "--reset-db kept the store"
check_eq "groups after the reset" "4 4" "$("$BIN/xenstore-control" stream bounds)"
"$BIN/xenstore-control" stream read 4 | head -n 1 | grep -q '^4 l' ||
	fail "group 4 does not say changes were lost: $("$BIN/xenstore-control" stream read 4)"
"$BIN/xenstore-control" stream read 1 2>/dev/null && fail "an old group is still readable"
[ -f "$RUN/tdb.stream.damaged" ] || fail "the old stream not kept aside"
xenstore-write /pool/d 4
check_eq "numbering goes on" "4 5" "$("$BIN/xenstore-control" stream bounds)"
stop_daemon

# A clean restart without damage keeps the stream as it was.
start_daemon --reset-db
check_eq "kept without damage" "4 5" "$("$BIN/xenstore-control" stream bounds)"
stop_daemon
exit 0
