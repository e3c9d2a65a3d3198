#!/bin/sh
# SPDX-License-Identifier: MIT
#
# `make check-bench`: a seconds-long smoke run of xs-bench against a
# private xenstored.  It asserts only that the tool runs every workload
# and that its output is well formed (RESULT lines of five tab-separated
# fields with a numeric value, the expected number of figures, '#' notes
# otherwise); never anything about speed, which is `make bench`'s job.
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
RUN=$(mktemp -d /tmp/xsb-smoke.XXXXXX)
PID=""
cleanup() {
	status=$?
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$RUN"
	exit $status
}
trap cleanup EXIT INT TERM

XENSTORED_RUNDIR=$RUN "$BIN/xenstored" -N -F "$RUN/pid" 2>"$RUN/daemon.err" &
PID=$!
i=0
until "$BIN/xs-bench" -s "$RUN/socket" -t ping 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 200 ] || ! kill -0 "$PID" 2>/dev/null; then
		echo "check-bench: daemon did not start"
		cat "$RUN/daemon.err"
		exit 1
	fi
	sleep 0.05
done

"$BIN/xs-bench" -s "$RUN/socket" -p "$PID" -n 100 -o 320 -c 48 -X 10 \
	-r 3 -W 10 -S 5 -N 2000 -t seq,tput,tx,watch,storm,populate,lu \
	-L "$BIN/xenstored" >"$RUN/out" ||
	{ echo "check-bench: xs-bench failed"; cat "$RUN/out"; exit 1; }

# seq 9, tput 12, tx 4 kinds x 3 client counts x 3 + rmw's 3 "lost",
# watch 2 per watcher count (1, 10), storm 3, populate 10, lu 3 per
# client count (1, 50).
awk -F '\t' '
/^#/ { next }
$1 != "RESULT" || NF != 5 || $3 !~ /^-?[0-9.]+(e[-+][0-9]+)?$/ ||
    $2 == "" || $4 == "" || $5 == "" { bad++; print "bad line: " $0; next }
{ n++ }
END {
	if (bad || n != 83) {
		printf "check-bench: %d figures (want 83), %d bad lines\n", n, bad
		exit 1
	}
}' "$RUN/out"
if [ -s "$RUN/daemon.err" ]; then
	echo "check-bench: the daemon wrote to stderr:"
	cat "$RUN/daemon.err"
	exit 1
fi
echo "check-bench: xs-bench ran every workload, 83 well-formed figures"

# The simulated host's groups, tiny: the stub domain's workloads through
# dom0's xenbus device (no memory fill: a sanitizer build has no limit),
# and the ring's one guest, a gang of two, and two socket clients.
# figures FILE WANT WHAT: FILE has WANT well-formed RESULT lines.
figures() {
	awk -F '\t' -v want="$2" -v what="$3" '
	/^#/ { next }
	$1 != "RESULT" || NF != 5 || $3 !~ /^-?[0-9.]+(e[-+][0-9]+)?$/ {
		bad++; print "bad line: " $0; next }
	{ n++ }
	END {
		if (bad || n != want) {
			printf "check-bench: %s: %d figures (want %d), %d bad lines\n",
			    what, n, want, bad
			exit 1
		}
	}' "$1"
}
if [ -x "$BIN/xsim" ] && [ -x "$BIN/xsim-xenbus" ]; then
	# seq 9, tput 12, tx 39, watch 2 per watcher count (1, 10).
	BENCH_PIN=0 BENCH_STUB_FIT="" BENCH_STUB_ARGS="-n 100 -o 320 -c 48 -X 10 -r 3 -W 10" \
		sh "$(dirname "$0")/stub.sh" "$BIN" >"$RUN/stub" ||
		{ echo "check-bench: stub.sh failed"; cat "$RUN/stub"; exit 1; }
	figures "$RUN/stub" 64 stub.sh || { cat "$RUN/stub"; exit 1; }
	grep -q '^RESULT	stub\.seq\.read\.ops	' "$RUN/stub" ||
		{ echo "check-bench: stub.sh: no stub. keys"; exit 1; }
	# one guest 3, the gang of two 3, the two socket clients 3.
	BENCH_RING_GUESTS=2 BENCH_RING_READS=50 \
		sh "$(dirname "$0")/ring.sh" "$BIN" quick >"$RUN/ring" ||
		{ echo "check-bench: ring.sh failed"; cat "$RUN/ring"; exit 1; }
	figures "$RUN/ring" 9 ring.sh || { cat "$RUN/ring"; exit 1; }
	echo "check-bench: stub.sh 64 and ring.sh 9 well-formed figures"
fi

