#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The ring figures of make bench: guests of a simulated host (xsim) read
# over their xenstore rings through the client library, one guest alone
# and then 16 and 50 at once.  Prints RESULT lines in xs-bench's format,
# for run.sh's table.  Usage: ring.sh BIN-DIR [quick]
#   BENCH_RING_GUESTS  the gangs after the one guest (default "16 50")
#   BENCH_RING_READS   the one guest's reads (default 20000, quick 2000)
BIN=$1
QUICK=${2:-}
R=$(mktemp -d /tmp/xsb-ring.XXXXXX)
trap '"$BIN/xsim" -r "$R" stop >/dev/null 2>&1; rm -rf "$R"' EXIT
"$BIN/xsim" -r "$R" start -n >/dev/null || exit 1
XENSTORED_PATH=$R/xenstored/socket
export XENSTORED_PATH

result() { printf 'RESULT\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4"; }

# "bench-read N: <ops> ops/s p50 <us> p99 <us> from <us> to <us>"
#  -> "<ops> <p50> <p99> <N> <from> <to>"
parse() {
	sed -n 's|^bench-read \([0-9]*\): \([0-9]*\) ops/s p50 \([0-9.]*\) p99 \([0-9.]*\) from \([0-9]*\) to \([0-9]*\)$|\2 \3 \4 \1 \5 \6|p' "$@"
}

N=${BENCH_RING_READS:-20000}
[ -n "$QUICK" ] && N=${BENCH_RING_READS:-2000}
set -- $("$BIN/xsim" -r "$R" create ring1 -F -- \
	'write data/x 0123456789abcdef' "bench-read $N data/x" | parse)
[ $# -eq 6 ] || { echo "# ring: one guest: no figure" >&2; exit 1; }
result ring.seq.read.ops "$1" ops/s "ring: seq READ ops/s (one guest)"
result ring.seq.read.p50 "$2" us "ring: seq READ p50 us (one guest)"
result ring.seq.read.p99 "$3" us "ring: seq READ p99 us (one guest)"

# gang G M: G guests wait for "go" (a watch), then all read M times at
# once; all their reads over the time from the first start to the last
# end, the median of their p50s, the worst p99.  Guests of an earlier
# gang are destroyed first.
gang() {
	G=$1
	M=$2
	for d in $("$BIN/xsim" -r "$R" list | awk '$1 ~ /^g[0-9]/ { print $1 }'); do
		"$BIN/xsim" -r "$R" destroy "$d" >/dev/null
	done
	rm -f "$R"/domains/g*.log
	i=1
	while [ $i -le $G ]; do
		"$BIN/xsim" -r "$R" create "g$i" -- 'write data/x 0123456789abcdef' \
			'watch data/go g' 'wait 1' 'mark ready' 'wait 1' \
			"bench-read $M data/x" 'mark done' 'sleep' >/dev/null || exit 1
		i=$((i + 1))
	done
	# "go" only once every watch is set, or a guest would miss it.
	until [ "$(cat "$R"/domains/g*.log 2>/dev/null | grep -c '^ready')" -ge $G ]; do
		sleep 0.1
	done
	i=1
	while [ $i -le $G ]; do
		d=$("$BIN/xsim" -r "$R" domid "g$i")
		"$BIN/xenstore-write" "/local/domain/$d/data/go" 1
		i=$((i + 1))
	done
	i=0
	until [ "$(cat "$R"/domains/g*.log 2>/dev/null | grep -c '^done')" -ge $G ]; do
		i=$((i + 1))
		[ $i -gt 3000 ] && { echo "# ring: $G guests did not finish" >&2; exit 1; }
		sleep 0.1
	done
	summarise ring "$G" "ring: $G guests at once" "$R"/domains/g*.log
}

# summarise KEY G TEXT LOG...: the gang's RESULT lines from its members'
# bench-read lines: all their reads over the time from the first start
# to the last end, the median of their p50s, the worst p99.
summarise() {
	parse "$@" 2>/dev/null | awk -v k="$1" -v g="$2" -v w="$3" '
		{
			total += $4; if ($3 > p99) p99 = $3; p50[NR] = $2
			if (NR == 1 || $5 < from) from = $5
			if ($6 > to) to = $6
		}
		END {
			n = NR
			if (n < g) {
				printf "# %s: %d of %d finished\n", w, n, g > "/dev/stderr"
				exit 1
			}
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && p50[j - 1] > p50[j]; j--) {
					t = p50[j]; p50[j] = p50[j - 1]; p50[j - 1] = t
				}
			printf "RESULT\t%s.g%d.read.ops\t%d\tops/s\t%s, READ ops/s (all reads / first start to last end)\n", k, g, total / ((to - from) / 1e6), w
			printf "RESULT\t%s.g%d.read.p50\t%.1f\tus\t%s, median of the p50s us\n", k, g, p50[int((n + 1) / 2)], w
			printf "RESULT\t%s.g%d.read.p99\t%.1f\tus\t%s, worst p99 us\n", k, g, p99, w
		}'
}

# sockets G M: the same gang as dom0 processes, each with one connection
# to the daemon's socket, through the same library and client program
# (xsim-guest -s): what the ring's gang is to be compared with, since
# xs-bench's tput drives its 16 connections from one process.
sockets() {
	G=$1
	M=$2
	S=$R/sockgang
	rm -rf "$S"
	mkdir -p "$S"
	"$BIN/xenstore-write" /bench/x 0123456789abcdef
	i=1
	while [ $i -le $G ]; do
		"$BIN/xsim-guest" -s 'watch /bench/go g' 'wait 1' \
			"bench-read $M /bench/x" >"$S/c$i.log" 2>&1 &
		i=$((i + 1))
	done
	until [ "$(cat "$S"/c*.log 2>/dev/null | grep -c '^watch /bench/go g: OK')" -ge $G ]; do
		sleep 0.1
	done
	"$BIN/xenstore-write" /bench/go 1
	wait
	"$BIN/xenstore-rm" /bench
	summarise sock "$G" "sockets: $G client processes at once" "$S"/c*.log
}

# 16 guests, then 50, each with as many reads as makes the run last a
# few seconds; after each gang, as many socket clients.
M=4000
[ -n "$QUICK" ] && M=400
for G in ${BENCH_RING_GUESTS:-16 50}; do
	gang "$G" "$M"
	sockets "$G" "$M"
done
