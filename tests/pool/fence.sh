# An agent paused (SIGSTOP) past its lease is fenced: the pool sees its
# host gone, and when it wakes it publishes nothing it held from before:
# the write its host made meanwhile is logged as lost and etcd's state
# wins; it gets a new lease and goes on.  Its guest is migrated away
# meanwhile (the owner key's compare-and-swap, as the migration's own
# transaction makes it: the paused agent cannot take part, as a host cut
# off could not): the stale write its host made to the guest's /vm is
# refused too, and the new owner's value wins on h1 as well.
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

U=0b5e6a1c-0000-4000-8000-000000000001
owner() { etcdctl --endpoints "$ENDPOINTS" get --print-value-only /xenstore/owner/$U; }
xs h1 write /vm/$U/state running-on-h1
xs h1 write /pool/before 1
wait_for 10 "a write before the pause" reads h2 /pool/before 1
wait_for 10 "h1's guest on h2" reads h2 /vm/$U/state running-on-h1
check_eq "the guest's owner" h1 "$(owner)"
stop_agent_pid=$(cat "$RUN/h1/agent.pid")
kill -STOP "$stop_agent_pid"
xs h1 write /pool/during paused
xs h1 write /vm/$U/state stale-from-h1
wait_for 10 "h1's lease to expire" sh -c "! etcdctl --endpoints $ENDPOINTS get --print-value-only /xenstore/hosts/h1/alive | grep -q h1"
# Meanwhile the pool moves on without h1, and its guest goes to h2.
xs h2 write /pool/other x
k=$(b64 /xenstore/owner/$U)
curl -sf -m 5 -X POST "${ENDPOINTS%%,*}/v3/kv/txn" -d "{\"compare\":[{\"key\":\"$k\",
	\"target\":\"VALUE\",\"result\":\"EQUAL\",\"value\":\"$(b64 h1)\"}],
	\"success\":[{\"request_put\":{\"key\":\"$k\",\"value\":\"$(b64 h2)\"}}]}" \
	>"$RUN/txn.out" || fail "the hand-over's transaction"
grep -q '"succeeded":true' "$RUN/txn.out" || fail "the hand-over: $(cat "$RUN/txn.out")"
owned() { xs h2 read /tool/pool/owner/$U 2>/dev/null | grep -qx h2; }
wait_for 10 "h2 sees it owns the guest" owned
xs h2 write /vm/$U/state running-on-h2
kill -CONT "$stop_agent_pid"
wait_for 10 "the fence logged" grep -q "fenced: " "$RUN/h1/agent.log"
wait_for 10 "h1 alive again" agent_alive h1
wait_for 10 "h2's write on h1" reads h1 /pool/other x
# The write of the fenced host never reached the pool, and went locally.
wait_for 10 "the fenced write removed on h1" absent h1 /pool/during
absent h2 /pool/during || fail "the fenced write reached h2"
check_eq "etcd's /pool/during" "" "$(etcd_history /xenstore/data/pool/during)"
# Nor did its stale write to the guest it lost; the new owner's is
# everywhere.
wait_for 10 "the new owner's /vm on h1" reads h1 /vm/$U/state running-on-h2
check_eq "etcd's history of the guest's state" "running-on-h1
running-on-h2" "$(etcd_history /xenstore/data/vm/$U/state)"
check_eq "the guest's owner" h2 "$(owner)"
xs h1 write /vm/$U/state stale-again
sleep 1
check_eq "etcd after h1 wrote to h2's guest" running-on-h2 \
	"$(etcdctl --endpoints "$ENDPOINTS" get --print-value-only /xenstore/data/vm/$U/state)"
# And it works again.
xs h1 write /pool/after 2
wait_for 10 "a write after the fence" reads h2 /pool/after 2
stop_hosts
echo ok
