#!/bin/sh
# SPDX-License-Identifier: MIT
# Live update of the xenstore domain (docs/stubdom.md): with
# /tool/xenstored/domid present, xenstore-control uploads the new kernel
# (live-update -b SIZE, then -d chunks, then -s), and the domain execs it
# in place, keeping its domid, its rings, event channels and state.
#
#   - two guests increment a node plainly and another in transactions,
#     and a dom0 client (through dom0's xenbus) does the same, while the
#     domain is updated round after round by our tool and by Debian's
#     (given, in a private mount namespace, the /dev/xen/privcmd its
#     libxenctrl opens to read the kernel file; it makes no hypercall):
#     nothing lost or applied twice, no error, the same domain and
#     process throughout, the kernel now the uploaded image;
#   - the store goes over as one image (the kernel's text names its
#     layout), and as node records to a kernel of another layout;
#   - watches keep firing afterwards, on the guests' rings and for a
#     dom0 client of the xenbus device;
#   - an open transaction holds the update back (refused after -t), and
#     commits afterwards;
#   - failed uploads leave the old kernel serving: a bad size, a size
#     past the domain's memory, too much data, -s before the end, an
#     abort, -f (a xenstore domain reads no dom0 file), a file that is
#     not an executable, an executable that is not a xenstored, and a
#     guest trying it.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
XENSTORETYPE=domain
XENSTORE_DOMAIN_ARGS=-V # what each update took over, on the console
export XENSTORETYPE XENSTORE_DOMAIN_ARGS
expect_log # the refusals are logged
N=${STUB_LU_INCREMENTS:-1500}
ROUNDS=${STUB_LU_ROUNDS:-6}
start_sim

id=$("$BIN/xenstore-read" /tool/xenstored/domid) || fail "no /tool/xenstored/domid"
pid=$(cat "$SIM/xenstored.pid")
XC="$BIN/xenstore-control"
XEN_BIN=${XEN_BIN:-/usr/lib/xen-4.17/bin}

# Debian's tool, where it and mount namespaces are there.
DEB=""
if [ -x "$XEN_BIN/xenstore-control" ] && unshare -m true 2>/dev/null; then
	cat >"$RUN/debian-xenstore-control" <<EOF
#!/bin/sh
exec unshare -m sh -c '
	mount -t tmpfs -o mode=755 none /dev &&
	mknod -m 666 /dev/null c 1 3 && mkdir /dev/xen &&
	touch /dev/xen/privcmd && exec "\$0" "\$@"' \
	"$XEN_BIN/xenstore-control" "\$@"
EOF
	chmod +x "$RUN/debian-xenstore-control"
	DEB=$RUN/debian-xenstore-control
else
	echo "note: Debian's xenstore-control missing, ours only"
fi

# serving: the old kernel still answers, as the same domain.
serving() {
	"$BIN/xenstore-write" /stub/probe "$1" || fail "$1: no longer serving"
	check_eq "$1: read back" "$1" "$("$BIN/xenstore-read" /stub/probe)"
	check_eq "$1: the domain" "$id" "$("$BIN/xenstore-read" /tool/xenstored/domid)"
	check_eq "$1: its process" "$pid" "$(cat "$SIM/xenstored.pid")"
	alive "$pid" || fail "$1: the xenstore domain died"
}

# Failed updates, before anything is replaced.
"$XC" live-update "$XS_TOP/README.md" 2>"$RUN/lu.err" && fail "a text file"
grep -q "Error activating new binary" "$RUN/lu.err" || { cat "$RUN/lu.err"; fail "text file's reason"; }
serving text
"$XC" live-update /bin/true 2>"$RUN/lu.err" && fail "an ELF not ours"
serving true
if [ -n "$DEB" ]; then
	"$DEB" live-update "$XS_TOP/README.md" 2>"$RUN/lu.err" && fail "Debian's, a text file"
	grep -q "Error activating new binary" "$RUN/lu.err" || { cat "$RUN/lu.err"; fail "Debian's reason"; }
	serving debian-text
fi
dom0 'control live-update -b 0' 'control live-update -b 12ab' \
	'control live-update -b 1073741824' \
	'control live-update -b 10' 'control live-update -d 5 hello' \
	'control live-update -d 6 hello!' 'control live-update -s -t 5' \
	'control live-update -b 20' 'control live-update -d 5 hello' \
	'control live-update -a' 'control live-update -d 5 hello' \
	'control live-update -f /bin/true' >"$RUN/bad.out" 2>&1 ||
	{ cat "$RUN/bad.out"; fail "the bad requests"; }
expect_output bad "$RUN/bad.out" <<'EOF'
control live-update: EINVAL
control live-update: EINVAL
control live-update = Allocation failure.
control live-update = OK
control live-update = OK
control live-update = Too much kernel data.
control live-update = Kernel not complete.
control live-update = OK
control live-update = OK
control live-update = OK
control live-update = Not in live-update session.
control live-update: EINVAL
EOF
serving bad-requests
xsim create intruder -- 'control live-update -b 10' 'sleep' || fail "create intruder"
wait_for "the intruder's refusal" grep -q "control live-update: EACCES" \
	"$SIM/domains/intruder.log"
xsim destroy intruder || fail "destroy intruder"
serving intruder

