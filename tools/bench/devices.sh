#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The device figures of make bench, on a simulated host (xsim): the time
# from `xsim create` of guests from an xl config (vcpus = 2, a file-backed
# disk and a vif each) until every device is Connected at both ends, for
# one guest and for 20 created at once; and the xenstore requests one
# attached device costs, from attach to Connected, counted in xenstored's
# access log (every request of the toolstack, the hotplug daemon and its
# script, and both drivers).  Prints RESULT lines in xs-bench's format,
# for run.sh's table.  Usage: devices.sh BIN-DIR [quick]
BIN=$1
QUICK=${2:-}
R=$(mktemp -d /tmp/xsb-dev.XXXXXX)
XSIM="$BIN/xsim"
trap '"$XSIM" -r "$R" stop >/dev/null 2>&1; rm -rf "$R"' EXIT
"$XSIM" -r "$R" start -- -T "$R/access.log" >/dev/null || exit 1
XENSTORED_PATH=$R/xenstored/socket
export XENSTORED_PATH

result() { printf 'RESULT\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4"; }
now_ms() { date +%s%3N; }
requests() { grep -c ' IN ' "$R/access.log"; }
fail() {
	echo "# devices: $*" >&2
	exit 1
}

# config NAME: an xl config for guest NAME with one disk and one vif.
config() {
	: >"$R/$1.img"
	cat >"$R/$1.cfg" <<EOF
name = "$1"
memory = 64
vcpus = 2
extra = "sleep"
disk = [ 'format=raw, vdev=xvda, access=rw, target=$R/$1.img' ]
vif = [ 'bridge=xenbr0' ]
EOF
}

# create_wait N PREFIX: create N guests at once, wait for all their
# devices; prints the milliseconds taken.
create_wait() {
	i=1
	while [ "$i" -le "$1" ]; do
		config "$2$i"
		i=$((i + 1))
	done
	t0=$(now_ms)
	i=1
	while [ "$i" -le "$1" ]; do
		XSIM_STATS=$R/stats "$XSIM" -r "$R" create "$R/$2$i.cfg" \
			>/dev/null 2>"$R/$2$i.err" &
		i=$((i + 1))
	done
	wait
	i=1
	while [ "$i" -le "$1" ]; do
		"$XSIM" -r "$R" wait -t 60 "$2$i" >/dev/null 2>&1 ||
			fail "$2$i not Connected: $(cat "$R/$2$i.err")"
		i=$((i + 1))
	done
	echo $(($(now_ms) - t0))
}

ms=$(create_wait 1 one) || exit 1
result dev.create1.ms "$ms" ms "devices: xsim create to 2 devices Connected, 1 guest"
G=20
[ -n "$QUICK" ] && G=5
ms=$(create_wait $G many) || exit 1
result dev.create$G.ms "$ms" ms "devices: xsim create to all Connected, $G guests at once (2 devices each)"
retries=$(awk '{ n += $2 } END { print n + 0 }' "$R/stats" 2>/dev/null)
result dev.create$G.retries "$retries" n "devices: toolstack EAGAIN retries over those $((G + 1)) creates"

# Requests per device: one disk, then one vif, attached to a running
# guest and waited for until Connected.
: >"$R/extra.img"
before=$(requests)
"$XSIM" -r "$R" block-attach one1 "$R/extra.img" xvdb w >/dev/null ||
	fail "block-attach"
"$XSIM" -r "$R" wait -t 30 one1 >/dev/null || fail "vbd not Connected"
sleep 0.2
after=$(requests)
result dev.vbd.requests $((after - before)) n "devices: xenstore requests for one vbd, attach to Connected (2 queues)"
before=$after
"$XSIM" -r "$R" network-attach one1 bridge=xenbr0 >/dev/null ||
	fail "network-attach"
"$XSIM" -r "$R" wait -t 30 one1 >/dev/null || fail "vif not Connected"
sleep 0.2
after=$(requests)
result dev.vif.requests $((after - before)) n "devices: xenstore requests for one vif, attach to Connected (2 queues)"
