#!/bin/sh
# SPDX-License-Identifier: MIT
# The xenstore domain's memory is a hard limit for the daemon inside it
# (XENSTORE_DOMAIN_SIZE MiB, here Debian's default 8): with every quota
# lifted, three guests at once flood it with large nodes, watches with
# large tokens and the nodes of an open transaction.  Each flood ends in
# ENOMEM, with a log line naming a domain refused; the daemon never
# aborts, dom0 is served meanwhile, and once the flooders are destroyed
# their memory serves again.
#
# Under SANITIZE the domain runs without the limit (ASan's shadow is
# private memory): the floods are bounded and must all succeed.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
case "$XS_BUILD" in
*/san-*) N=300 LIMITED="" ;;
*) N=200000 LIMITED=1 ;;
esac
XENSTORETYPE=domain
XENSTORE_DOMAIN_ARGS="-Q nodes=0 -Q watches=0 -Q memory=0 -q memory=0
	-Q transactions=0 -Q transaction-nodes=0 -Q node-size=0"
export XENSTORETYPE XENSTORE_DOMAIN_ARGS
start_sim -n
[ -n "$LIMITED" ] && expect_log

V=$(printf '%03000d' 0)
T=$(printf '%02000d' 0)
RG="$TOOLS/ring-guest"
# All three made before any floods: a toolstack writing a new domain's
# nodes into a full store would get ENOMEM itself.
xsim create fn -k "$RG" -- "wait:$RUN/go" "repeat:$N:write:data/#=$V" \
	sleep || fail "create fn"
xsim create fw -k "$RG" -- "wait:$RUN/go" "repeat:$N:watch:data/#:$T" \
	sleep || fail "create fw"
xsim create ft -k "$RG" -- "wait:$RUN/go" start \
	"repeat:$N:write:data/t#=$V" sleep || fail "create ft"
touch "$RUN/go"

# result NAME: its "repeat ok" line, once it has one.
result() {
	wait_for "guest $1's flood" grep -q '^repeat ok ' "$SIM/domains/$1.log"
	grep '^repeat ok ' "$SIM/domains/$1.log"
}
for g in fn fw ft; do
	r=$(result $g)
	echo "$g: $r"
	if [ -n "$LIMITED" ]; then
		case "$r" in
		"repeat ok "*" ENOMEM") ;;
		*) fail "guest $g: expected ENOMEM, got: $r" ;;
		esac
	else
		check_eq "guest $g" "repeat ok $N" "$r"
	fi
	"$BIN/xenstore-write" /served "$g" || fail "dom0 not served after $g"
done
if [ -n "$LIMITED" ]; then
	grep -q "^xenstored: domain [0-9]*: [A-Z_]* refused: out of memory" \
		"$SIM/xenstored.log" || fail "no ENOMEM line: $(cat "$SIM/xenstored.log")"
	! grep -qi "abort\|fatal" "$SIM/xenstored.log" || fail "the daemon aborted"
fi

# The flooders die (a toolstack's transaction could not even start while
# the store is full): the daemon releases them, and their memory serves
# dom0 again.
for g in fn fw ft; do kill -9 "$(xsim pid $g)" || fail "kill $g"; done
i=0
until timeout 3 "$BIN/xenstore-write" /after "$V" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 20 ] && { cat "$SIM/xenstored.log"; fail "memory not given back"; }
	sleep 0.1
done
wait_for "the flooders to be reaped" sh -c \
	"! '$XSIM' -r '$SIM' list | grep -q '^f[nwt] '"
check_eq "dom0 after the floods" "$V" "$("$BIN/xenstore-read" /after)"
"$BIN/xenstore-control" check >/dev/null || fail "store inconsistent"
kill -0 "$(cat "$SIM/xenstored.pid")" || fail "xenstored died"
echo PASS
