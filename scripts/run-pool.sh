#!/bin/sh
# SPDX-License-Identifier: MIT
# `make run-pool`: a pool of two simulated hosts (docs/pool.md) in
# build/run-pool: a private etcd cluster of three members on loopback
# (scripts/etcd-cluster.sh, data on /dev/shm), hosts h1 and h2 (each
# `xsim start --pool ENDPOINTS --host NAME`: hypervisor, xenstored,
# dom0's drivers and the pool agent), a guest on each; shows a write to
# /pool on one host read on the other, each guest's /vm/<uuid> on both,
# and `xsim list` with the pool's hosts, then runs until Ctrl-C, which
# takes everything down again.
set -e
BIN=${1:-build/bin}
TOP=$(cd "$(dirname "$0")/.." && pwd)
RUN=${POOL_RUNDIR:-$(pwd)/build/run-pool}
XSIM="$BIN/xsim"
EXAMPLES=$TOP/tools/xsim/examples
mkdir -p "$RUN"
# A pool left over from an earlier run goes first.
for h in h1 h2; do XSIM_RUNDIR=$RUN/$h "$XSIM" stop >/dev/null 2>&1 || true; done
sh "$TOP/scripts/etcd-cluster.sh" stop "$RUN/etcd" >/dev/null 2>&1 || true

stopping=""
stop() {
	[ -n "$stopping" ] && return
	stopping=1
	echo
	echo "Stopping the pool..."
	for h in h1 h2; do XSIM_RUNDIR=$RUN/$h "$XSIM" stop || true; done
	sh "$TOP/scripts/etcd-cluster.sh" stop "$RUN/etcd"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

EPS=$(sh "$TOP/scripts/etcd-cluster.sh" start "$RUN/etcd" 3)
i=1
for h in h1 h2; do
	export XSIM_RUNDIR=$RUN/$h XENSTORED_PATH=$RUN/$h/xenstored/socket
	"$XSIM" start --pool "$EPS" --host $h
	rm -f "$RUN/$h/guest$i.img"
	dd if=/dev/zero of="$RUN/$h/guest$i.img" bs=1 count=0 seek=64M 2>/dev/null
	"$XSIM" create "$EXAMPLES/guest$i.cfg" \
		"disk=['format=raw, vdev=xvda, access=rw, target=$RUN/$h/guest$i.img']"
	"$XSIM" wait -t 20 guest$i
	i=$((i + 1))
done
x() { h=$1; shift; XENSTORED_PATH=$RUN/$h/xenstored/socket "$@"; }
x h1 "$BIN/xenstore-write" /pool/motd "hello from h1"
n=0
until [ "$(x h2 "$BIN/xenstore-read" /pool/motd 2>/dev/null)" = "hello from h1" ]; do
	n=$((n + 1))
	[ $n -gt 100 ] && { echo "h1's write did not reach h2"; exit 1; }
	sleep 0.05
done
echo "A pool of two simulated hosts runs in $RUN, etcd at $EPS"
for h in h1 h2; do
	echo
	echo "$h: xsim list"
	XSIM_RUNDIR=$RUN/$h "$XSIM" list
	echo "$h: xenstore-ls -f /pool /vm"
	x $h "$BIN/xenstore-ls" -f /pool
	x $h "$BIN/xenstore-ls" -f /vm
done
cat <<MSG

Talk to a host from another shell:
  export XSIM_RUNDIR=$RUN/h2 XENSTORED_PATH=$RUN/h2/xenstored/socket
  $BIN/xenstore-write /pool/motd "hello from h2"   # and read it on h1
  $BIN/xenstore-watch /pool                         # h1's writes fire it
  etcdctl --endpoints $EPS get --prefix /xenstore/
Logs: $RUN/h1/pool-agent.log, $RUN/h1/xenstored.log, ...;
etcd: $RUN/etcd/etcd.<n>.log.  Ctrl-C stops the pool.
MSG
while kill -0 "$(cat "$RUN/h1/pool-agent.pid")" 2>/dev/null &&
	kill -0 "$(cat "$RUN/h2/pool-agent.pid")" 2>/dev/null; do
	sleep 1
done
echo "a pool agent is gone; see $RUN/h1/pool-agent.log and $RUN/h2/pool-agent.log"
