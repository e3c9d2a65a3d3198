# The daemon's life cycle and the plain operations, through Debian's
# xenstore-utils.
. tests/lib.sh

start_daemon
[ -S "$RUN/socket_ro" ] || fail "no read-only socket"
[ "$(cat "$RUN/pid")" = "$DAEMON_PID" ] || fail "pid file"

xenstore-write /a/b hello /a/c "two words"
check_eq read "hello" "$(xenstore-read /a/b)"
check_eq list "b
c" "$(xenstore-list /a)"
xenstore-exists /a/c || fail "exists /a/c"
if xenstore-exists /a/nope; then fail "exists /a/nope"; fi
xenstore-rm /a/b
if xenstore-read /a/b 2>/dev/null; then fail "read after rm"; fi

# The read-only socket refuses changes but serves reads.
if XENSTORED_PATH=$RUN/socket_ro xenstore-write /ro x 2>/dev/null; then
	fail "write on socket_ro"
fi
check_eq ro-read "two words" "$(XENSTORED_PATH=$RUN/socket_ro xenstore-read /a/c)"

# SIGTERM: sockets and pid file go.
stop_daemon
[ ! -e "$RUN/socket" ] && [ ! -e "$RUN/socket_ro" ] && [ ! -e "$RUN/pid" ] ||
	fail "files left after SIGTERM"

# A bad option: usage on stderr, non-zero exit.
if "$BIN/xenstored" --bogus 2>"$RUN/usage" >/dev/null; then fail "bad option accepted"; fi
grep -q "Usage: xenstored" "$RUN/usage" || fail "no usage on a bad option"
echo ok