# An open transaction holds the update back; without -F it is refused.
mkfifo "$RUN/tx.in"
"$BIN/xsim-guest" -s <"$RUN/tx.in" >"$RUN/tx.out" 2>&1 &
txpid=$!
background $txpid
exec 7>"$RUN/tx.in"
printf 'begin\nwrite /stub/tx held\nmark opened\n' >&7
wait_for "the open transaction" grep -q opened "$RUN/tx.out"
"$XC" live-update -t 1 "$BIN/xenstored" 2>"$RUN/lu.err" && fail "update past an open transaction"
grep -q "Domains with long running transactions" "$RUN/lu.err" ||
	{ cat "$RUN/lu.err"; fail "the refusal's reason"; }
serving held
printf 'commit\nexit\n' >&7
exec 7>&-
wait $txpid || { cat "$RUN/tx.out"; fail "the transaction's client"; }
grep -q "commit: OK" "$RUN/tx.out" || { cat "$RUN/tx.out"; fail "commit after the refusal"; }
check_eq "the transaction's write" held "$("$BIN/xenstore-read" /stub/tx)"

# The update under load.
for g in 1 2; do
	xsim create "g$g" -- -t 600 'watch data/w t' 'wait 1' \
		"incr-loop $N data/plain data/tx" 'mark done' 'wait 1' \
		'mark fired' 'sleep' || fail "create g$g"
done
"$BIN/xenstore-write" /stub/flag 0
"$BIN/xenstore-watch" /stub/flag >"$RUN/watch.out" 2>&1 &
background $!
dom0 -t 600 "incr-loop $N /stub/plain /stub/tx" >"$RUN/dom0.out" 2>&1 &
dom0pid=$!
background $dom0pid

all_done() {
	for g in 1 2; do
		has_line "$SIM/domains/g$g.log" done || return 1
	done
	! alive "$dom0pid"
}
rounds=0
busy=0
while ! all_done || [ $rounds -lt "$ROUNDS" ]; do
	all_done || busy=$((busy + 1))
	tool=$XC
	[ $((rounds % 2)) -eq 1 ] && [ -n "$DEB" ] && tool=$DEB
	t0=$(date +%s%N)
	"$tool" live-update -t 10 "$BIN/xenstored" ||
		fail "live update $rounds with $tool"
	echo "round $rounds ($tool): $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	rounds=$((rounds + 1))
	[ $rounds -gt 100 ] && fail "the clients hang"
	serving "round $rounds"
done
echo "$rounds live updates, $busy of them while the clients incremented"
[ $busy -ge 1 ] || fail "no update while the clients ran: raise STUB_LU_INCREMENTS"
images=$(grep -c "store image taken whole" "$SIM/xenstored.log")
check_eq "updates that took the store as an image" "$rounds" "$images"
# A kernel of another store layout (its text names another tag) gets the
# nodes one by one, and keeps everything all the same.
perl -0777 -pe 's/store-image-1/store-image-x/g' "$BIN/xenstored" >"$RUN/other-layout"
chmod +x "$RUN/other-layout"
over=$(grep -c "taken over" "$SIM/xenstored.log")
"$XC" live-update -t 10 "$RUN/other-layout" || fail "update to another layout"
check_eq "states taken over" $((over + 1)) \
	"$(grep -c "taken over" "$SIM/xenstored.log")"
check_eq "images after another layout" "$images" \
	"$(grep -c "store image taken whole" "$SIM/xenstored.log")"
serving other-layout
check_eq "dom0's tx count after another layout" "$N" "$("$BIN/xenstore-read" /stub/tx)"
case $(readlink "/proc/$pid/exe") in
/memfd:*) ;;
*) fail "the kernel is not the uploaded image: $(readlink "/proc/$pid/exe")" ;;
esac

wait $dom0pid || { cat "$RUN/dom0.out"; fail "dom0's client"; }
grep -q "^incr-loop $N: plain $N tx $N " "$RUN/dom0.out" ||
	{ cat "$RUN/dom0.out"; fail "dom0's increments"; }
check_eq "dom0's plain count" "$N" "$("$BIN/xenstore-read" /stub/plain)"
check_eq "dom0's tx count" "$N" "$("$BIN/xenstore-read" /stub/tx)"
for g in 1 2; do
	log=$SIM/domains/g$g.log
	grep -q "^incr-loop $N: plain $N tx $N " "$log" ||
		{ cat "$log"; fail "g$g's increments"; }
	d=$(xsim domid "g$g")
	check_eq "g$g plain in the store" "$N" \
		"$("$BIN/xenstore-read" "/local/domain/$d/data/plain")"
	check_eq "g$g tx in the store" "$N" \
		"$("$BIN/xenstore-read" "/local/domain/$d/data/tx")"
	# Its watch fires after the updates, when written.
	"$BIN/xenstore-write" "/local/domain/$d/data/w" 1
	wait_for "g$g's watch after the updates" has_line "$log" fired
done
"$BIN/xenstore-write" /stub/flag 1
wait_for "dom0's watch after the updates" \
	sh -c "[ \$(grep -c '^/stub/flag' '$RUN/watch.out') -ge 2 ]"
sleep 0.2
check_eq "dom0's watch events" 2 "$(grep -c '^/stub/flag' "$RUN/watch.out")"
xsim list | grep -q "^Xenstore  *$id " || { xsim list; fail "xsim list"; }
"$XC" check >/dev/null || fail "check after the updates"
echo "PASS"
