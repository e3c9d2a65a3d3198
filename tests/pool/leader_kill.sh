# etcd's leader killed while two hosts write: the agents move to another
# member, and every write of each host reaches etcd once, in order, and
# the other host.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_cluster 3
start_host h1
start_host h2
start_agent h1
start_agent h2
wait_agent h1
wait_agent h2
N=200

for h in h1 h2; do
	(
		for i in $(seq 1 $N); do
			xs $h write /pool/$h "$i" || exit 1
		done
	) &
	eval "w_$h=\$!"
	background $!
done
sleep 0.5
leader=$(cluster leader)
cluster kill "$leader"
# The survivors' endpoints, for checking.
ENDPOINTS=$(for i in 1 2 3; do [ $i = "$leader" ] || cluster endpoint $i; done |
	paste -sd,)
wait "$w_h1" || fail "writer h1"
wait "$w_h2" || fail "writer h2"
wait_for 30 "h1's last write on h2" reads h2 /pool/h1 $N
wait_for 30 "h2's last write on h1" reads h1 /pool/h2 $N
for h in h1 h2; do
	check_eq "etcd's history of /pool/$h" "$(seq 1 $N)" \
		"$(etcd_history /xenstore/data/pool/$h)"
done
stop_hosts
echo ok
