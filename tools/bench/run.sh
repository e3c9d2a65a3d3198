#!/bin/sh
# SPDX-License-Identifier: MIT
#
# `make bench`: run xs-bench against our xenstored and, when Debian's
# xen-utils-4.17 is installed, against Xen's C daemon (cxenstored, started
# under the LD_PRELOAD shim of ../shared/bench), each workload group on a
# fresh daemon, the two daemons interleaved, daemon pinned to CPU 0 and
# client to CPU 1; then print one table: figure, ours, theirs, ratio, and
# write it with plots as an HTML page (report.sh, build/bench/report.html).
# It owns the daemons' start-up and shut-down and the table; the
# workloads are xs-bench's (tools/bench/*.c).  See docs/bench.md.
#
#   sh tools/bench/run.sh [BINDIR]
#   BENCH_QUICK=1   smoke run: a tenth of the work, 10k nodes, no 1M
#   BENCH_FULL=1    also load 1M nodes into Xen's daemon (~18 minutes)
#   BENCH_REPS=N    N fresh-daemon runs of each group, medians in the table
#   BENCH_SHARED    the shared/ directory (default: ../shared)
#   BENCH_PIN=0     do not pin
#   BENCH_OUT=DIR   keep the raw RESULT files in DIR
#   BENCH_HTML=FILE where the HTML report goes (default
#                   build/bench/report.html, beside build/bin)
#   BENCH_TMPDIR    where the daemons' scratch directories go (default /tmp)
#   BENCH_GROUPS    the groups to run (default: all of
#                   "seq tput tx watch storm populate big lu fsync stub
#                   ring devices crash pool")
set -u
BIN=$(cd "${1:-build/bin}" && pwd)
XSB=$BIN/xs-bench
QUICK=${BENCH_QUICK:-}
FULL=${BENCH_FULL:-}
REPS=${BENCH_REPS:-1}
GROUPS_RUN=" ${BENCH_GROUPS:-seq tput tx watch storm populate big lu fsync stub ring devices crash pool} "
# The daemons' run directories (our tdb file lives there): keep it short,
# unix socket paths are limited to 107 bytes.
SCRATCH=${BENCH_TMPDIR:-/tmp}
SHARED=${BENCH_SHARED:-$(pwd)/../shared}
XEN_D=${BENCH_XEN_XENSTORED:-/usr/lib/xen-4.17/bin/xenstored}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/xsbench-out.XXXXXX)}
# The HTML page with plots (tools/bench/report.sh), beside the binaries.
HTML=${BENCH_HTML:-$(dirname "$BIN")/bench/report.html}
mkdir -p "$OUT"
: >"$OUT/ours.txt"
: >"$OUT/theirs.txt"
: >"$OUT/notes.txt"
DPID=""
S=""
FAILED=0

note() {
	echo "# $*"
	echo "$*" >>"$OUT/notes.txt"
}

stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	i=0
	while kill -0 "$DPID" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=""
	[ -n "$S" ] && rm -rf "$S"
	S=""
}
trap 'stop_daemon; exit 1' INT TERM
trap 'stop_daemon' EXIT

# Pinning as ../shared/bench/README.md recommends: daemon CPU 0, client 1.
DPIN=""
CPIN=""
if [ "${BENCH_PIN:-1}" != 0 ] && command -v taskset >/dev/null &&
	[ "$(nproc)" -ge 2 ]; then
	DPIN="taskset -c 0"
	CPIN="taskset -c 1"
	PINNED="daemon on CPU 0, client on CPU 1"
else
	PINNED="not pinned"
fi

# start_daemon ours|theirs [daemon options]: a fresh daemon in a fresh
# scratch directory; sets DPID and S.  Returns 1 if it does not answer.
start_daemon() {
	who=$1
	shift
	S=$(mktemp -d "$SCRATCH/xsb.XXXXXX")
	if [ "$who" = ours ]; then
		env XENSTORED_RUNDIR="$S" $DPIN "$BIN/xenstored" -N \
			-F "$S/pid" "$@" >"$S/daemon.log" 2>&1 &
	else
		env XS_SHIM_RUNDIR="$S" XENSTORED_RUNDIR="$S" \
			LD_PRELOAD="$SHARED/bench/xs_shim.so" \
			$DPIN "$XEN_D" -N -F "$S/pid" "$@" \
			>"$S/daemon.log" 2>&1 &
	fi
	DPID=$!
	i=0
	while ! "$XSB" -s "$S/socket" -t ping 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$DPID" 2>/dev/null; then
			note "$who daemon did not start: $(tail -n 3 "$S/daemon.log")"
			stop_daemon
			return 1
		fi
		sleep 0.05
	done
}

