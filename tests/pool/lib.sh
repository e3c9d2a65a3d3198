# Helpers for the pool's tests (sourced after tests/lib.sh): a private
# etcd cluster (scripts/etcd-cluster.sh) stopped when the test ends, and
# etcd's v3 JSON gateway through curl.
CLUSTER=""
# cleanup (tests/lib.sh) exits: run it after the cluster is down.
# POOL_ON_EXIT: a command to run first when the test ends (xsim stop).
POOL_ON_EXIT=""
pool_exit() {
	st=$1
	[ -n "$POOL_ON_EXIT" ] && $POOL_ON_EXIT
	if [ $st -ne 0 ]; then
		[ -n "${POOL_KEEP_LOGS:-}" ] &&
			cp -r "$RUN" "$POOL_KEEP_LOGS" 2>/dev/null
		for f in "$RUN"/*/agent.log "$RUN"/*/daemon.err; do
			[ -s "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
		done
	fi
	[ -n "$CLUSTER" ] && sh "$XS_TOP/scripts/etcd-cluster.sh" stop "$CLUSTER"
	return $st
}
# The test's status goes through pool_exit to cleanup's $?; set -e must
# not stop the trap half-way (set +e itself resets $?: taken first).
trap 'st0=$?; set +e; pool_exit $st0; cleanup' EXIT INT TERM

# start_cluster [N]: N members (3), their endpoints in $ENDPOINTS.
start_cluster() {
	CLUSTER=$RUN/etcd
	ENDPOINTS=$(sh "$XS_TOP/scripts/etcd-cluster.sh" start "$CLUSTER" "${1:-3}")
}
cluster() { sh "$XS_TOP/scripts/etcd-cluster.sh" "$1" "$CLUSTER" ${2:+"$2"}; }

b64() { printf %s "$1" | base64 -w0; }

# etcd_put URL KEY VALUE, etcd_get URL KEY (prints the value, or nothing)
etcd_put() {
	curl -sf -m 5 -X POST -d "{\"key\":\"$(b64 "$2")\",\"value\":\"$(b64 "$3")\"}" \
		"$1/v3/kv/put" >/dev/null
}
etcd_get() {
	curl -sf -m 5 -X POST -d "{\"key\":\"$(b64 "$2")\"}" "$1/v3/kv/range" |
		sed -n 's/.*"value":"\([^"]*\)".*/\1/p' | base64 -d
}

# start_host NAME: a xenstored of its own in $RUN/NAME (its database
# beside it, so that it keeps a change stream).
start_host() {
	mkdir -p "$RUN/$1"
	XENSTORED_RUNDIR=$RUN/$1 "$BIN/xenstored" -N -F "$RUN/$1/pid" \
		2>"$RUN/$1/daemon.err" &
	echo $! >"$RUN/$1/daemon.pid"
	background $!
	i=0
	while [ ! -S "$RUN/$1/socket" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && fail "host $1: xenstored did not start"
		sleep 0.05
	done
}

# start_agent NAME [options]: the host's pool agent, logging to
# $RUN/NAME/agent.log (appended: restarts keep the history).
start_agent() {
	h=$1
	shift
	"$BIN/xs-pool-agent" --host "$h" --etcd "${AGENT_ENDPOINTS:-$ENDPOINTS}" \
		--socket "$RUN/$h/socket" --ttl "${AGENT_TTL:-3}" "$@" \
		>>"$RUN/$h/agent.log" 2>&1 &
	echo $! >"$RUN/$h/agent.pid"
	background $!
}

# stop_agent NAME [SIGNAL]
stop_agent() {
	p=$(cat "$RUN/$1/agent.pid")
	kill "-${2:-TERM}" "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true # our child: kill -0 holds for a zombie
}

# xs NAME TOOL ARGS...: a xenstore-TOOL on host NAME
xs() {
	h=$1
	t=$2
	shift 2
	XENSTORED_PATH=$RUN/$h/socket "$BIN/xenstore-$t" "$@"
}

# wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds.
wait_for() {
	n=$(($1 * 20))
	d=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -le 0 ] && fail "after ${d}: timed out"
		sleep 0.05
	done
}

# reads NAME PATH VALUE: host NAME reads VALUE at PATH
reads() { [ "$(xs "$1" read "$2" 2>/dev/null)" = "$3" ]; }
# absent NAME PATH
absent() { ! xs "$1" exists "$2" 2>/dev/null; }

# etcd_history KEY: every value KEY ever had in etcd, oldest first, one
# a line (from revision 1; the tests never compact).
etcd_history() {
	timeout 3 etcdctl --endpoints "$ENDPOINTS" watch --rev=1 "$1" \
		2>/dev/null | awk 'NR % 3 == 0' || true
}

# Stop every agent first, so that none logs a dying cluster.
stop_hosts() {
	for f in "$RUN"/*/agent.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

# wait_agent NAME: until the host's agent is alive in etcd (it has
# registered with its daemon's change stream by then).
agent_alive() {
	[ -n "$(etcdctl --endpoints "$ENDPOINTS" get --print-value-only \
		/xenstore/hosts/$1/alive 2>/dev/null)" ]
}
wait_agent() { wait_for 10 "agent $1 up" agent_alive "$1"; }

# start_agent_pair: a cluster of three, hosts h1 and h2 (a xenstored and
# an agent each, start_host and start_agent), both agents alive in etcd.
# AGENT_TTL and XENSTORED_HOLD_WAIT_MS, set before, apply.
start_agent_pair() {
	start_cluster 3
	start_host h1
	start_host h2
	start_agent h1
	start_agent h2
	wait_agent h1
	wait_agent h2
}

# in_etcd VALUE: /pool/v in etcd is VALUE (the held-commit tests' node).
in_etcd() {
	[ "$(etcdctl --endpoints "$ENDPOINTS" get --print-value-only \
		/xenstore/data/pool/v 2>/dev/null)" = "$1" ]
}

# start_xsim_pair: a cluster of three and two simulated hosts h1 and h2
# (xsim start --pool, run directories $RUN/xh1 and $RUN/xh2, stopped when
# the test ends), each listing both hosts alive.  Then xsim1/xsim2 run
# xsim and x1/x2 a xenstore-TOOL on h1/h2.
xsim1() { XSIM_RUNDIR=$RUN/xh1 "$BIN/xsim" "$@"; }
xsim2() { XSIM_RUNDIR=$RUN/xh2 "$BIN/xsim" "$@"; }
x1() { XENSTORED_PATH=$RUN/xh1/xenstored/socket "$BIN/xenstore-$@"; }
x2() { XENSTORED_PATH=$RUN/xh2/xenstored/socket "$BIN/xenstore-$@"; }
stop_sims() {
	for h in h1 h2; do XSIM_RUNDIR=$RUN/x$h "$BIN/xsim" stop 2>/dev/null; done
	return 0
}
# lists_both N: host hN's list shows both hosts alive.
lists_both() {
	XSIM_RUNDIR=$RUN/xh$1 "$BIN/xsim" list |
		grep -q "^Pool: this host is h$1; hosts alive: h1 h2\$"
}
start_xsim_pair() {
	POOL_ON_EXIT=stop_sims
	start_cluster 3
	for h in h1 h2; do
		XSIM_RUNDIR=$RUN/x$h "$BIN/xsim" start --pool "$ENDPOINTS" \
			--host $h || fail "xsim start $h"
	done
	wait_for 10 "both hosts in h1's list" lists_both 1
	wait_for 10 "both hosts in h2's list" lists_both 2
}