# The pool agent's cost (agent-cost.sh) on made-up runs of two rounds:
# the figures side by side with the medians, the target judged on the
# median ratio of all but the /pool writes, the slow ones named.
# cost_runs FILE SIDE V1 V2 V3: rounds 1 and 2 of the figures, the /pool
# writes' V3 in round 1 and 2 * V3 in round 2.
cost_runs() {
	for r in 1 2; do
		tag=""
		[ "$2" = agent ] && tag="[agent] "
		printf 'RESULT\t%s%d.seq.read.ops\t%s\tops/s\t%sseq READ ops/s\n' "$2" $r "$3" "$tag"
		printf 'RESULT\t%s%d.tput.w\t%s\tops/s\t%stput WRITE ops/s\n' "$2" $r "$4" "$tag"
		printf 'RESULT\t%s%d.seq.read.p50\t9\tus\t%sseq READ p50 us\n' "$2" $r "$tag"
		printf 'RESULT\t%s%d.poolwrites\t%s\tops/s\t%slocal WRITEs under /pool\n' "$2" $r $(($5 * r)) "$tag"
	done >"$1"
}
cost_runs "$RUN/with" agent 95 80 10
cost_runs "$RUN/without" alone 100 100 40
sh "$(dirname "$0")/agent-cost.sh" "$RUN/with" "$RUN/without" 2 "$RUN/cost.md" \
	>"$RUN/cost.out" || { echo "check-bench: agent-cost.sh failed"; exit 1; }
cat >"$RUN/cost.want" <<'EOF'
| local figure | with the agent, ops/s | without, ops/s | with / without (median of the rounds') |
|---|---|---|---|
| local WRITEs under /pool | 15 | 60 | 25.0 % |
| seq READ | 95 | 100 | 95.0 % |
| tput WRITE | 80 | 100 | 80.0 % |

Target (local figures within 10 % of those without the agent): MISSED: the median ratio of the 2 seq and tput figures is 87.5 %; 1 below 90 % (tput WRITE 80.0 %).
EOF
tail -n 7 "$RUN/cost.md" | cmp -s - "$RUN/cost.want" || {
	echo "check-bench: agent-cost.sh's table:"
	cat "$RUN/cost.md"
	exit 1
}
grep -q '^RESULT	pool\.agent\.median	87\.5	%	' "$RUN/cost.out" ||
	{ echo "check-bench: agent-cost.sh: no median"; cat "$RUN/cost.out"; exit 1; }
cost_runs "$RUN/with" agent 100 92 10
sh "$(dirname "$0")/agent-cost.sh" "$RUN/with" "$RUN/without" 2 "$RUN/cost.md" \
	>/dev/null
tail -n 1 "$RUN/cost.md" | grep -q ': met: the median ratio of the 2 seq and tput figures is 96\.0 %; 0 below 90 %\.$' ||
	{ echo "check-bench: agent-cost.sh's verdict:"; tail -n 1 "$RUN/cost.md"; exit 1; }
echo "check-bench: agent-cost.sh put the figures side by side and judged the target"

# The HTML report (report.sh) of these figures, given as both daemons'
# so that there is something to plot: a page with the table, and the two
# plots where gnuplot is installed.
mkdir "$RUN/rep"
grep '^RESULT' "$RUN/out" >"$RUN/rep/ours.txt"
cp "$RUN/rep/ours.txt" "$RUN/rep/theirs.txt"
: >"$RUN/rep/notes.txt"
{
	echo "| figure | ours | theirs | ratio |"
	echo "|---|---|---|---|"
	awk -F '\t' '{ printf "| %s | %s | %s | 1.00 |\n", $5, $3, $3 }' \
		"$RUN/rep/ours.txt"
	echo
	cat "$RUN/cost.md"
} >"$RUN/rep/report.md"
sh "$(dirname "$0")/report.sh" "$RUN/rep" "$RUN/rep/report.md" \
	"$RUN/report.html" 2>"$RUN/report.err" ||
	{ echo "check-bench: report.sh failed"; cat "$RUN/report.err"; exit 1; }
rows=$(grep -c "^<tr.*<td>" "$RUN/report.html")
want=$(($(wc -l <"$RUN/rep/ours.txt") + 3)) # and the agent's cost
grep -q '^<table><tr><th>local figure</th><th>with the agent, ops/s</th>' \
	"$RUN/report.html" || { echo "check-bench: report.html: no agent's cost"; exit 1; }
[ "$rows" = "$want" ] || {
	echo "check-bench: report.html has $rows table rows, want $want"
	exit 1
}
if command -v gnuplot >/dev/null; then
	svgs=$(grep -c '<svg' "$RUN/report.html")
	[ "$svgs" = 2 ] || {
		echo "check-bench: report.html has $svgs plots, want 2"
		cat "$RUN/report.err"
		exit 1
	}
	echo "check-bench: report.sh wrote the table and its 2 plots"
else
	echo "check-bench: report.sh wrote the table (no gnuplot: no plots)"
fi
