# An agent paused (SIGSTOP) past its lease is fenced: the pool sees its
# host gone, and when it wakes it publishes nothing it held from before:
# the write its host made meanwhile is logged as lost and etcd's state
# wins; it gets a new lease and goes on.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_cluster 3
start_host h1
start_host h2
AGENT_TTL=2
start_agent h1
start_agent h2
wait_agent h1
wait_agent h2

xs h1 write /pool/before 1
wait_for 10 "a write before the pause" reads h2 /pool/before 1
stop_agent_pid=$(cat "$RUN/h1/agent.pid")
kill -STOP "$stop_agent_pid"
xs h1 write /pool/during paused
wait_for 10 "h1's lease to expire" sh -c "! etcdctl --endpoints $ENDPOINTS get --print-value-only /xenstore/hosts/h1/alive | grep -q h1"
# Meanwhile the pool moves on without h1.
xs h2 write /pool/other x
kill -CONT "$stop_agent_pid"
wait_for 10 "the fence logged" grep -q "fenced: " "$RUN/h1/agent.log"
wait_for 10 "h1 alive again" agent_alive h1
wait_for 10 "h2's write on h1" reads h1 /pool/other x
# The write of the fenced host never reached the pool, and went locally.
wait_for 10 "the fenced write removed on h1" absent h1 /pool/during
absent h2 /pool/during || fail "the fenced write reached h2"
check_eq "etcd's /pool/during" "" "$(etcd_history /xenstore/data/pool/during)"
# And it works again.
xs h1 write /pool/after 2
wait_for 10 "a write after the fence" reads h2 /pool/after 2
stop_hosts
echo ok
