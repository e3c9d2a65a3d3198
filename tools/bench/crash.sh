#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The crash-restart figures of make bench (docs/crash-restart.md):
# guests of a simulated host increment a node with plain requests and
# another in transactions (xsim-guest's incr-loop) while xenstored is
# killed once with SIGKILL and its supervisor starts it again (with no
# delay: systemd's default RestartSec adds 100 ms).  For 1 and 50 guests
# on a store of 100k and 1M nodes: the blackout (the longest round any
# guest waited, which holds the restart) and the guests' worst p99 round
# across the crash; every count must come out exact.  Prints RESULT
# lines in xs-bench's format.  Usage: crash.sh BIN-DIR [quick]
BIN=$1
QUICK=${2:-}
R=$(mktemp -d /tmp/xsb-crash.XXXXXX)
[ -n "${CRASH_KEEP:-}" ] || trap '"$BIN/xsim" -r "$R" stop >/dev/null 2>&1; rm -rf "$R"' EXIT
XSIM_RESTART_MS=0
XENSTORED_PATH=$R/xenstored/socket
export XSIM_RESTART_MS XENSTORED_PATH

result() { printf 'RESULT\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4"; }
fail() { echo "# crash: $*" >&2; exit 1; }

# marks MARK N: wait until the guests of this run printed MARK N times.
marks() {
	i=0
	until [ "$(cat "$R"/domains/c"$label$guests"-*.log 2>/dev/null |
		grep -c "^$1\$")" -ge "$2" ]; do
		i=$((i + 1))
		[ $i -gt 1200 ] && fail "$label nodes: not $2 guests $1"
		sleep 0.05
	done
}

# run NODES-LABEL GUESTS ROUNDS: one crash under GUESTS incrementing guests.
run() {
	label=$1 guests=$2 rounds=$3
	# -t 600: incr-loop is one operation for the guest's hang guard
	# (60 s by default), which a loaded machine can outlast.
	i=1
	while [ $i -le "$guests" ]; do
		"$BIN/xsim" -r "$R" create "c$label$guests-$i" -- -t 600 \
			'watch /bench-go g' 'wait 1' 'mark ready' 'wait 1' \
			'mark looping' \
			"incr-loop $rounds data/plain data/tx" 'mark done' \
			'sleep' >/dev/null || fail "create"
		i=$((i + 1))
	done
	# All at once, once all watch: each watch fires on one write.
	marks ready "$guests"
	"$BIN/xenstore-write" /bench-go "$label$guests"
	marks looping "$guests"
	sleep 0.3
	cat "$R"/domains/c"$label$guests"-*.log | grep -q '^done' &&
		fail "$label nodes, $guests guests: done before the kill"
	restarts=$(grep -c "killed by signal" "$R/xenstored.log")
	t0=$(date +%s%N)
	kill -KILL "$(cat "$R/xenstored.pid")"
	# A dom0 client's wait: until the new daemon answers on its socket.
	until "$BIN/xenstore-exists" /local 2>/dev/null; do sleep 0.002; done
	t1=$(date +%s%N)
	[ "$(grep -c "killed by signal" "$R/xenstored.log")" -gt "$restarts" ] ||
		fail "$label nodes, $guests guests: the daemon was not restarted"
	i=0
	until [ "$(cat "$R"/domains/c"$label$guests"-*.log 2>/dev/null |
		grep -c '^done')" -ge "$guests" ]; do
		i=$((i + 1))
		if [ $i -gt "${CRASH_WAIT:-3000}" ]; then
			tail -n 3 "$R"/domains/c"$label$guests"-*.log >&2
			fail "$guests guests did not finish"
		fi
		sleep 0.1
	done
	# "incr-loop N: plain V tx V retries R p50 U p99 U max U"
	cat "$R"/domains/c"$label$guests"-*.log | awk -v n="$rounds" \
		-v key="crash.$label.g$guests" \
		-v what="crash restart, $label nodes, $guests guest(s)" '
		/^incr-loop [0-9]+:/ {
			seen++
			if ($4 != n || $6 != n) bad++
			if ($12 > p99) p99 = $12
			if ($14 > max) max = $14
		}
		END {
			if (bad || seen == 0) exit 1
			printf "RESULT\t%s.blackout\t%.1f\tms\t%s: blackout (longest wait of any guest) ms\n", key, max / 1000, what
			printf "RESULT\t%s.p99\t%.1f\tms\t%s: worst p99 round ms\n", key, p99 / 1000, what
			printf "RESULT\t%s.socket\t%.1f\tms\t%s: kill to the socket answering ms\n", key, sock, what
		}' sock="$(( (t1 - t0) / 1000 ))e-3" || fail "$label nodes, $guests guests: a count is wrong"
	i=1
	until "$BIN/xenstore-exists" /local 2>/dev/null; do sleep 0.05; done
	while [ $i -le "$guests" ]; do
		"$BIN/xsim" -r "$R" destroy "c$label$guests-$i" >/dev/null
		i=$((i + 1))
	done
}

"$BIN/xsim" -r "$R" start -n >/dev/null || fail "xsim start"
"$BIN/xenstore-write" /bench-go 0 && "$BIN/xenstore-chmod" /bench-go r0 ||
	fail "/bench-go"
NODES="100000:100k 1000000:1M"
G50=50
[ -n "$QUICK" ] && NODES="10000:10k" && G50=5
for spec in $NODES; do
	n=${spec%%:*}
	label=${spec#*:}
	# The same names again and more: the store holds n of them.
	"$BIN/xs-bench" -s "$XENSTORED_PATH" -t populate -N "$n" -K \
		-k "crash.fill.$label." >/dev/null || fail "populate $label"
	run "$label" 1 3000
	run "$label" "$G50" $((15000 / G50))
done
