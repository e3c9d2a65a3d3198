# A commit under /pool waits for its agent's verdict, but never for
# long, and is never answered OK without it: with the agent paused, the
# commit is answered EIO after the bounded wait (logged: its fate is not
# known yet) and published once the agent runs again; with the agent
# killed while a commit waits, the commit is answered EIO at once and
# the next agent publishes it.  The other host ends with each value.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

# A lease that outlasts the pauses: a fenced agent would rightly drop
# the commit made meanwhile, which is not what is tested here.
AGENT_TTL=10
start_agent_pair

incr() { XENSTORED_PATH=$RUN/h1/socket "$TOOLS/pool-incr" /pool/v 1; }

xs h1 write /pool/v 0
wait_for 10 "/pool/v on h2" reads h2 /pool/v 0

# The agent paused: registered, but no verdict comes.
kill -STOP "$(cat "$RUN/h1/agent.pid")"
incr && fail "the commit answered OK without a verdict"
grep -q "no verdict from the pool agent in 2000 ms: .* is answered EIO" \
	"$RUN/h1/daemon.err" ||
	fail "the wait for a verdict was not logged"
reads h1 /pool/v 1 || fail "h1 does not read its commit"
in_etcd 0 || fail "published while the agent was paused"
kill -CONT "$(cat "$RUN/h1/agent.pid")"
wait_for 10 "the commit in etcd" in_etcd 1
wait_for 10 "the commit on h2" reads h2 /pool/v 1

# The agent killed while the commit waits: answered when its connection
# goes, and published by the next agent.
kill -STOP "$(cat "$RUN/h1/agent.pid")"
incr &
w=$!
background $w
wait_for 10 "the commit applied on h1" reads h1 /pool/v 2
stop_agent h1 KILL
wait "$w" && fail "the commit answered OK with the agent gone"
grep -q "pool agent gone: held commits are answered EIO" \
	"$RUN/h1/daemon.err" || fail "the agent's going did not answer it"
start_agent h1
wait_for 10 "the commit in etcd after the restart" in_etcd 2
wait_for 10 "the commit on h2 after the restart" reads h2 /pool/v 2
stop_hosts
echo ok
