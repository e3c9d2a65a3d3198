#!/bin/sh
# SPDX-License-Identifier: MIT
# 50 guests at once on the simulated host: all are introduced and run;
# on dom0's signal they all increment one shared node in transactions
# (retried on EAGAIN) and their own nodes, each watching its own "go"
# node; no increment is lost; `xsim list` shows them all; `xsim stop`
# takes everything down (the cleanup checks that no process is left).
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
N=50
ROUNDS=5
# One permission entry per guest on the shared node, and dom0's.
start_sim -- -A $((N + 4))

"$BIN/xenstore-write" /shared/counter 0
script=""
i=0
while [ $i -lt $ROUNDS ]; do
	script="$script begin|incr /shared/counter|incr data/n|commit|"
	i=$((i + 1))
done
i=1
while [ $i -le $N ]; do
	# Word splitting of $script on '|' below: one operation per argument.
	# The guests wait for "go" while the others are created, which takes
	# long on a loaded machine: the hang guard must outlast that.
	(IFS='|'; set -f
	 xsim create "g$i" -- -t 600 'watch data/go g' 'wait 2' $script \
		'mark done' 'sleep') || fail "create g$i"
	i=$((i + 1))
done

perms="n0"
domids=""
i=1
while [ $i -le $N ]; do
	d=$(xsim domid "g$i") || fail "domid of g$i"
	domids="$domids $d"
	perms="$perms b$d"
	i=$((i + 1))
done
"$BIN/xenstore-chmod" /shared/counter $perms || fail "chmod"
for d in $domids; do
	"$BIN/xenstore-write" "/local/domain/$d/data/go" 1 || fail "go $d"
done

all_done() {
	for f in "$SIM"/domains/g*.log; do
		has_line "$f" sleeping || return 1
	done
}
i=0
until all_done; do
	i=$((i + 1))
	[ $i -gt 3000 ] && fail "the guests did not finish"
	sleep 0.1
done

check_eq "shared counter" $((N * ROUNDS)) \
	"$("$BIN/xenstore-read" /shared/counter)"
for d in $domids; do
	check_eq "counter of $d" $ROUNDS \
		"$("$BIN/xenstore-read" "/local/domain/$d/data/n")"
done
for f in "$SIM"/domains/g*.log; do
	check_eq "commits in $f" $ROUNDS "$(grep -c '^commit: OK$' "$f")"
done
check_eq "domains listed" $((N + 1)) "$(xsim list | tail -n +2 | wc -l)"
check_eq "guests running" $N "$(xsim list | grep -c '^g.* r----- ')"
pids=$(awk '$1 == "pid" || $1 == "monitor" { print $2 }' "$SIM"/domains/g*[0-9])
xsim stop || fail "xsim stop"
for p in $pids; do
	! alive "$p" || fail "process $p left after xsim stop"
done
