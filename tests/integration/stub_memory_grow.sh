#!/bin/sh
# SPDX-License-Identifier: MIT
# The xenstore domain boots with XENSTORE_DOMAIN_SIZE MiB and grows up
# to XENSTORE_MAX_DOMAIN_SIZE ahead of need: nodes that take 3/4 of the
# boot size's node arena make it grow before any request runs short; a
# transaction's commit larger than what was left runs out, makes it grow
# and runs again (its transaction kept meanwhile; at the maximum it is
# ended, ENOMEM); a guest's flood of large nodes goes on (each growth
# logged by the daemon and the hypervisor, each ahead), then reaches the
# maximum and gets ENOMEM, logged; the daemon keeps serving.  The size
# is the hypervisor's (xsim list), the process's soft data limit follows
# it (the hard one is the most), and the process cannot set its limit
# itself: the toolstack's seccomp filter is on it (its unit test:
# tests/sim/confine-unit, run here).
#
# Under SANITIZE the domain runs without a limit (ASan's shadow is
# private memory): nothing grows, the bounded flood must succeed, and
# the domain shows its boot size.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
case "$XS_BUILD" in
*/san-*) N=300 LIMITED="" ;;
*) N=200000 LIMITED=1 ;;
esac
XENSTORETYPE=domain
XENSTORE_DOMAIN_SIZE=8
XENSTORE_MAX_DOMAIN_SIZE=20
XENSTORE_DOMAIN_ARGS="-Q nodes=0 -Q memory=0 -q memory=0 -Q node-size=0"
export XENSTORETYPE XENSTORE_DOMAIN_SIZE XENSTORE_MAX_DOMAIN_SIZE \
	XENSTORE_DOMAIN_ARGS
start_sim -n
[ -n "$LIMITED" ] && { expect_log; expect_hyp_log; }
pid=$(cat "$SIM/xenstored.pid")

# size: the xenstore domain's Mem column in xsim list.
size() { "$XSIM" -r "$SIM" list | awk '$1 == "Xenstore" { print $3 }'; }
# datalimit: the daemon's RLIMIT_DATA, soft and hard, in MiB.
datalimit() {
	awk '/^Max data size/ { printf "%s %s\n", $4 / 1048576, $5 / 1048576 }' \
		"/proc/$pid/limits"
}
check_eq "boot size" 8 "$(size)"
if [ -n "$LIMITED" ]; then
	check_eq "boot data limit" "8 20" "$(datalimit)"
	grep -q "^Seccomp:[[:space:]]*2" "/proc/$pid/status" ||
		fail "the domain is not confined: $(grep Seccomp "/proc/$pid/status")"
	"$XS_BUILD/tests/sim/confine-unit" >"$RUN/confine.out" 2>&1 ||
		fail "confine-unit: $(cat "$RUN/confine.out")"
fi

V=$(printf '%03000d' 0)
# Ahead of need: 1150 such nodes fit in 8 MiB (about 1360 do), but take
# more than 3/4 of the node arena's part, so the domain grows before
# any request runs short.
xsim create fa -k "$TOOLS/ring-guest" -- "repeat:1150:write:data/#=$V" sleep ||
	fail "create fa"
wait_for "the first writes" grep -q '^repeat ok ' "$SIM/domains/fa.log"
check_eq "first writes" "repeat ok 1150" "$(grep '^repeat ok ' "$SIM/domains/fa.log")"
if [ -n "$LIMITED" ]; then
	wait_for "growth ahead" sh -c "[ \$('$XSIM' -r '$SIM' list |
		awk '\$1 == \"Xenstore\" { print \$3 }') = 12 ]"
	grep -q "^xenstored: memory: the domain grew by 4096 KiB to 12288 KiB (its nodes near their part)" \
		"$SIM/xenstored.log" || fail "no growth ahead: $(cat "$SIM/xenstored.log")"
fi
# A turn can take more than the loop left: a transaction's commit
# moves all its nodes into the arena at once.  300 more nodes fill the
# arena (6 MiB at 12) to 71%, short of 3/4, and a commit of 700 (2.1 MB,
# 2.2 MB on the heap meanwhile) finds 1.8 MB free: it runs out, the
# domain grows, and the commit runs again and succeeds.
xsim create ft -k "$TOOLS/ring-guest" -- "repeat:300:write:data/#=$V" start \
	"repeat:700:write:data/t#=$V" end:T sleep || fail "create ft"
