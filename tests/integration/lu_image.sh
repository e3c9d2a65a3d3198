# A live update between two binaries of ours hands the store over whole,
# as an image of its memory (store_image.c), not node by node: every
# node, value, permission and the order of children come through; the
# files stay current, so that a crash after the update restarts with
# everything (the new binary carries on the old one's journal without
# reading it again); a new binary with other files writes them whole;
# a binary that takes another image layout gets node records; and a
# store kept in memory only (-I) stays so.
. tests/lib.sh

CTL="$BIN/xenstore-control"
XENSTORED_FOLD_AFTER=64
export XENSTORED_FOLD_AFTER

listing() { "$BIN/xenstore-ls" -p "$@"; }

lu() {
	"$CTL" live-update -t 10 "$@" || fail "live update $*"
	check_eq "pid after the update" "$DAEMON_PID" "$(cat "$RUN/pid")"
}

start_daemon -V
expect_log # the updates log
i=0
while [ $i -lt 40 ]; do
	xenstore-write /img/d$((i % 4))/n$i "v$i" /img/z$i/a "$i"
	i=$((i + 1))
done
xenstore-write /img/perm x /img/empty ""
xenstore-chmod /img/perm b3 r5 n7
xenstore-rm /img/z3 /img/z17 # freed blocks in the arena, reused below
xenstore-write /img/after/x 1
before=$(listing)

# --- ours into ours: the image ---
lu "$BIN/xenstored"
grep -q "store image" "$RUN/daemon.err" || fail "no image taken"
check_eq "tree after the update" "$before" "$(listing)"

# A signal while the old daemon reads the new one's help (a fold's child
# ending: SIGCHLD; here a SIGHUP from the help itself) does not cut the
# help short: the binary is still known as ours, and takes the image.
cat >"$RUN/hup-help" <<EOS
#!/bin/sh
[ "\$1" = --help ] && { kill -HUP \$PPID; sleep 0.2; exec "$BIN/xenstored" --help; }
exec "$BIN/xenstored" "\$@"
EOS
chmod +x "$RUN/hup-help"
: >"$RUN/daemon.err"
lu "$RUN/hup-help"
grep -q "store image" "$RUN/daemon.err" ||
	fail "a signal while reading the help: no image taken"
check_eq "tree after the update with a signal" "$before" "$(listing)"
xenstore-write /img/new 2
xenstore-rm /img/d1
after=$(listing)

# The files stayed current and the journal goes on: a crash keeps all.
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
rm -f "$RUN/socket" # start_daemon waits for the new one
start_daemon -V
check_eq "tree after a crash" "$after" "$(listing)"

# --- other files (-c): they are written whole ---
lu -c "-N -V -F $RUN/pid --db $RUN/other.tdb" "$BIN/xenstored"
check_eq "tree in other files" "$after" "$(listing)"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
rm -f "$RUN/socket" # start_daemon waits for the new one
start_daemon -V --db "$RUN/other.tdb"
check_eq "other files after a crash" "$after" "$(listing)"

# --- another layout: node records, not the image ---
cat >"$RUN/other-layout" <<EOS
#!/bin/sh
[ "\$1" = --help ] && { "$BIN/xenstored" --help | sed 's/store-image-/store-image-x/'; exit 0; }
exec "$BIN/xenstored" "\$@"
EOS
chmod +x "$RUN/other-layout"
: >"$RUN/daemon.err"
lu "$RUN/other-layout"
grep -q "store image" "$RUN/daemon.err" && fail "image taken by another layout"
check_eq "tree from node records" "$after" "$(listing)"
stop_daemon

# --- a store in memory only (-I, a xenstore domain's): no files appear ---
rm -f "$RUN"/tdb* "$RUN"/other.tdb* "$RUN/socket"
start_daemon -V -I
xenstore-write /mem/a 1
lu "$BIN/xenstored"
check_eq "in-memory store after the update" 1 "$("$BIN/xenstore-read" /mem/a)"
[ ! -e "$RUN/tdb" ] || fail "an update of an in-memory store wrote files"
stop_daemon
