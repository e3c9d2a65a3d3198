# A host restarted while etcd compacts: h2 (daemon and agent) stops,
# h1 changes the pool meanwhile (values rewritten, a node removed, one
# made), etcd compacts its history past all of it, and h2 comes back
# with its old store: it converges to the pool, removal included, and
# its own change made while it was away reaches h1.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_cluster 3
start_host h1
start_host h2
start_agent h1
start_agent h2
wait_agent h1
wait_agent h2
for i in 1 2 3 4 5 6 7 8; do xs h1 write /pool/a/k$i one; done
xs h1 write /pool/gone x
wait_for 10 "h1's writes on h2" reads h2 /pool/gone x
wait_for 10 "h1's writes on h2" reads h2 /pool/a/k8 one

stop_agent h2
kill "$(cat "$RUN/h2/daemon.pid")"
wait "$(cat "$RUN/h2/daemon.pid")" 2>/dev/null || true
rm -f "$RUN/h2/socket" "$RUN/h2/socket_ro"
for i in 1 2 3 4 5 6 7 8; do xs h1 write /pool/a/k$i two; done
xs h1 rm /pool/gone
xs h1 write /pool/new made
wait_for 10 "h1's changes in etcd" test \
	"$(etcdctl --endpoints "$ENDPOINTS" get --print-value-only /xenstore/data/pool/new)" = made
rev=$(etcdctl --endpoints "$ENDPOINTS" put /compact-here x -w json |
	sed -n 's/.*"revision":\([0-9]*\).*/\1/p')
[ -n "$rev" ] || fail "no revision to compact at"
etcdctl --endpoints "$ENDPOINTS" compact "$rev" >/dev/null || fail "compact"
# etcd has forgotten the history h2 missed: only its present is left.
etcdctl --endpoints "$ENDPOINTS" watch --rev=2 /xenstore/data/pool/gone \
	>"$RUN/watch.out" 2>&1 &
w=$!
sleep 1
kill $w 2>/dev/null || true
grep -qi "compacted" "$RUN/watch.out" || fail "etcd did not compact: $(cat "$RUN/watch.out")"

start_host h2
check_eq "h2's old store" one "$(xs h2 read /pool/a/k1)"
xs h2 write /pool/from-h2 back
start_agent h2
wait_agent h2
for i in 1 2 3 4 5 6 7 8; do
	wait_for 10 "/pool/a/k$i on h2" reads h2 /pool/a/k$i two
done
wait_for 10 "/pool/new on h2" reads h2 /pool/new made
wait_for 10 "/pool/gone removed on h2" absent h2 /pool/gone
wait_for 10 "h2's write on h1" reads h1 /pool/from-h2 back
check_eq "h1 keeps its values" two "$(xs h1 read /pool/a/k3)"
stop_hosts
echo ok