# group ours|theirs "daemon options" xs-bench args...: one fresh daemon,
# one xs-bench run; RESULT lines go to $OUT/<who>.txt.
group() {
	who=$1
	dopts=$2
	shift 2
	start_daemon "$who" $dopts || return 1
	echo "# $who: xs-bench $*" >&2
	# A hung daemon must not hang the bench: xs-bench gets a deadline.
	timeout "${TMO:-300}" $CPIN "$XSB" -s "$S/socket" -p "$DPID" "$@" \
		>"$OUT/run.txt" 2>"$OUT/run.err"
	rc=$?
	if [ $rc = 124 ]; then
		note "$who: xs-bench $* timed out after ${TMO:-300} s (daemon state: $(grep State /proc/$DPID/status 2>/dev/null | cut -f2); a spinning daemon shows R)"
	elif [ $rc != 0 ]; then
		note "$who: xs-bench $* failed: $(tail -n 2 "$OUT/run.err")"
	fi
	if [ $rc != 0 ]; then
		[ "$who" = ours ] && FAILED=1
		kill -0 "$DPID" 2>/dev/null ||
			note "$who: the daemon died: $(tail -n 3 "$S/daemon.log")"
	fi
	grep '^RESULT' "$OUT/run.txt" >>"$OUT/$who.txt"
	grep '^#' "$OUT/run.txt" | sed "s/^# /$who: /" >>"$OUT/notes.txt"
	if [ "$who" = ours ] && [ -s "$S/daemon.log" ]; then
		note "ours: the daemon logged $(wc -l <"$S/daemon.log") line(s), first: $(head -n 1 "$S/daemon.log")"
	fi
	stop_daemon
}

# Xen's C daemon, if it is here and its shim builds.
THEIRS=""
if [ -x "$XEN_D" ]; then
	if make -s -C "$SHARED/bench" xs_shim.so >/dev/null 2>&1 &&
		[ -f "$SHARED/bench/xs_shim.so" ]; then
		THEIRS=1
	else
		note "Xen's daemon skipped: cannot build $SHARED/bench/xs_shim.so"
	fi
else
	note "Xen's daemon skipped: $XEN_D not installed (xen-utils-4.17)"
fi

if [ -n "$QUICK" ]; then
	MAIN="-q"
	NODES="10000"
	BIG=""
else
	MAIN=""
	NODES="100000"
	BIG="1000000"
fi

# wanted GROUP: true if BENCH_GROUPS names it.
wanted() {
	case "$GROUPS_RUN" in *" $1 "*) return 0 ;; esac
	return 1
}

run_both() {
	dopts=$1
	shift
	group ours "$dopts" "$@"
	[ -n "$THEIRS" ] && group theirs "" "$@"
	return 0
}

OURS_REV=$(git rev-parse --short HEAD 2>/dev/null)
[ -n "$(git status --porcelain -- xenstored transport perms xen 2>/dev/null)" ] &&
	OURS_REV="$OURS_REV + uncommitted changes"
THEIRS_VER=$(dpkg-query -W -f='${Version}' xen-utils-4.17 2>/dev/null)
echo "# xs-bench: ours = $BIN/xenstored ($OURS_REV), theirs = $XEN_D ($THEIRS_VER); $PINNED" >&2
# One workload per fresh daemon, the two daemons taking turns, so that a
# drift of the machine's load hits both alike.
rep=0
while [ $rep -lt "$REPS" ]; do
	rep=$((rep + 1))
	for w in seq tput tx watch storm; do
		wanted $w && run_both "" $MAIN -t $w
	done
	wanted populate && run_both "" -t populate -N $NODES
done
if [ -n "$BIG" ] && wanted big; then
	group ours "" -t populate -N $BIG
	if [ -n "$THEIRS" ] && [ -n "$FULL" ]; then
		TMO=3600
		group theirs "" -t populate -N $BIG
		TMO=300
	elif [ -n "$THEIRS" ]; then
		note "1M nodes on Xen's daemon skipped (takes ~18 min): BENCH_FULL=1 adds it"
	fi
fi

# Live update (docs/operations.md): each daemon into its own binary, with
# 1 and 50 clients writing; 1M nodes on Xen's daemon only with FULL.
if wanted lu; then
	run_lu() {
		group ours "" -t lu -N "$1" -L "$BIN/xenstored"
		[ -n "$THEIRS" ] && [ "$2" = both ] &&
			group theirs "" -t lu -N "$1" -L "$XEN_D"
	}
	run_lu "$NODES" both
	if [ -n "$BIG" ]; then
		TMO=3600
		run_lu "$BIG" "$([ -n "$FULL" ] && echo both)"
		TMO=300
		[ -n "$THEIRS" ] && [ -z "$FULL" ] &&
			note "live update at 1M nodes on Xen's daemon skipped (loading 1M takes ~18 min): BENCH_FULL=1 adds it"
	fi
fi

# The durable mode, where it matters: writes, commits, loading.
if ! wanted fsync; then
	:
elif "$BIN/xenstored" --sync=fsync --help >/dev/null 2>&1; then
	# An fsync costs milliseconds when the disk is busy: fewer ops, a
	# 3 s cap per tx figure and 10k nodes keep this pass within about a
	# minute, so that the default run stays near 5 min.  Rates need no
	# more ops.
	[ -n "$QUICK" ] && FCOUNTS="-X 3" ||
		FCOUNTS="-n 2000 -o 6000 -c 600 -X 3"
	group ours "--sync=fsync" $MAIN $FCOUNTS -w -k fsync. \
		-T "[--sync=fsync] " \
		-t seq,tput,tx
	group ours "--sync=fsync" -k fsync. -T "[--sync=fsync] " \
		-t populate -N 10000
	note "--sync=fsync figures: ours only (Xen's C daemon has no such mode)"
