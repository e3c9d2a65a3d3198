#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The ring figures of make bench: guests of a simulated host (xsim) read
# over their xenstore rings through the client library, one guest alone
# and then 50 at once.  Prints RESULT lines in xs-bench's format, for
# run.sh's table.  Usage: ring.sh BIN-DIR [quick]
BIN=$1
QUICK=${2:-}
R=$(mktemp -d /tmp/xsb-ring.XXXXXX)
trap '"$BIN/xsim" -r "$R" stop >/dev/null 2>&1; rm -rf "$R"' EXIT
"$BIN/xsim" -r "$R" start >/dev/null || exit 1
XENSTORED_PATH=$R/xenstored/socket
export XENSTORED_PATH

result() { printf 'RESULT\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4"; }

# "bench-read N: <ops> ops/s p50 <us> p99 <us> from <us> to <us>"
#  -> "<ops> <p50> <p99> <N> <from> <to>"
parse() {
	sed -n 's|^bench-read \([0-9]*\): \([0-9]*\) ops/s p50 \([0-9.]*\) p99 \([0-9.]*\) from \([0-9]*\) to \([0-9]*\)$|\2 \3 \4 \1 \5 \6|p' "$@"
}

N=20000
[ -n "$QUICK" ] && N=2000
set -- $("$BIN/xsim" -r "$R" create ring1 -F -- \
	'write data/x 0123456789abcdef' "bench-read $N data/x" | parse)
[ $# -eq 6 ] || { echo "# ring: one guest: no figure" >&2; exit 1; }
result ring.seq.read.ops "$1" ops/s "ring: seq READ ops/s (one guest)"
result ring.seq.read.p50 "$2" us "ring: seq READ p50 us (one guest)"
result ring.seq.read.p99 "$3" us "ring: seq READ p99 us (one guest)"

# 50 guests wait for "go", then all read at once.
G=50
M=4000
[ -n "$QUICK" ] && M=400
i=1
while [ $i -le $G ]; do
	"$BIN/xsim" -r "$R" create "g$i" -- 'write data/x 0123456789abcdef' \
		'watch data/go g' 'wait 2' "bench-read $M data/x" 'mark done' \
		'sleep' >/dev/null || exit 1
	i=$((i + 1))
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
	[ $i -gt 3000 ] && { echo "# ring: 50 guests did not finish" >&2; exit 1; }
	sleep 0.1
done
# All the guests' reads over the time from the first start to the last end.
parse "$R"/domains/g*.log | awk '
	{
		total += $4; if ($3 > p99) p99 = $3; p50[NR] = $2
		if (NR == 1 || $5 < from) from = $5
		if ($6 > to) to = $6
	}
	END {
		n = NR
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && p50[j - 1] > p50[j]; j--) {
				t = p50[j]; p50[j] = p50[j - 1]; p50[j - 1] = t
			}
		printf "RESULT\tring.g50.read.ops\t%d\tops/s\tring: 50 guests at once, READ ops/s (all reads / first start to last end)\n", total / ((to - from) / 1e6)
		printf "RESULT\tring.g50.read.p50\t%.1f\tus\tring: 50 guests at once, median of the guests p50 us\n", p50[int((n + 1) / 2)]
		printf "RESULT\tring.g50.read.p99\t%.1f\tus\tring: 50 guests at once, worst p99 us\n", p99
	}'
