#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The stub-domain figures of make bench (docs/stubdom.md): xenstored in
# its own domain on a simulated host (XENSTORETYPE=domain), measured as
# dom0's tools reach it, through dom0's xenbus device xsim-xenbus and
# dom0's one ring.  The socket workloads (seq, tput, tx, watch) run with
# xs-bench's keys and texts prefixed, so the table shows them beside the
# dom0 daemon's; then how many nodes fit in a domain of 8 and of 32 MiB.
# Prints RESULT lines in xs-bench's format, for run.sh's table; '#'
# lines are notes.  It owns its host's start and stop, nothing else.
#
#   stub.sh BIN-DIR [quick]
#   BENCH_PIN=0        do not pin (default: the host, xenbus and the
#                      xenstore domain on CPU 0, xs-bench on CPU 1, as
#                      run.sh pins the dom0 daemon and its client)
#   BENCH_STUB_ARGS    xs-bench's counts (default: none, or -q if quick)
#   BENCH_STUB_FIT     the domain sizes to fill, in MiB (default "8 32";
#                      empty: none)
BIN=$1
QUICK=${2:-}
R=""
trap '[ -n "$R" ] && "$BIN/xsim" -r "$R" stop >/dev/null 2>&1; [ -n "$R" ] && rm -rf "$R"' EXIT
DPIN=""
CPIN=""
if [ "${BENCH_PIN:-1}" != 0 ] && command -v taskset >/dev/null &&
	[ "$(nproc)" -ge 2 ]; then
	DPIN="taskset -c 0"
	CPIN="taskset -c 1"
fi

# host SIZE [daemon options]: a fresh host with its xenstore domain of
# SIZE MiB, no backends; sets R.
host() {
	size=$1
	shift
	[ -n "$R" ] && { "$BIN/xsim" -r "$R" stop >/dev/null 2>&1; rm -rf "$R"; }
	R=$(mktemp -d /tmp/xsb-stub.XXXXXX)
	XENSTORETYPE=domain XENSTORE_DOMAIN_SIZE=$size \
		XENSTORE_DOMAIN_ARGS="$*" \
		$DPIN "$BIN/xsim" -r "$R" start -n >/dev/null 2>"$R.err" ||
		{ echo "# stub: the host did not start: $(tail -n 2 "$R.err")"; rm -f "$R.err"; return 1; }
	rm -f "$R.err"
}

if [ -n "${BENCH_STUB_ARGS+set}" ]; then
	ARGS=$BENCH_STUB_ARGS
elif [ -n "$QUICK" ]; then
	ARGS="-q"
else
	ARGS=""
fi
# 32 MiB, so that the memory limit is not what the workloads measure.
host 32 || exit 1
timeout 600 $CPIN "$BIN/xs-bench" -s "$R/xenstored/socket" \
	-p "$(cat "$R/xenstored.pid")" $ARGS -k stub. -T "[stub domain] " \
	-t seq,tput,tx,watch || { echo "# stub: xs-bench failed"; exit 1; }

# How many nodes of 16 bytes (populate's) fit in SIZE MiB: a guest
# writes them, every quota lifted, until the domain is out of memory.
# A build without the limit (AddressSanitizer) never gets there.
for size in ${BENCH_STUB_FIT-8 32}; do
	host "$size" -Q nodes=0 -Q memory=0 -q memory=0 -Q node-size=0 ||
		exit 1
	"$BIN/xsim" -r "$R" create fill -k "$BIN/../tests/ring-guest" -- \
		"repeat:4000000:write:data/d#=0123456789abcdef" sleep \
		>/dev/null || { echo "# stub: no guest to fill $size MiB"; exit 1; }
	i=0
	until grep -q '^repeat ok ' "$R/domains/fill.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 3000 ] && { echo "# stub: $size MiB not full after 300 s"; exit 1; }
		sleep 0.1
	done
	set -- $(grep '^repeat ok ' "$R/domains/fill.log")
	if [ "${4:-}" = ENOMEM ]; then
		printf 'RESULT\tstub.fit.%smib\t%s\tnodes\tstub domain: nodes of 16 bytes that fit in %s MiB\n' \
			"$size" "$3" "$size"
	else
		echo "# stub: $size MiB held $3 nodes without running out (no memory limit in this build?)"
	fi
done
