# What an operator can get wrong, and values etcd will not take: each
# gets a clear message, and the host keeps working (its xenstored serves,
# its agent retries or goes on).
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"
A="$BIN/xs-pool-agent"

# Options: refused at once, exit status 2.
bad() {
	want=$1
	shift
	if "$A" "$@" 2>"$RUN/err"; then fail "accepted: $*"; fi
	grep -q "$want" "$RUN/err" || fail "$*: $(cat "$RUN/err")"
}
bad "must be an http:// or https:// URL" --host h --etcd foo:2379
bad "needs its key" --host h --etcd http://127.0.0.1:1 --cert /x
bad "a host name has no '/'" --host a/b --etcd http://127.0.0.1:1
bad "usage" --etcd http://127.0.0.1:1
bad "cannot read /nonexistent" --host h --etcd http://x:1 --user u --password-file /nonexistent

start_host h1
# Nothing listens: the agent says so and retries; the host works.
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
	LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
AGENT_ENDPOINTS=http://127.0.0.1:$port start_agent h1
wait_for 10 "unreachable etcd logged" grep -q "lease grant at http://127.0.0.1:$port: .*onnect.*(retrying)" "$RUN/h1/agent.log"
xs h1 write /pool/x 1 || fail "xenstored with an unreachable etcd"
kill -0 "$(cat "$RUN/h1/agent.pid")" || fail "the agent gave up"
stop_agent h1

# Something that is not etcd.
python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1 &
background $!
wait_for 10 "a web server" curl -s "http://127.0.0.1:$port/"
AGENT_ENDPOINTS=http://127.0.0.1:$port start_agent h1
wait_for 10 "not etcd logged" grep -q "HTTP 501 from http://127.0.0.1:$port, not etcd's JSON" "$RUN/h1/agent.log"
stop_agent h1

# TLS to a server without it, and a CA file that is not there.
AGENT_ENDPOINTS=https://127.0.0.1:$port start_agent h1 --cacert /nonexistent/ca.pem
wait_for 10 "the bad CA logged" grep -q "lease grant at https://127.0.0.1:$port: .*(retrying)" "$RUN/h1/agent.log"
xs h1 write /pool/y 2 || fail "xenstored with a bad certificate"
stop_agent h1

# A value larger than etcd takes: refused, said, and the rest goes on.
ETCD_EXTRA="--max-request-bytes 2048 --max-txn-ops 8" start_cluster 1
start_host h2
start_agent h1
start_agent h2
wait_agent h1
wait_agent h2
big=$(head -c 3000 /dev/zero | tr '\0' v)
xs h1 write /pool/big "$big"
wait_for 10 "the refusal logged" grep -q "(/pool/big): etcd refused it: .*too large.*not in the pool" "$RUN/h1/agent.log"
xs h1 write /pool/small ok
wait_for 10 "a write after the refusal" reads h2 /pool/small ok
absent h2 /pool/big || fail "the large value reached h2"
check_eq "h1 keeps its value" "$big" "$(xs h1 read /pool/big)"
# A transaction of more keys than etcd's --max-txn-ops: refused, said
# with the option to raise, not split: none of it reaches h2.
{
	echo "1 start"; echo "> 1: OK"
	for i in $(seq 1 12); do echo "1 write /pool/many/k$i v$i"; echo "> 1: OK"; done
	echo "1 commit"; echo "> 1: OK"
} >"$RUN/many.script"
XENSTORED_PATH=$RUN/h1/socket "$TOOLS/xs-script" "$RUN/many.script" >/dev/null ||
	fail "the large transaction on h1"
wait_for 10 "the --max-txn-ops refusal logged" grep -q \
	"group [0-9]*: 1[23] changes, more than etcd's --max-txn-ops .*not split.*raise --max-txn-ops on every member" \
	"$RUN/h1/agent.log"
xs h1 write /pool/after ok
wait_for 10 "a write after the large transaction" reads h2 /pool/after ok
absent h2 /pool/many/k1 || fail "part of the large transaction reached h2"
check_eq "h1 keeps it" v12 "$(xs h1 read /pool/many/k12)"
stop_hosts
echo ok
