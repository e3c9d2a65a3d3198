#!/bin/sh
# SPDX-License-Identifier: MIT
# xenstore as a domain (XENSTORETYPE=domain, xencommons' variable): `xsim
# start` boots xenstored as the kernel of the domain "Xenstore", flagged
# as the xenstore domain, and dom0 reaches it only through xsim-xenbus,
# dom0's xenbus device (XENSTORED_PATH is its socket).
#
#   - init-xenstore-domain's nodes: /tool/xenstored/domid and the
#     domain's /local/domain/<id> (name, memory sizes);
#   - the main job: a guest with a disk and a NIC created, every device
#     Connected at both ends, then destroyed;
#   - dom0 clients through the endpoint, several at once, each with its
#     own watches and transactions: xs-script's transactions and watches
#     scripts (numbered connections are separate clients), and Debian's
#     xenstore tools when installed;
#   - the access log written through the domain's console into the file
#     -T names;
#   - the domain killed: dom0's xenbus reports that xenstore is lost and
#     the toolstack fails instead of hanging.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
XENSTORETYPE=domain
export XENSTORETYPE
start_sim -- -T access.log

id=$("$BIN/xenstore-read" /tool/xenstored/domid) || fail "no /tool/xenstored/domid"
# Replies longer than dom0's ring come through xsim-xenbus, which reads as
# Linux does (it notifies only when it found the ring full), whole.
BIG=$(printf '%03000d' 5)
"$BIN/xenstore-write" /stub/big "$BIG"
for i in 1 2 3; do
	check_eq "a 3000-byte value through dom0's ring" "$BIG" \
		"$(timeout 20 "$BIN/xenstore-read" /stub/big)"
done
"$BIN/xenstore-rm" /stub
check_eq "xenstore domain name" Xenstore \
	"$("$BIN/xenstore-read" "/local/domain/$id/name")"
check_eq "its memory/target (kB)" 8192 \
	"$("$BIN/xenstore-read" "/local/domain/$id/memory/target")"
xsim list | grep -q "^Xenstore  *$id " || { xsim list; fail "xsim list"; }
[ ! -e "$SIM/xenstored/tdb" ] || fail "the xenstore domain wrote a database"

# The main job, as make run does it.
dd if=/dev/zero of="$RUN/g.img" bs=1 count=0 seek=16M 2>/dev/null
xsim create "$XS_TOP/tools/xsim/examples/guest1.cfg" \
	"disk=['format=raw, vdev=xvda, access=rw, target=$RUN/g.img']" ||
	fail "create guest1"
xsim wait -t 20 guest1 || fail "guest1's devices"
g=$(xsim domid guest1)
check_eq "vbd backend state" 4 \
	"$("$BIN/xenstore-read" "/local/domain/0/backend/vbd/$g/51712/state")"
check_eq "vif frontend state" 4 \
	"$("$BIN/xenstore-read" "/local/domain/$g/device/vif/0/state")"

# Many dom0 clients at once over dom0's one ring.
for s in transactions watches; do
	"$TOOLS/xs-script" "$XS_TOP/tests/scripts/$s.xs" >"$RUN/$s.out" 2>&1 ||
		{ cat "$RUN/$s.out"; fail "xs-script $s through dom0's xenbus"; }
done
if [ -x /usr/bin/xenstore-ls ]; then
	/usr/bin/xenstore-write /debian/x 1 || fail "Debian's xenstore-write"
	check_eq "Debian's xenstore-read" 1 "$(/usr/bin/xenstore-read /debian/x)"
	/usr/bin/xenstore-ls "/local/domain/$id" >"$RUN/ls.out" ||
		fail "Debian's xenstore-ls"
	grep -q 'name = "Xenstore"' "$RUN/ls.out" || fail "Debian's xenstore-ls output"
fi
grep -q "WRITE (/tool/xenstored/domid $id" "$SIM/xenstored/access.log" ||
	fail "no access log through the console"

xsim destroy guest1 || fail "destroy guest1"
wait_for "guest1's home to go" sh -c \
	"! '$BIN/xenstore-exists' /local/domain/$g"

# The xenstore domain dies: the host says so, tools fail, nothing hangs.
kill -9 "$(cat "$SIM/xenstored.pid")"
wait_for "dom0's xenbus to report" grep -q \
	"the xenstore domain $id died" "$SIM/xenbus.log"
if timeout 10 "$BIN/xenstore-read" /tool/xenstored/domid >/dev/null 2>&1; then
	fail "xenstore still answers"
fi
echo "PASS"
