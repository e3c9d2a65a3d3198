# Two hosts share /pool both ways through a three-member cluster: a
# write, a transaction (one etcd revision, one local transaction on the
# other side, whose watch fires once), a removal of a subtree; /vm/<uuid>
# belongs to the host that wrote it first, and the other host's writes
# there stay local; nothing is echoed back.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_cluster 3
start_host h1
start_host h2
start_agent h1
start_agent h2
wait_agent h1
wait_agent h2

xs h1 write /pool/a 1
wait_for 10 "h1's write on h2" reads h2 /pool/a 1
xs h2 write /pool/b 2
wait_for 10 "h2's write on h1" reads h1 /pool/b 2

# A transaction on h1 is one etcd revision...
XENSTORED_PATH=$RUN/h1/socket "$TOOLS/xs-script" "$XS_TOP/tests/pool/txn.script" \
	>/dev/null || fail "transaction on h1"
wait_for 10 "the transaction on h2" reads h2 /pool/t/y two
reads h2 /pool/t/x one || fail "half a transaction on h2"
r1=$(etcdctl --endpoints "$ENDPOINTS" get /xenstore/data/pool/t/x -w json |
	sed 's/.*"mod_revision":\([0-9]*\).*/\1/')
r2=$(etcdctl --endpoints "$ENDPOINTS" get /xenstore/data/pool/t/y -w json |
	sed 's/.*"mod_revision":\([0-9]*\).*/\1/')
check_eq "one etcd revision for one transaction" "$r1" "$r2"

# ... and its removal one more; the subtree goes on h2.
xs h1 rm /pool/t
wait_for 10 "the removal on h2" absent h2 /pool/t

# A removal is of a subtree, however large (the daemon frees a large one
# over several turns): one etcd revision, gone on h2, nothing left in etcd.
# (xenstore-write makes one transaction of its arguments: 100 at a time,
# under etcd's 128 operations a transaction.)
for c in $(seq 0 14); do
	args=""
	for i in $(seq $((c * 100 + 1)) $((c * 100 + 100))); do
		args="$args /pool/big/n$i $i"
	done
	xs h1 write $args
done
wait_for 20 "the large subtree on h2" reads h2 /pool/big/n1500 1500
xs h1 rm /pool/big
wait_for 10 "the large removal on h2" absent h2 /pool/big
check_eq "keys left under /pool/big" 0 \
	"$(etcdctl --endpoints "$ENDPOINTS" get --prefix --keys-only /xenstore/data/pool/big |
		grep -c . || true)"
# A transaction replacing a subtree: the old children go, new ones stay.
xs h1 write /pool/r/old 1 /pool/r/keep 1
wait_for 10 "/pool/r on h2" reads h2 /pool/r/keep 1
XENSTORED_PATH=$RUN/h1/socket "$TOOLS/xs-script" "$XS_TOP/tests/pool/replace.script" \
	>/dev/null || fail "replacing transaction on h1"
wait_for 10 "the replacement on h2" reads h2 /pool/r/new 2
absent h2 /pool/r/old || fail "a replaced child stayed on h2"
check_eq "h2's /pool/r" "keep
new" "$(xs h2 list /pool/r | sort)"

# Nothing echoed: each value was put once.
check_eq "history of /pool/a" 1 "$(etcd_history /xenstore/data/pool/a)"
check_eq "history of /pool/b" 2 "$(etcd_history /xenstore/data/pool/b)"

# /vm/<uuid>: h1 writes first and owns it; h2 reads it, its own write
# there stays local and is logged.
xs h1 write /vm/u1/name guest1
wait_for 10 "h1's guest on h2" reads h2 /vm/u1/name guest1
check_eq owner h1 "$(etcdctl --endpoints "$ENDPOINTS" get --print-value-only /xenstore/owner/u1)"
xs h2 write /vm/u1/name bogus
wait_for 10 "h2's refusal logged" grep -q "/vm/u1/name belongs to another host" "$RUN/h2/agent.log"
check_eq "h1's guest after h2's write" guest1 "$(xs h1 read /vm/u1/name)"
check_eq "etcd after h2's write" guest1 \
	"$(etcdctl --endpoints "$ENDPOINTS" get --print-value-only /xenstore/data/vm/u1/name)"

# Liveness: both hosts alive, on leases.
check_eq hosts "h1
h2" "$(etcdctl --endpoints "$ENDPOINTS" get --prefix --print-value-only /xenstore/hosts/ |
	grep -v '^[0-9]*$' | sort)"
stop_hosts
echo ok
