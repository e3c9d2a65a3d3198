#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench-pool`: replication latency of the pool (docs/pool.md):
# a private etcd cluster of POOL_MEMBERS (3) on loopback, two hosts
# (xenstored and xs-pool-agent each), POOL_WRITES (1000) writes of
# /pool/lat on the first, each timed until the second's watch reads it.
set -eu
B=${1:-build}
TOP=$(pwd)
RUN=$(mktemp -d /tmp/pool-bench.XXXXXX)
pids=""
done_() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	sh "$TOP/scripts/etcd-cluster.sh" stop "$RUN/etcd" >/dev/null 2>&1 || true
	rm -rf "$RUN"
}
trap done_ EXIT INT TERM
eps=$(sh "$TOP/scripts/etcd-cluster.sh" start "$RUN/etcd" "${POOL_MEMBERS:-3}")
for h in h1 h2; do
	mkdir -p "$RUN/$h"
	XENSTORED_RUNDIR=$RUN/$h "$B/bin/xenstored" -N -F "$RUN/$h/pid" &
	pids="$pids $!"
	while [ ! -S "$RUN/$h/socket" ]; do sleep 0.05; done
	"$B/bin/xs-pool-agent" --host $h --etcd "$eps" --socket "$RUN/$h/socket" \
		2>"$RUN/$h/agent.log" &
	pids="$pids $!"
done
until etcdctl --endpoints "$eps" get --prefix /xenstore/hosts/ --keys-only |
	grep -q h2/alive; do sleep 0.1; done
sleep 0.5
echo "etcd: ${POOL_MEMBERS:-3} members on loopback, data on /dev/shm"
"$B/tests/pool-lat" "$RUN/h1/socket" "$RUN/h2/socket" "${POOL_WRITES:-1000}"
