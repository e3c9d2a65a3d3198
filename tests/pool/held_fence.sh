# A held commit whose agent is fenced (docs/pool.md, "No lost update"):
# h1's agent paused past its lease while a transaction on h1 increments
# /pool/v and waits for its verdict; meanwhile h2 sets /pool/v = 10.
# The woken agent is fenced: it publishes nothing from before, its
# resynchronisation undoes the increment (etcd's 10 wins), and only then
# is the commit answered EAGAIN; the client's retry reads 10 and commits
# 11, which every host ends with.  Never "OK" for the undone increment.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

# A wait for the verdict that outlasts the pause and the fence.
XENSTORED_HOLD_WAIT_MS=60000
export XENSTORED_HOLD_WAIT_MS
AGENT_TTL=2
start_agent_pair

xs h1 write /pool/v 0
wait_for 10 "/pool/v on h2" reads h2 /pool/v 0

apid=$(cat "$RUN/h1/agent.pid")
kill -STOP "$apid"
XENSTORED_PATH=$RUN/h1/socket "$TOOLS/pool-incr" /pool/v 1 &
w=$!
background $w
wait_for 10 "the increment applied on h1" reads h1 /pool/v 1
wait_for 20 "h1's lease to expire" sh -c "! etcdctl --endpoints $ENDPOINTS \
	get --print-value-only /xenstore/hosts/h1/alive | grep -q h1"
xs h2 write /pool/v 10
wait_for 10 "h2's write in etcd" in_etcd 10
kill -0 "$w" 2>/dev/null || fail "the commit was answered while its agent slept"
kill -CONT "$apid"
wait "$w" || fail "the increment's retry"
wait_for 20 "the retry in etcd" in_etcd 11
wait_for 10 "the retry on h2" reads h2 /pool/v 11
reads h1 /pool/v 11 || fail "h1 reads $(xs h1 read /pool/v)"
grep -q "fenced" "$RUN/h1/agent.log" || fail "the agent was not fenced"
stop_hosts
echo ok
