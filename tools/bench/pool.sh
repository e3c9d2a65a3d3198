#!/bin/sh
# SPDX-License-Identifier: MIT
# `make bench-pool`, and the pool group of `make bench` (docs/pool.md):
# a private etcd cluster of POOL_MEMBERS (3) on loopback, then
#  1. replication latency: two hosts (xenstored and xs-pool-agent each),
#     POOL_WRITES (1000) writes of /pool/lat on the first, each timed
#     until the second's watch reads it (tests/tools/pool-lat);
#  2. mirrored commits/s: POOL_MIRROR (3000) writes under /pool back to
#     back on the first host, until the last is on the second
#     (tests/tools/pool-mirror);
#  3. the local daemon with its agent running and without one: xs-bench
#     seq and tput (its nodes are under /bench, which the agent does not
#     share: the agent's cost to ordinary traffic), and local writes
#     under /pool (each also a group of the change stream); side by side
#     with their ratio, and the issue's target (within 10 %) judged
#     (agent-cost.sh), in the table POOL_TABLE names (run.sh prints it)
#     and on stderr;
#  4. migration: two simulated hosts (xsim start --pool), a guest with a
#     disk and a NIC moved back and forth POOL_MIGRATIONS (5) times, each
#     timed from `xsim migrate` until its devices are Connected on the
#     target (xsim wait); p50 and max.
# Prints RESULT lines in xs-bench's format on stdout, and the same as
# "figure: value unit" lines on stderr.  2 cores shared with etcd's three
# members and both agents: the with/without figures are medians of
# POOL_ROUNDS (3; QUICK: 2, and xs-bench -q) rounds of both back to
# back, not pinned: pinned to one CPU, a daemon waits behind etcd's.
#
#   sh tools/bench/pool.sh [BINDIR] [QUICK]
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
T=$(cd "$BIN/../tests" && pwd)
QUICK=${2:-}
TOP=$(pwd)
RUN=$(mktemp -d /tmp/pool-bench.XXXXXX)
pids=""
WRITES=${POOL_WRITES:-1000}
MIRROR=${POOL_MIRROR:-3000}
MIGS=${POOL_MIGRATIONS:-5}
ROUNDS=${POOL_ROUNDS:-3}
BENCH_Q="-n 5000 -o 20000" # a quarter of xs-bench's default work
if [ -n "$QUICK" ]; then
	WRITES=200
	MIRROR=500
	MIGS=3
	ROUNDS=2
	BENCH_Q=-q
fi
done_() {
	show
	for h in m1 m2; do
		[ -d "$RUN/$h" ] && XSIM_RUNDIR=$RUN/$h "$BIN/xsim" stop >/dev/null 2>&1
	done
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	sh "$TOP/scripts/etcd-cluster.sh" stop "$RUN/etcd" >/dev/null 2>&1 || true
	rm -rf "$RUN"
}
trap done_ EXIT INT TERM
result() {
	printf 'RESULT\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RUN/results"
}
# At the end, whatever the exit: the figures measured so far.
show() {
	[ -s "$RUN/results" ] || return 0
	cat "$RUN/results"
	awk -F '\t' '{ printf "%s: %s %s\n", $5, $3, $4 }' "$RUN/results" >&2
}
# xenstored NAME: a daemon with its database (so with a change stream)
daemon() {
	mkdir -p "$RUN/$1"
	XENSTORED_RUNDIR=$RUN/$1 "$BIN/xenstored" -N -F "$RUN/$1/pid" &
	pids="$pids $!"
	while [ ! -S "$RUN/$1/socket" ]; do sleep 0.05; done
}
# xs-bench's seq and tput on SOCKET, the keys prefixed with PREFIX.
local_figures() {
	"$BIN/xs-bench" -s "$1" $BENCH_Q -t seq,tput -k "$2" -T "$3" |
		grep '^RESULT' || true
}

members=${POOL_MEMBERS:-3}
eps=$(sh "$TOP/scripts/etcd-cluster.sh" start "$RUN/etcd" "$members")
echo "# etcd: $members members on loopback, data on /dev/shm" >&2
for h in h1 h2; do
	daemon $h
	"$BIN/xs-pool-agent" --host $h --etcd "$eps" --socket "$RUN/$h/socket" \
		2>"$RUN/$h/agent.log" &
	pids="$pids $!"
done
until etcdctl --endpoints "$eps" get --prefix /xenstore/hosts/ --keys-only |
	grep -q h2/alive; do sleep 0.1; done
sleep 0.5

# 1.
"$T/pool-lat" "$RUN/h1/socket" "$RUN/h2/socket" "$WRITES" >"$RUN/lat"
set -- $(sed 's/.*p50 \([0-9.]*\) ms, p90 \([0-9.]*\) ms, p99 \([0-9.]*\) ms, max \([0-9.]*\) ms/\1 \2 \3 \4/' "$RUN/lat")
result pool.repl.p50 "$1" ms "pool: replication, write to the other host's watch, p50 ($members etcd members)"
result pool.repl.p99 "$3" ms "pool: replication, write to the other host's watch, p99 ($members etcd members)"

