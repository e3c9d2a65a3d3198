# Two hosts increment one /pool counter, each in local transactions
# (read, add one, commit; again on EAGAIN).  A commit under /pool waits
# for its agent's verdict: an increment whose host had not yet seen the
# other's latest loses in etcd, is logged, and its client gets EAGAIN
# once the winner is in its tree, so it retries: no increment is lost.
# The counter everyone ends with is every increment made, and etcd's
# history is 0, 1, ..., 2N: each value published once.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_cluster 3
start_host h1
start_host h2
start_agent h1
start_agent h2
wait_agent h1
wait_agent h2
N=150

xs h1 write /pool/counter 0
wait_for 10 "the counter on h2" reads h2 /pool/counter 0
for h in h1 h2; do
	XENSTORED_PATH=$RUN/$h/socket "$TOOLS/pool-incr" /pool/counter $N \
		>"$RUN/$h.incr" &
	eval "w_$h=\$!"
	background $!
done
wait "$w_h1" || fail "h1's increments"
wait "$w_h2" || fail "h2's increments"
sleep 1
final=$(etcdctl --endpoints "$ENDPOINTS" get --print-value-only /xenstore/data/pool/counter)
wait_for 10 "h1 at etcd's value" reads h1 /pool/counter "$final"
wait_for 10 "h2 at etcd's value" reads h2 /pool/counter "$final"
lost=$(cat "$RUN"/h1/agent.log "$RUN"/h2/agent.log | grep -c "/pool/counter lost to a newer write" || true)
echo "counter $final after $((2 * N)) increments; $lost commits lost in etcd and retried"
check_eq "every increment" $((2 * N)) "$final"
# Every value in etcd's history appears once: increasing by one each.
hist=$(etcd_history /xenstore/data/pool/counter)
check_eq "history" "$(seq 0 $((2 * N)))" "$hist"
# None waited for want of a verdict (its increment could have been lost).
! grep "no verdict" "$RUN"/h1/daemon.err "$RUN"/h2/daemon.err ||
	fail "a commit was answered without a verdict"
stop_hosts
echo ok