wait_for "the transaction" grep -q '^TRANSACTION_END\|^ERROR' "$SIM/domains/ft.log"
check_eq "transaction's writes" "repeat ok 300
repeat ok 700" "$(grep '^repeat ok ' "$SIM/domains/ft.log")"
check_eq "commit" "TRANSACTION_END OK" "$(grep '^TRANSACTION_END\|^ERROR' "$SIM/domains/ft.log")"
check_eq "committed nodes" 1000 \
	"$("$BIN/xenstore-list" "/local/domain/$(xsim domid ft)/data" | wc -l)"
if [ -n "$LIMITED" ]; then
	grep -q "^xenstored: memory: the domain grew by 4096 KiB to 16384 KiB (a request ran out of memory)" \
		"$SIM/xenstored.log" || fail "the commit did not need to grow: $(cat "$SIM/xenstored.log")"
fi
# The guest of the last commit, created while there is room for it.
xsim create fe -k "$TOOLS/ring-guest" -- "wait:$RUN/full" start \
	"write:data/x=$V" end:T use:1 read:data/x sleep || fail "create fe"
xsim create fn -k "$TOOLS/ring-guest" -- "repeat:$N:write:data/#=$V" sleep ||
	fail "create fn"
wait_for "the flood" grep -q '^repeat ok ' "$SIM/domains/fn.log"
r=$(grep '^repeat ok ' "$SIM/domains/fn.log")
echo "fn: $r"
"$BIN/xenstore-write" /served yes || fail "dom0 not served after the flood"
kill -0 "$pid" || fail "xenstored died"
if [ -z "$LIMITED" ]; then
	check_eq "flood" "repeat ok $N" "$r"
	check_eq "size" 8 "$(size)"
	echo PASS
	exit 0
fi
case "$r" in
"repeat ok "*" ENOMEM") ;;
*) fail "expected ENOMEM at the maximum, got: $r" ;;
esac
# 8 MiB hold about 1360 such nodes (stub_memory.sh); 20 hold 2.5 times.
n=${r#repeat ok }
n=${n%% *}
n=$((n + 1150 + 1000))
echo "nodes in 20 MiB: $n"
[ "$n" -gt 3300 ] || fail "only $n nodes: the domain did not grow"
grep "^xenstored: memory:" "$SIM/xenstored.log"
# One guest's flood never outruns the loop: each step but the
# commit's came ahead.
check_eq "growth on running out" 1 \
	"$(grep -c "grew by.*(a request ran out of memory)" "$SIM/xenstored.log")"
check_eq "grown size" 20 "$(size)"
check_eq "grown data limit" "20 20" "$(datalimit)"
grep -q "^xenstored: memory: the domain grew by 4096 KiB to 12288 KiB" \
	"$SIM/xenstored.log" || fail "no growth line: $(cat "$SIM/xenstored.log")"
grep -q "^xenstored: memory: the domain may not grow beyond 20480 KiB" \
	"$SIM/xenstored.log" || fail "no refusal line: $(cat "$SIM/xenstored.log")"
grep -q "^xenstored: domain [0-9]*: WRITE refused: out of memory" \
	"$SIM/xenstored.log" || fail "no ENOMEM line: $(cat "$SIM/xenstored.log")"
grep -q "dom[0-9]* grew by 4096 KiB to 20480 KiB (at most 20480)" \
	"$SIM/xenhyp.log" || fail "hypervisor: $(cat "$SIM/xenhyp.log")"
! grep -qi "abort\|fatal" "$SIM/xenstored.log" || fail "the daemon aborted"
# At the maximum, full: a commit that runs out gets ENOMEM and its
# transaction is ended all the same (a read in it is ENOENT).
touch "$RUN/full"
wait_for "the last commit" grep -q '^READ\|^ERROR ENOENT' "$SIM/domains/fe.log"
check_eq "the last commit" "TRANSACTION_START 1
WRITE OK
ERROR ENOMEM
ERROR ENOENT" "$(grep -v '^domid' "$SIM/domains/fe.log")"
check_eq "dom0 read" yes "$("$BIN/xenstore-read" /served)"
"$BIN/xenstore-control" check >/dev/null || fail "store inconsistent"
echo PASS