# 2.
"$T/pool-mirror" "$RUN/h1/socket" "$RUN/h2/socket" "$MIRROR" >"$RUN/mirror"
result pool.mirror "$(sed -n 's/^mirrored commits: .*, \([0-9]*\) commits\/s$/\1/p' "$RUN/mirror")" \
	commits/s "pool: mirrored commits/s, one host writing $MIRROR, until all are on the other"

# 3. The agent's host (h1) and a daemon without one (h0), alternating
# the order from round to round so that neither is favoured.
daemon h0
# Until h2 has h1's marker $1: h1's agent has published its backlog of
# /pool writes, whose etcd transactions would otherwise slow whatever
# runs next (the other side, every other round).
drained() {
	XENSTORED_PATH=$RUN/h1/socket "$BIN/xenstore-write" /pool/drained "$1"
	i=0
	until [ "$(XENSTORED_PATH=$RUN/h2/socket "$BIN/xenstore-read" \
		/pool/drained 2>/dev/null)" = "$1" ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || { echo "# h1's agent still busy after 2 minutes" >&2; return 0; }
		sleep 0.1
	done
}
with() {
	local_figures "$RUN/h1/socket" "agent$1." "[agent] " >>"$RUN/with"
	"$T/pool-mirror" "$RUN/h1/socket" - "$MIRROR" >>"$RUN/pw"
	drained "round $1"
}
without() {
	local_figures "$RUN/h0/socket" "alone$1." "" >>"$RUN/without"
	"$T/pool-mirror" "$RUN/h0/socket" - "$MIRROR" >>"$RUN/pa"
}
r=1
while [ $r -le "$ROUNDS" ]; do
	if [ $((r % 2)) -eq 1 ]; then with $r; without $r; else without $r; with $r; fi
	r=$((r + 1))
done
# The local WRITEs under /pool as one more figure of each side.
awk -v t="local WRITEs under /pool, back to back" '{ printf "RESULT\tagent%d.poolwrites\t%s\tops/s\t[agent] %s\n", NR, $5, t }' "$RUN/pw" >>"$RUN/with"
awk -v t="local WRITEs under /pool, back to back" '{ printf "RESULT\talone%d.poolwrites\t%s\tops/s\t%s\n", NR, $5, t }' "$RUN/pa" >>"$RUN/without"
# Side by side, the ratios and the target's verdict (agent-cost.sh).
sh "$TOP/tools/bench/agent-cost.sh" "$RUN/with" "$RUN/without" "$ROUNDS" \
	"$RUN/side.md" >>"$RUN/results"
[ -n "${POOL_TABLE:-}" ] && cp "$RUN/side.md" "$POOL_TABLE"
echo "# $(tail -n 1 "$RUN/side.md")" >&2

# 4. The bare hosts leave; two simulated hosts join.
for p in $pids; do kill "$p" 2>/dev/null || true; done
pids=""
for h in m1 m2; do
	XSIM_RUNDIR=$RUN/$h "$BIN/xsim" start --pool "$eps" --host $h >&2
done
xs() { h=$1; shift; XSIM_RUNDIR=$RUN/$h XENSTORED_PATH=$RUN/$h/xenstored/socket "$BIN/xsim" "$@"; }
until xs m1 list | grep -q 'hosts alive: m1 m2$'; do sleep 0.1; done
dd if=/dev/zero of="$RUN/g.img" bs=1 count=0 seek=8M 2>/dev/null
printf 'name = "g"\nvcpus = 2\nextra = "sleep"\ndisk = [ "%s,raw,xvda,w" ]\nvif = [ "bridge=xenbr0" ]\n' \
	"$RUN/g.img" >"$RUN/g.cfg"
xs m1 create "$RUN/g.cfg" >&2
xs m1 wait -t 20 g
from=m1
to=m2
i=0
: >"$RUN/mig"
while [ $i -lt "$MIGS" ]; do
	t0=$(date +%s%N)
	xs $from migrate g $to
	xs $to wait -t 20 g
	echo $((($(date +%s%N) - t0) / 1000)) >>"$RUN/mig"
	i=$((i + 1))
	x=$from
	from=$to
	to=$x
done
sort -n "$RUN/mig" >"$RUN/mig.s"
result pool.migrate.p50 "$(awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }' "$RUN/mig.s")" \
	ms "pool: migration, xsim migrate until the devices are Connected on the target, p50 of $MIGS"
result pool.migrate.max "$(awk '{ m = $1 } END { printf "%.1f", m / 1000 }' "$RUN/mig.s")" \
	ms "pool: migration, xsim migrate until the devices are Connected on the target, max of $MIGS"
