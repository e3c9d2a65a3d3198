# The agent killed (SIGKILL) and restarted again and again while its
# host writes: every write reaches etcd once, in order, none missed;
# the other host ends with the last one.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_cluster 3
start_host h1
start_host h2
start_agent h1
start_agent h2
wait_agent h1
wait_agent h2
N=300

(
	for i in $(seq 1 $N); do
		xs h1 write /pool/seq "$i" || exit 1
	done
) &
writer=$!
background $writer
for k in 1 2 3 4 5; do
	sleep 0.3
	stop_agent h1 KILL
	sleep 0.1
	start_agent h1
done
wait $writer || fail "writer"
wait_for 20 "the last write on h2" reads h2 /pool/seq $N
check_eq "etcd's history of /pool/seq" "$(seq 1 $N)" \
	"$(etcd_history /xenstore/data/pool/seq)"
# Restarted agents did take over (a slow one, under the sanitizers, may
# be killed again before it has registered).
[ "$(grep -c 'resynchronising: starting' "$RUN/h1/agent.log")" -ge 3 ] ||
	fail "h1's restarted agents never took over"
stop_hosts
echo ok