else
	note "--sync=fsync figures skipped: our xenstored rejects --sync=fsync"
fi

# sim_group GROUP WHAT: tools/bench/GROUP.sh on a simulated host, ours
# only, since Xen's daemons cannot be given simulated guests here.
sim_group() {
	wanted "$1" && [ -x "$BIN/xsim" ] && [ -x "$BIN/xsim-guest" ] || return 0
	if sh "$(dirname "$0")/$1.sh" "$BIN" "$QUICK" >"$OUT/$1.txt"; then
		grep '^RESULT' "$OUT/$1.txt" >>"$OUT/ours.txt"
		note "$1 figures: ours only ($2)"
	else
		note "$1 figures failed: $(grep '^#' "$OUT/$1.txt" | tail -n 1)"
	fi
	grep '^# ' "$OUT/$1.txt" | sed "s/^# /$1: /" >>"$OUT/notes.txt"
}
sim_group stub "xenstored in its own domain, dom0's tools through dom0's xenbus device and ring"
sim_group ring "guests of the simulated host reading over their rings: 1, 16 and 50 at once"
sim_group devices "xsim create to Connected, requests per device"
sim_group crash "guests incrementing across a SIGKILL of the daemon and its restart by xsim's supervisor"

# The pool (docs/pool.md, tools/bench/pool.sh, about two minutes): a private
# etcd cluster, replication, mirrored commits, the agent's cost to the
# local daemon, migration; ours only, and only where etcd is installed.
if wanted pool; then
	if ! command -v etcd >/dev/null; then
		note "pool figures skipped: etcd is not installed (etcd-server)"
	elif [ ! -x "$BIN/xs-pool-agent" ] || [ ! -x "$BIN/xsim" ] ||
		[ ! -x "$BIN/../tests/pool-mirror" ]; then
		note "pool figures skipped: xs-pool-agent, xsim or tests/pool-mirror not built"
	elif POOL_TABLE=$OUT/pool-agent.md \
		sh "$(dirname "$0")/pool.sh" "$BIN" "$QUICK" >"$OUT/pool.txt"; then
		cat "$OUT/pool.txt" >>"$OUT/ours.txt"
		note "pool figures: ours only (two hosts on a private etcd of three members)"
	else
		note "pool figures failed: see above"
	fi
fi

# The table: one row per key in the order first measured (ours, then
# any only theirs has), the median of each side's runs, and the ratio.
# It goes to stdout and, with the plots of report.sh, to the HTML page.
{
echo
echo "| figure | ours | theirs | ratio |"
echo "|---|---|---|---|"
awk -F '\t' '
function fmt(v, u) {
	if (v == "")
		return "-"
	if (u == "us" || u == "ms" || u == "%")
		return sprintf("%.1f", v)
	if (u == "s")
		return sprintf("%.2f", v)
	return sprintf("%.0f", v)
}
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
{
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
		o = median("o", k)
		t = median("t", k)
		r = (o != "" && t != "" && t + 0 != 0) ? sprintf("%.2f", o / t) : "-"
		printf "| %s | %s | %s | %s |\n", text[k], fmt(o, unit[k]),
		    fmt(t, unit[k]), r
	}
}' "$OUT/ours.txt" "$OUT/theirs.txt"
echo
[ "$REPS" -gt 1 ] && echo "Each value is the median of $REPS fresh-daemon runs (1M: one run)."
[ -n "$THEIRS" ] || THEIRS_VER=""
echo "ours: $BIN/xenstored at ${OURS_REV:-?}; theirs: Xen's C xenstored ${THEIRS_VER:-(not run)}."
echo "Daemon run directories (our tdb file) on $SCRATCH ($(stat -f -c %T "$SCRATCH" 2>/dev/null))."
echo "ratio = ours / theirs: above 1 is better for ops/s, commits/s, nodes/s;"
echo "below 1 is better for us, s, kB.  Pinning: $PINNED."
echo "VmRSS counts the resident pages of shared libraries (ours uses talloc,"
echo "libevent, tdb, zlib, protobuf-c; Xen's builds its own in); RssAnon is"
echo "the memory that is the daemon's alone."
echo "Noise: 2 cores shared with other work; load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Differences within +-20-30 % are noise on such a machine (../shared/bench/README.md)."
# The pool agent's cost, with and without side by side (pool.sh).
if [ -s "$OUT/pool-agent.md" ]; then
	echo
	cat "$OUT/pool-agent.md"
fi
if [ -s "$OUT/notes.txt" ]; then
	echo
	echo "Notes:"
	sed 's/^/- /' "$OUT/notes.txt"
fi
} | tee "$OUT/report.md"
sh "$(dirname "$0")/report.sh" "$OUT" "$OUT/report.md" "$HTML"
[ -n "${BENCH_OUT:-}" ] || rm -rf "$OUT"
exit $FAILED
