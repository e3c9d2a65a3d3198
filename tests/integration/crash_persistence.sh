# No acknowledged write is lost when the daemon is killed with SIGKILL,
# and a committed transaction is all or nothing after the restart.  Each
# round writes until a kill at a random moment, restarts the daemon on the
# same database and checks every round so far.
. tests/lib.sh

kill_rounds

# A damaged database: the daemon refuses to start and names the file.
expect_log
head -c 4096 /dev/urandom > "$RUN/tdb"
if timeout 10 env XENSTORED_RUNDIR=$RUN "$BIN/xenstored" -N 2>"$RUN/refused"; then
	fail "started on a damaged database"
fi
grep -q "$RUN/tdb" "$RUN/refused" || fail "the refusal does not name the file"
# ... unless told to start empty, keeping the damaged file.
XENSTORED_RUNDIR=$RUN "$BIN/xenstored" -N --reset-db 2>"$RUN/daemon.err" &
DAEMON_PID=$!
while [ ! -S "$RUN/socket" ]; do sleep 0.05; done
XENSTORED_PATH=$RUN/socket xenstore-read /tool/xenstored >/dev/null || fail "not serving after --reset-db"
[ -f "$RUN/tdb.damaged" ] || fail "damaged file not kept"
