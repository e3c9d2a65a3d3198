#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The HTML page of `make bench` (docs/bench.md, "The HTML report"): the
# same figures as the markdown table, with two plots drawn by gnuplot as
# inline SVG, so that the comparison is seen at a glance:
#
#   1. latency percentiles: p50 and p99 of every latency figure (seq
#      READ/WRITE/DIRECTORY, watch fan-out), ours beside Xen's, log scale;
#   2. how many times better ours is, per figure both daemons have:
#      ours/theirs for rates (ops/s, commits/s, nodes/s), theirs/ours for
#      times and sizes (us, ms, s, kB), so that above 1 is always ours
#      being better; log scale, the line at 1 is a tie.
#
#   sh tools/bench/report.sh OUTDIR TABLE.md REPORT.html
#
# OUTDIR holds run.sh's raw ours.txt and theirs.txt (RESULT lines) and
# notes.txt; TABLE.md is what run.sh printed (the table and its footer).
# Without gnuplot the page has the table and says why the plots are
# missing.  It owns the page and the plots; the figures are run.sh's.
set -u
OUT=$1
TABLE=$2
HTML=$3
TMP=$(mktemp -d /tmp/xsb-report.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$(dirname "$HTML")"

# One line per figure: key, unit, median ours, median theirs, text.
awk -F '\t' '
function median(side, k,    n, i, j, t, a) {
	n = cnt[side, k]
	if (n == 0)
		return ""
	for (i = 1; i <= n; i++)
		a[i] = val[side, k, i] + 0
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == "RESULT" {
	side = FILENAME ~ /theirs.txt$/ ? "t" : "o"
	if (!($2 in unit)) {
		order[++nkeys] = $2
		unit[$2] = $4
		text[$2] = $5
	}
	val[side, $2, ++cnt[side, $2]] = $3
}
END {
	for (i = 1; i <= nkeys; i++) {
		k = order[i]
		o = median("o", k); t = median("t", k)
		printf "%s\t%s\t%s\t%s\t%s\n", k, unit[k], o == "" ? "-" : o,
		    t == "" ? "-" : t, text[k]
	}
}' "$OUT/ours.txt" "$OUT/theirs.txt" >"$TMP/figures.tsv"

# Latencies: "label ours50 theirs50 ours99 theirs99", one line per
# figure pair KEY.p50 / KEY.p99 in microseconds.
awk -F '\t' '
$2 == "us" && $1 ~ /\.p(50|99)$/ {
	base = $1; sub(/\.p(50|99)$/, "", base)
	pc = substr($1, length($1) - 1)
	if (!(base in seen)) {
		seen[base] = 1; order[++n] = base
		label = $5; sub(/ (last event )?p(50|99) us$/, "", label)
		gsub(/ /, "_", label); lab[base] = label
	}
	o[base, pc] = $3; t[base, pc] = $4
}
END {
	for (i = 1; i <= n; i++) {
		b = order[i]
		printf "%s %s %s %s %s\n", lab[b], o[b, "50"], t[b, "50"],
		    o[b, "99"], t[b, "99"]
	}
}' "$TMP/figures.tsv" >"$TMP/latency.dat"

# Advantage: "index label factor", for figures both daemons have, whose
# unit says which way is better.
awk -F '\t' '
$3 != "-" && $4 != "-" && $3 + 0 > 0 && $4 + 0 > 0 {
	if ($2 == "ops/s" || $2 == "commits/s" || $2 == "nodes/s")
		f = $3 / $4
	else if ($2 == "us" || $2 == "ms" || $2 == "s" || $2 == "kB")
		f = $4 / $3
	else
		next
	label = $1; gsub(/_/, "-", label)
	printf "%d %s %.4g\n", n++, label, f
}' "$TMP/figures.tsv" >"$TMP/advantage.dat"

PLOTS=""
NOPLOT=""
if ! command -v gnuplot >/dev/null 2>&1; then
	NOPLOT="gnuplot is not installed (scripts/install-deps.sh --test installs gnuplot-nox): no plots."
elif [ ! -s "$TMP/advantage.dat" ]; then
	NOPLOT="No figure has both daemons (was Xen's daemon run?): no plots."
else
	nlat=$(wc -l <"$TMP/latency.dat")
	nadv=$(wc -l <"$TMP/advantage.dat")
	width=$((nadv * 16 + 200))
	[ $width -lt 800 ] && width=800
	cat >"$TMP/plots.gp" <<EOF
set terminal svg size 900,420 dynamic enhanced font "sans,11" background "white"
set output "$TMP/latency.svg"
set title "Latency percentiles, one request in flight (lower is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set ylabel "microseconds (log scale)"
set grid ytics
set key top left
set xtics rotate by 25 right noenhanced
set yrange [1:*]
plot "$TMP/latency.dat" using 2:xtic(1) title "ours p50" lc rgb "#2b7bba", \
     "" using 3 title "Xen p50" lc rgb "#e08214", \
     "" using 4 title "ours p99" lc rgb "#9ecae1", \
     "" using 5 title "Xen p99" lc rgb "#fdb863"
unset logscale y
unset yrange
set output "$TMP/advantage.svg"
set terminal svg size $width,520 dynamic enhanced font "sans,10" background "white"
set title "How many times better ours is (ours/Xen for rates, Xen/ours for times and sizes; above 1: ours better)"
set style data boxes
set boxwidth 0.7
set logscale y 2
set ylabel "factor (log scale)"
set xtics rotate by 60 right noenhanced font "sans,8"
set key off
set xrange [-1:$nadv]
plot "$TMP/advantage.dat" using 1:3:(\$3 >= 1 ? 0x2b7bba : 0xd7301f):xtic(2) \
	lc rgb variable, 1 with lines lc rgb "black" dt 2
EOF
	[ "$nlat" -gt 0 ] || sed -i '/latency/,/^unset yrange/d' "$TMP/plots.gp"
	if gnuplot "$TMP/plots.gp" 2>"$TMP/gnuplot.err"; then
		PLOTS=1
	else
		NOPLOT="gnuplot failed: $(head -n 3 "$TMP/gnuplot.err")"
	fi
fi

html_escape() {
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
}

# An SVG file without its XML prologue, to be inlined.
inline_svg() {
	[ -s "$1" ] && sed -e '/^<?xml/d' -e '/^<!DOCTYPE/,/>$/d' "$1"
}

{
	cat <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>xenstored benchmark: ours against Xen's C daemon</title>
<style>
body { font-family: sans-serif; max-width: 80em; margin: 1em auto; padding: 0 1em; }
table { border-collapse: collapse; font-size: 90%; }
td, th { border: 1px solid #ccc; padding: 0.15em 0.5em; }
td:nth-child(n+2) { text-align: right; }
tr.better td:last-child { background: #deebf7; }
tr.worse td:last-child { background: #fde0d2; }
svg { max-width: 100%; height: auto; }
</style></head><body>
<h1>xenstored benchmark: ours against Xen's C daemon</h1>
EOF
	echo "<p>Made by <code>make bench</code> on $(date -u '+%Y-%m-%d %H:%M UTC') ($(uname -n)); docs/bench.md explains every figure.</p>"
	if [ -n "$PLOTS" ]; then
		inline_svg "$TMP/latency.svg"
		inline_svg "$TMP/advantage.svg"
	else
		echo "<p><em>$(echo "$NOPLOT" | html_escape)</em></p>"
	fi
	echo "<h2>All figures</h2>"
	# The markdown table as HTML; the ratio cell is shaded by which way
	# is better for the figure's unit.
	awk -F '\t' 'NR == FNR { unit[$5] = $2; next }
	function esc(s) {
		gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
		return s
	}
	/^\|---/ { next }
	/^\| figure \|/ { print "<table><tr><th>figure</th><th>ours</th><th>theirs</th><th>ratio ours/theirs</th></tr>"; intable = 1; next }
	# Another table (the pool agent'"'"'s cost): its own header, no shade.
	/^\|/ && !intable {
		n = split($0, c, "|")
		printf "<table><tr>"
		for (i = 2; i < n; i++) { gsub(/^ +| +$/, "", c[i]); printf "<th>%s</th>", esc(c[i]) }
		print "</tr>"
		intable = 2
		next
	}
	/^\|/ && intable == 2 {
		n = split($0, c, "|")
		printf "<tr>"
		for (i = 2; i < n; i++) { gsub(/^ +| +$/, "", c[i]); printf "<td>%s</td>", esc(c[i]) }
		print "</tr>"
		next
	}
	/^\|/ {
		n = split($0, c, "|")
		for (i = 2; i < n; i++) { gsub(/^ +| +$/, "", c[i]) }
		cls = ""
		u = unit[c[2]]
		if (c[5] != "-" && u != "") {
			up = (u == "ops/s" || u == "commits/s" || u == "nodes/s")
			down = (u == "us" || u == "ms" || u == "s" || u == "kB")
			# Within 20 % is noise on the shared VM: no shade.
			r = c[5] + 0
			if ((up && r > 1.2) || (down && r < 1 / 1.2))
				cls = " class=\"better\""
			else if ((up && r < 1 / 1.2) || (down && r > 1.2))
				cls = " class=\"worse\""
		}
		printf "<tr%s><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
		    cls, esc(c[2]), c[3], c[4], c[5]
		next
	}
	intable { print "</table>"; intable = 0 }
	/^Notes:/ { print "<h2>Notes</h2><ul>"; innotes = 1; next }
	innotes && /^- / { print "<li>" esc(substr($0, 3)) "</li>"; next }
	NF { print "<p>" esc($0) "</p>" }
	END { if (intable) print "</table>"; if (innotes) print "</ul>" }
	' "$TMP/figures.tsv" "$TABLE"
	echo "</body></html>"
} >"$HTML"
echo "# HTML report: $HTML${NOPLOT:+ ($NOPLOT)}" >&2
