#!/bin/sh
# SPDX-License-Identifier: MIT
# The xenstore domain's heap grows ahead of need too (docs/stubdom.md,
# "Memory"): the node arena takes half of the domain's memory, the heap
# the other half, and watches live there.  A guest's 1200 watches with
# tokens of 2000 bytes take more than 3/4 of the heap's half of 8 MiB:
# the domain grows because of its heap, before any request runs short,
# and every watch is set.
#
# Under SANITIZE the domain runs without a limit: nothing grows.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
case "$XS_BUILD" in
*/san-*) LIMITED="" ;;
*) LIMITED=1 ;;
esac
XENSTORETYPE=domain
XENSTORE_DOMAIN_SIZE=8
XENSTORE_MAX_DOMAIN_SIZE=24
XENSTORE_DOMAIN_ARGS="-Q watches=0 -Q memory=0 -q memory=0"
export XENSTORETYPE XENSTORE_DOMAIN_SIZE XENSTORE_MAX_DOMAIN_SIZE \
	XENSTORE_DOMAIN_ARGS
start_sim -n
[ -n "$LIMITED" ] && { expect_log; expect_hyp_log; }

# size: the xenstore domain's Mem column in xsim list.
size() { "$XSIM" -r "$SIM" list | awk '$1 == "Xenstore" { print $3 }'; }

T=$(printf '%02000d' 0)
xsim create fw -k "$TOOLS/ring-guest" -- "repeat:1200:watch:w/#:$T" sleep ||
	fail "create fw"
wait_for "the watches" grep -q '^repeat ok ' "$SIM/domains/fw.log"
check_eq "watches" "repeat ok 1200" "$(grep '^repeat ok ' "$SIM/domains/fw.log")"
if [ -n "$LIMITED" ]; then
	grep "^xenstored: memory:" "$SIM/xenstored.log"
	grep -q "^xenstored: memory: the domain grew by 4096 KiB to 12288 KiB (its heap near its part)" \
		"$SIM/xenstored.log" || fail "no growth ahead for the heap: $(cat "$SIM/xenstored.log")"
	! grep "(a request ran out of memory)" "$SIM/xenstored.log" ||
		fail "a request ran out of memory before the domain grew"
	! grep "refused: out of memory" "$SIM/xenstored.log" ||
		fail "a request was refused"
	[ "$(size)" -gt 8 ] || fail "size: $(size)"
else
	check_eq "size" 8 "$(size)"
fi
# The watches work: one fires when its node is written.
"$BIN/xenstore-write" "/local/domain/$(xsim domid fw)/w/7" x ||
	fail "write a watched node"
wait_for "the event" grep -q "^event w/7 $T" "$SIM/domains/fw.log"
"$BIN/xenstore-control" check >/dev/null || fail "store inconsistent"
echo PASS
