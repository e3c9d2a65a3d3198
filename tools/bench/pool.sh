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
#     under /pool (each also a group of the change stream);
#  4. migration: two simulated hosts (xsim start --pool), a guest with a
#     disk and a NIC moved back and forth POOL_MIGRATIONS (5) times, each
#     timed from `xsim migrate` until its devices are Connected on the
#     target (xsim wait); p50 and max.
# Prints RESULT lines in xs-bench's format on stdout, and the same as
# "figure: value unit" lines on stderr.  2 cores shared with etcd's three
# members and both agents: the with/without figures are the better of
# two alternating runs each, and still noisy (docs/pool.md).
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
if [ -n "$QUICK" ]; then
	WRITES=200
	MIRROR=500
	MIGS=3
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
	"$BIN/xs-bench" -s "$1" -q -t seq,tput -k "$2" -T "$3" |
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

# 3. Alternating, the agent's host first: the order must not favour it.
daemon h0
for r in 1 2; do
	local_figures "$RUN/h1/socket" "agent$r." "[agent] " >>"$RUN/with"
	local_figures "$RUN/h0/socket" "alone$r." "" >>"$RUN/without"
	"$T/pool-mirror" "$RUN/h1/socket" - "$MIRROR" >>"$RUN/pw"
	"$T/pool-mirror" "$RUN/h0/socket" - "$MIRROR" >>"$RUN/pa"
done
# The better of the two runs of each figure, side by side.
awk -F '\t' '
FILENAME ~ /with$/ { k = $2; sub(/^agent[12]\./, "", k); if (!(k in w) || $3 > w[k]) w[k] = $3; u[k] = $4; t[k] = $5; next }
{ k = $2; sub(/^alone[12]\./, "", k); if (!(k in a) || $3 > a[k]) a[k] = $3 }
END {
	for (k in w) if (u[k] == "ops/s" && (k in a)) {
		t0 = t[k]
		sub(/^\[agent\] /, "", t0)
		sub(/ ops\/s$/, "", t0)
		printf "RESULT\tpool.agent.%s\t%.1f\t%%\tpool: with the agent / without, %s (%.0f vs %.0f ops/s)\n",
		    k, 100 * w[k] / a[k], t0, w[k], a[k]
	}
}' "$RUN/with" "$RUN/without" | sort >"$RUN/ratio"
cat "$RUN/ratio" >>"$RUN/results"
result pool.agent.median "$(cut -f3 "$RUN/ratio" | sort -n |
	awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')" % \
	"pool: with the agent / without, the median of the $(wc -l <"$RUN/ratio") seq and tput figures"
pw=$(awk '{ if ($5 > m) m = $5 } END { print m }' "$RUN/pw")
pa=$(awk '{ if ($5 > m) m = $5 } END { print m }' "$RUN/pa")
result pool.agent.poolwrites "$(awk "BEGIN { printf \"%.1f\", 100 * $pw / $pa }")" % \
	"pool: with the agent / without, local WRITEs under /pool, back to back ($pw vs $pa ops/s)"

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
