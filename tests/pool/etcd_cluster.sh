# The test cluster itself: three members answer, survive the loss of
# their leader, and leave nothing behind in /dev/shm.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_cluster 3
set -- $(echo "$ENDPOINTS" | tr , ' ')
check_eq members 3 $#
etcd_put "$1" /t/a one || fail "put on member 1"
check_eq "read on member 3" one "$(etcd_get "$3" /t/a)"

leader=$(cluster leader)
cluster kill "$leader"
other=$((leader % 3 + 1))
url=$(cluster endpoint $other)
i=0
until etcd_put "$url" /t/b two; do
	i=$((i + 1))
	[ $i -gt 50 ] && fail "no write accepted 5 s after the leader died"
	sleep 0.1
done
check_eq "read after leader loss" two "$(etcd_get "$url" /t/b)"
new=$(cluster leader)
[ "$new" != "$leader" ] || fail "dead member $leader still leader"
cluster restart "$leader"
check_eq "restarted member caught up" two "$(etcd_get "$(cluster endpoint "$leader")" /t/b)"

data=$(readlink "$CLUSTER/data.1")
cluster stop
CLUSTER=""
[ ! -e "$data" ] || fail "data left in $data"
echo ok
