#!/bin/sh
# SPDX-License-Identifier: MIT
# The pool agent's cost to the local daemon, from pool.sh's runs
# (docs/pool.md, "Measured"): WITH and WITHOUT hold the RESULT lines of
# ROUNDS rounds, keys prefixed "agent<r>." and "alone<r>." (and texts
# "[agent] ..." on the agent's side); only ops/s figures count.
#
#   sh tools/bench/agent-cost.sh WITH WITHOUT ROUNDS TABLE.md
#
# Prints a RESULT line per figure (pool.agent.<key>: the ratio in %) and
# pool.agent.median; writes TABLE.md: the figures side by side (the
# medians over the rounds of each side, and of the ratio within each
# round, whose two runs were back to back, so that a slow spell of the
# machine's other work weighs on both), then the issue's target judged
# (within 10 % of the figures without the agent): on the median ratio
# of the daemon's figures (xs-bench's), naming those below 90 %.  Local
# WRITEs under /pool (key poolwrites) are shown, not judged: each is
# also published, by the agent and etcd on the same cores.
set -eu
WITH=$1
WITHOUT=$2
ROUNDS=$3
TABLE=$4
TMP=$(mktemp -d /tmp/agent-cost.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# key, text, with, without, ratio: one tab-separated line per figure.
awk -F '\t' '
function med(v, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
$1 != "RESULT" || $4 != "ops/s" { next }
{
	k = $2; r = k; sub(/^(agent|alone)[0-9]+\./, "", k)
	sub(/\..*/, "", r); side = substr(r, 1, 5); sub(/^(agent|alone)/, "", r)
	v[side, k, r] = $3; rounds[r] = 1
	if (side == "agent") {
		t = $5; sub(/^\[agent\] /, "", t); sub(/ ops\/s$/, "", t)
		text[k] = t
	}
}
END {
	for (k in text) {
		n = 0
		for (r in rounds)
			if ((("agent", k, r) in v) && (("alone", k, r) in v) &&
			    v["alone", k, r] > 0) {
				n++
				w[n] = v["agent", k, r]; a[n] = v["alone", k, r]
				q[n] = 100 * w[n] / a[n]
			}
		if (n)
			printf "%s\t%s\t%.0f\t%.0f\t%.1f\n", k, text[k], med(w, n),
			    med(a, n), med(q, n)
	}
}' "$WITH" "$WITHOUT" | sort >"$TMP/side"
awk -F '\t' '{ printf "RESULT\tpool.agent.%s\t%s\t%%\tpool: with the agent / without, %s (%s vs %s ops/s)\n", $1, $5, $2, $3, $4 }' \
	"$TMP/side"
grep -v '^poolwrites	' "$TMP/side" >"$TMP/judged" || true
[ -s "$TMP/judged" ] || { echo "agent-cost: no figure on both sides" >&2; exit 1; }
median=$(cut -f5 "$TMP/judged" | sort -n |
	awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
printf 'RESULT\tpool.agent.median\t%s\t%%\tpool: with the agent / without, the median of the %d seq and tput figures\n' \
	"$median" "$(wc -l <"$TMP/judged")"
verdict=$(awk -F '\t' -v m="$median" '
$5 < 90 { slow = slow sprintf("%s%s %.1f %%", n++ ? ", " : "", $2, $5) }
END {
	printf "%s: the median ratio of the %d seq and tput figures is %.1f %%; %d below 90 %%%s",
	    (m >= 90 ? "met" : "MISSED"), NR, m, n, (n ? " (" slow ")" : "")
}' "$TMP/judged")
{
	echo "The pool agent's cost to the local daemon (xs-bench seq and tput under"
	echo "/bench, which the agent does not share, and local WRITEs under /pool),"
	echo "medians of $ROUNDS rounds, each a run of both back to back, the order alternating:"
	echo
	echo "| local figure | with the agent, ops/s | without, ops/s | with / without (median of the rounds') |"
	echo "|---|---|---|---|"
	awk -F '\t' '{ printf "| %s | %s | %s | %.1f %% |\n", $2, $3, $4, $5 }' "$TMP/side"
	echo
	echo "Target (local figures within 10 % of those without the agent): $verdict."
} >"$TABLE"
