#!/bin/sh
# SPDX-License-Identifier: MIT
# A live update of a xenstore domain that has grown (docs/stubdom.md,
# "Memory"): a guest fills the domain past its boot size
# (XENSTORE_DOMAIN_SIZE 8), so that it grows; then the domain is
# live-updated.  The new kernel keeps the grown size (the hypervisor's,
# and the process's data limit: it is not squeezed back to 8 MiB), takes
# every node over, value for value, and grows on, ahead of need, up to
# the maximum, when a second guest fills it after the update; updated
# again there, full, it keeps every node and serves on.
#
# Under SANITIZE the domain runs without a limit (ASan's shadow is
# private memory): nothing grows, the update keeps every node all the
# same.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
case "$XS_BUILD" in
*/san-*) N=300 M=300 LIMITED="" ;;
*) N=2000 M=200000 LIMITED=1 ;;
esac
XENSTORETYPE=domain
XENSTORE_DOMAIN_SIZE=8
XENSTORE_MAX_DOMAIN_SIZE=24
XENSTORE_DOMAIN_ARGS="-Q nodes=0 -Q memory=0 -q memory=0 -Q node-size=0"
export XENSTORETYPE XENSTORE_DOMAIN_SIZE XENSTORE_MAX_DOMAIN_SIZE \
	XENSTORE_DOMAIN_ARGS
start_sim -n
expect_log
[ -n "$LIMITED" ] && expect_hyp_log
pid=$(cat "$SIM/xenstored.pid")

# size: the xenstore domain's Mem column in xsim list.
size() { "$XSIM" -r "$SIM" list | awk '$1 == "Xenstore" { print $3 }'; }
# datalimit: the daemon's RLIMIT_DATA, soft and hard, in MiB.
datalimit() {
	awk '/^Max data size/ { printf "%s %s\n", $4 / 1048576, $5 / 1048576 }' \
		"/proc/$pid/limits"
}
# nodes D: how many nodes guest D's data holds, and a digest of them all.
nodes() {
	"$BIN/xenstore-list" "/local/domain/$1/data" | wc -l
	"$BIN/xenstore-ls" -f "/local/domain/$1/data" | md5sum
}

# 2000 nodes of 3000 bytes: more than 8 MiB hold (about 1360,
# stub_memory.sh), fewer than the maximum.
V=$(printf '%03000d' 0)
xsim create fa -k "$TOOLS/ring-guest" -- "repeat:$N:write:data/#=$V" sleep ||
	fail "create fa"
wait_for "the first flood" grep -q '^repeat ok ' "$SIM/domains/fa.log"
check_eq "first flood" "repeat ok $N" "$(grep '^repeat ok ' "$SIM/domains/fa.log")"
da=$(xsim domid fa)
before=$(nodes "$da")
grown=$(size)
limit=$(datalimit)
echo "grown to $grown MiB (data limit $limit) by $N nodes"
if [ -n "$LIMITED" ]; then
	[ "$grown" -gt 8 ] && [ "$grown" -lt 24 ] ||
		fail "size after the first flood: $grown"
	check_eq "grown data limit" "$grown 24" "$limit"
fi

"$BIN/xenstore-control" live-update -t 10 "$BIN/xenstored" ||
	fail "live update of the grown domain"
check_eq "the domain's process" "$pid" "$(cat "$SIM/xenstored.pid")"
case $(readlink "/proc/$pid/exe") in
/memfd:*) ;;
*) fail "the kernel is not the uploaded image: $(readlink "/proc/$pid/exe")" ;;
esac
check_eq "size after the update" "$grown" "$(size)"
check_eq "data limit after the update" "$limit" "$(datalimit)"
check_eq "nodes after the update" "$before" "$(nodes "$da")"
"$BIN/xenstore-control" check >/dev/null || fail "store inconsistent"

# It grows on after the update, up to the maximum.
xsim create fb -k "$TOOLS/ring-guest" -- "repeat:$M:write:data/#=$V" sleep ||
	fail "create fb"
wait_for "the second flood" grep -q '^repeat ok ' "$SIM/domains/fb.log"
r=$(grep '^repeat ok ' "$SIM/domains/fb.log")
echo "after the update: $r"
if [ -z "$LIMITED" ]; then
	check_eq "second flood" "repeat ok $M" "$r"
	check_eq "size" 8 "$(size)"
	echo PASS
	exit 0
fi
case "$r" in
"repeat ok "*" ENOMEM") ;;
*) fail "expected ENOMEM at the maximum, got: $r" ;;
esac
# 20 MiB hold about 3417 such nodes (stub_memory_grow.sh), 24 about 4100.
n=${r#repeat ok }
n=${n%% *}
[ $((N + n)) -gt 3800 ] || fail "only $N + $n nodes: no growth after the update"
check_eq "size at the maximum" 24 "$(size)"
check_eq "data limit at the maximum" "24 24" "$(datalimit)"
grep -q "^xenstored: memory: the domain grew by 4096 KiB to 24576 KiB (its nodes near their part)" \
	"$SIM/xenstored.log" || fail "no growth after the update: $(cat "$SIM/xenstored.log")"
grep -q "^xenstored: memory: the domain may not grow beyond 24576 KiB" \
	"$SIM/xenstored.log" || fail "no refusal line: $(cat "$SIM/xenstored.log")"
grep -q "^xenstored: domain $(xsim domid fb): WRITE refused: out of memory" \
	"$SIM/xenstored.log" || fail "no ENOMEM line: $(cat "$SIM/xenstored.log")"
check_eq "the first guest's nodes at the end" "$before" "$(nodes "$da")"

# Full, at the maximum: updated all the same, every node kept, and what
# a removal gives back serves a write again.
db=$(xsim domid fb)
full=$(nodes "$db")
"$BIN/xenstore-control" live-update -t 10 "$BIN/xenstored" ||
	fail "live update at the maximum"
check_eq "size after the second update" 24 "$(size)"
check_eq "data limit after the second update" "24 24" "$(datalimit)"
check_eq "first guest's nodes after the second update" "$before" "$(nodes "$da")"
check_eq "second guest's nodes after the second update" "$full" "$(nodes "$db")"
# A kernel of another store layout takes the nodes one by one.
perl -0777 -pe 's/store-image-1/store-image-x/g' "$BIN/xenstored" >"$RUN/other-layout"
chmod +x "$RUN/other-layout"
"$BIN/xenstore-control" live-update -t 10 "$RUN/other-layout" ||
	fail "live update at the maximum to another layout"
check_eq "size after the third update" 24 "$(size)"
check_eq "first guest's nodes after the third update" "$before" "$(nodes "$da")"
check_eq "second guest's nodes after the third update" "$full" "$(nodes "$db")"
"$BIN/xenstore-rm" "/local/domain/$db/data/0" || fail "rm at the maximum"
"$BIN/xenstore-write" "/local/domain/$db/data/0" "$V" ||
	fail "write after a removal at the maximum"
"$BIN/xenstore-write" /served yes || fail "dom0 not served at the maximum"
"$BIN/xenstore-control" check >/dev/null || fail "store inconsistent"
kill -0 "$pid" || fail "xenstored died"
echo PASS
