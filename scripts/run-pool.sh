#!/bin/sh
# SPDX-License-Identifier: MIT
# `make run-pool`: a pool of two simulated hosts (docs/pool.md) in
# build/run-pool: a private etcd cluster of three members on loopback
# (scripts/etcd-cluster.sh, data on /dev/shm), hosts h1 and h2 (each
# `xsim start --pool ENDPOINTS --host NAME`: hypervisor, xenstored,
# dom0's drivers, the pool agent and the migration receiver); shows a
# write to /pool on one host read on the other; creates guest1 with a
# disk and a network card on h1, shows the pool (`xsim list`: which guest
# runs where), migrates guest1 to h2 (`xsim migrate`), waits until its
# devices are Connected there, and shows the pool again; then runs until
# Ctrl-C, which takes everything down again.
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
for h in h1 h2; do
	XSIM_RUNDIR=$RUN/$h "$XSIM" start --pool "$EPS" --host $h
done
x() { h=$1; shift; XENSTORED_PATH=$RUN/$h/xenstored/socket "$@"; }
xsim() { h=$1; shift; XSIM_RUNDIR=$RUN/$h XENSTORED_PATH=$RUN/$h/xenstored/socket "$XSIM" "$@"; }
show() {
	for h in h1 h2; do
		echo "$h: xsim list"
		xsim $h list | sed 's/^/    /'
	done
}
x h1 "$BIN/xenstore-write" /pool/motd "hello from h1"
n=0
until [ "$(x h2 "$BIN/xenstore-read" /pool/motd 2>/dev/null)" = "hello from h1" ]; do
	n=$((n + 1))
	[ $n -gt 100 ] && { echo "h1's write did not reach h2"; exit 1; }
	sleep 0.05
done
echo "A pool of two simulated hosts runs in $RUN, etcd at $EPS;"
echo "h1 wrote /pool/motd, h2 reads \"$(x h2 "$BIN/xenstore-read" /pool/motd)\"."
# The disk is where both hosts see it (shared storage, as a migration needs).
rm -f "$RUN/guest1.img"
dd if=/dev/zero of="$RUN/guest1.img" bs=1 count=0 seek=64M 2>/dev/null
xsim h1 create "$EXAMPLES/guest1.cfg" \
	"disk=['format=raw, vdev=xvda, access=rw, target=$RUN/guest1.img']"
xsim h1 wait -t 20 guest1
id=$(xsim h1 domid guest1)
vm=$(x h1 "$BIN/xenstore-read" /local/domain/$id/vm)
echo
echo "guest1 runs on h1 (domain $id), its devices Connected:"
show
echo "$vm on h2, a replica of h1's:"
x h2 "$BIN/xenstore-ls" -f "$vm" | sed 's/^/    /'
echo
echo "xsim migrate guest1 h2"
start=$(date +%s.%N)
xsim h1 migrate guest1 h2
xsim h2 wait -t 20 guest1
echo "... done in $(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $start }") s; guest1 is domain $(xsim h2 domid guest1) on h2, its devices Connected again:"
xsim h2 block-list guest1 | sed 's/^/    /'
xsim h2 network-list guest1 | sed 's/^/    /'
show
echo "$vm on h2, now its owner:"
x h2 "$BIN/xenstore-ls" -f "$vm" | sed 's/^/    /'
cat <<MSG

Talk to a host from another shell:
  export XSIM_RUNDIR=$RUN/h2 XENSTORED_PATH=$RUN/h2/xenstored/socket
  $BIN/xenstore-write /pool/motd "hello from h2"   # and read it on h1
  $XSIM migrate guest1 h1                      # and back
  $BIN/xenstore-watch /pool                         # h1's writes fire it
  etcdctl --endpoints $EPS get --prefix /xenstore/
Logs: $RUN/h1/pool-agent.log, $RUN/h2/migrate-receiver.log,
$RUN/h1/xenstored.log, ...;
etcd: $RUN/etcd/etcd.<n>.log.  Ctrl-C stops the pool.
MSG
while kill -0 "$(cat "$RUN/h1/pool-agent.pid")" 2>/dev/null &&
	kill -0 "$(cat "$RUN/h2/pool-agent.pid")" 2>/dev/null; do
	sleep 1
done
echo "a pool agent is gone; see $RUN/h1/pool-agent.log and $RUN/h2/pool-agent.log"
