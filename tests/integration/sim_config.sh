#!/bin/sh
# SPDX-License-Identifier: MIT
# xsim create from xl-style configuration files: the syntax (comments,
# strings in both quotes, lists over several lines with a trailing comma,
# `;` between settings, KEY=VALUE on the command line winning), its
# errors (a message with file and line, exit status 1; usage: 2; nothing
# created), disk specs in positional and key=value form, the domain's
# nodes with Xen's layout and permissions (cpu/<n>/availability, memory,
# a driver domain's ~/libxl and ~/device-model), devices attached before
# the guest runs and Connected with one queue per vcpu, a driver domain
# serving another guest's devices, and the transaction retries of 20
# concurrent creates (10 under the sanitizers) reported through XSIM_STATS.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim
READ=$BIN/xenstore-read
LS=$BIN/xenstore-ls
CFG=$RUN/cfg
mkdir -p "$CFG"
: >"$RUN/a.img"
: >"$RUN/b.img"

# must CODE NAME MESSAGE XSIM-ARGS...: xsim exits with CODE, saying MESSAGE.
must() {
	code=$1
	name=$2
	msg=$3
	shift 3
	st=0
	xsim "$@" >"$RUN/$name.out" 2>&1 || st=$?
	[ "$st" = "$code" ] || { cat "$RUN/$name.out"; fail "$name: exit $st, not $code"; }
	[ -z "$msg" ] || has_line "$RUN/$name.out" "$msg" ||
		{ cat "$RUN/$name.out"; fail "$name: wrong message"; }
}

cfg() { cat >"$CFG/$1"; }

cfg unterminated.cfg <<'EOF2'
name = "x"
extra = 'sleep
EOF2
must 1 unterminated "xsim: $CFG/unterminated.cfg:2: unterminated string" \
	create "$CFG/unterminated.cfg"
cfg list.cfg <<'EOF2'
name = "x"
disk = [ 'a,,xvda',
# no closing bracket
EOF2
must 1 list "xsim: $CFG/list.cfg:4: unterminated list" create "$CFG/list.cfg"
cfg noeq.cfg <<'EOF2'
# comment
name "x"
EOF2
must 1 noeq "xsim: $CFG/noeq.cfg:2: expected '=' after name" create "$CFG/noeq.cfg"
cfg memory.cfg <<'EOF2'
name = "x"
memory = "lots"
EOF2
must 1 memory "xsim: $CFG/memory.cfg:2: memory: expected a number >= 0" \
	create "$CFG/memory.cfg"
cfg action.cfg <<'EOF2'
name = "x"; on_crash = "restart"
EOF2
must 1 action "xsim: $CFG/action.cfg:1: on_crash: restart is not supported here (destroy or preserve)" \
	create "$CFG/action.cfg"
cfg bare.cfg <<'EOF2'
name = x
EOF2
must 1 bare "xsim: $CFG/bare.cfg:1: expected a string in quotes, a number or a list, not x" \
	create "$CFG/bare.cfg"
cfg noname.cfg <<'EOF2'
vcpus = 1
EOF2
must 1 noname "xsim: $CFG/noname.cfg: no name" create "$CFG/noname.cfg"
must 1 nofile "xsim: cannot open $CFG/none.cfg: No such file or directory" \
	create "$CFG/none.cfg"
must 1 notkv "xsim: command line: vcpus is not KEY=VALUE" \
	create "$CFG/noname.cfg" vcpus
must 2 usage "" create -f
cfg baddisk.cfg <<EOF2
name = "bad"
disk = [ '$RUN/a.img,,xvda', 'vdev=xvdb' ]
EOF2
must 1 baddisk "xsim: bad disk spec 'vdev=xvdb': no target" create "$CFG/baddisk.cfg"
has_line "$RUN/baddisk.out" "xsim: domain bad not created" ||
	{ cat "$RUN/baddisk.out"; fail "baddisk: no summary"; }
# Nothing of a failed create is left: no domain, no device, no copy.
xsim list >"$RUN/list.out"
grep -q '^bad ' "$RUN/list.out" && fail "domain bad listed"
"$READ" /local/domain/1 2>/dev/null && fail "domain 1 left"
"$READ" /local/domain/0/backend 2>/dev/null && fail "backend left"
"$READ" /libxl/1 2>/dev/null && fail "/libxl/1 left"

# A configuration with everything: comments, both quotes, a list over
# lines with a trailing comma, positional and key=value disk specs.
cfg g1.cfg <<EOF2
# A guest of the test
name = "g1" ; memory = 64   # on one line
maxmem = 96
vcpus = 3
bogus = 1
cmdline = "'write data/greeting hello world' \"write data/q it's\" sleep"
disk = [
	'$RUN/a.img,raw,xvda,rw',     # positional
	"format=raw, vdev=xvdb, access=ro, target=$RUN/b.img",
]
vif = [ 'mac=00:16:3e:00:00:07,bridge=xenbr0', ]
on_crash = 'preserve'
EOF2
# KEY=VALUE after the file wins: here, the vcpus.
xsim create "$CFG/g1.cfg" vcpus=2 >"$RUN/g1.out" 2>&1 ||
	{ cat "$RUN/g1.out"; fail "create g1.cfg"; }
has_line "$RUN/g1.out" "xsim: $CFG/g1.cfg:5: warning: unknown key bogus ignored" ||
	{ cat "$RUN/g1.out"; fail "no warning for bogus"; }
d=$(xsim domid g1)
xsim wait g1 || fail "xsim wait g1"
ls_p() { "$LS" -p "$1" | sed 's/\("[^"]*"\) [ .]*(/\1 (/'; }
ls_p /local/domain/$d/cpu >"$RUN/cpu.out"
expect_output cpu "$RUN/cpu.out" <<OUT
0 = "" (n0,r$d)
 availability = "online" (n0,r$d)
1 = "" (n0,r$d)
 availability = "online" (n0,r$d)
OUT
[ "$("$READ" /local/domain/$d/memory/target)" = 65536 ] || fail "memory/target"
[ "$("$READ" /local/domain/$d/memory/static-max)" = 98304 ] || fail "static-max"
# xl list's Mem and VCPUs columns: the configured 64 MB and 2 vcpus.
xsim list | grep -q "^g1  *$d  *64  *2  " || fail "xsim list: $(xsim list)"
[ "$("$READ" /local/domain/$d/data/greeting)" = "hello world" ] || fail "extra: greeting"
[ "$("$READ" /local/domain/$d/data/q)" = "it's" ] || fail "extra: quotes"
"$READ" /local/domain/$d/libxl 2>/dev/null && fail "~/libxl without driver_domain"
be=/local/domain/0/backend/vbd/$d
[ "$("$READ" $be/51712/params)" = "$RUN/a.img" ] || fail "xvda params"
[ "$("$READ" $be/51712/mode)" = w ] || fail "xvda mode"
[ "$("$READ" $be/51728/params)" = "$RUN/b.img" ] || fail "xvdb params"
[ "$("$READ" $be/51728/mode)" = r ] || fail "xvdb mode"
[ "$("$READ" /local/domain/0/backend/vif/$d/0/mac)" = 00:16:3e:00:00:07 ] || fail "vif mac"
# Two vcpus: two queues on every device, Connected at both ends.
for f in vbd/51712 vbd/51728 vif/0; do
	[ "$("$READ" /local/domain/$d/device/$f/multi-queue-num-queues)" = 2 ] ||
		fail "$f: queues"
	"$READ" /local/domain/$d/device/$f/queue-1/event-channel >/dev/null ||
		fail "$f: no queue-1"
	[ "$("$READ" /local/domain/$d/device/$f/state)" = 4 ] || fail "$f: state"
done
xsim block-list g1 | awk 'NR > 1 { print $1, $4 }' >"$RUN/bl.out"
expect_output blist "$RUN/bl.out" <<OUT
51712 4
51728 4
OUT

# A driver domain, and a guest whose disk and vif it serves.
cfg dd.cfg <<'EOF2'
name = "dd"
driver_domain = 1
extra = "sleep"
EOF2
xsim create "$CFG/dd.cfg" || fail "create dd"
dd=$(xsim domid dd)
ls_p /local/domain/$dd >"$RUN/dd.out"
grep -qx 'libxl = "" (n'$dd')' "$RUN/dd.out" &&
	grep -qx 'device-model = "" (n'$dd')' "$RUN/dd.out" ||
	{ cat "$RUN/dd.out"; fail "driver domain's ~/libxl, ~/device-model"; }
[ -s "$SIM/hotplugd-$dd.pid" ] || fail "no hotplugd for dd"
hp=$(cat "$SIM/hotplugd-$dd.pid")
cfg g2.cfg <<EOF2
name = "g2"
disk = [ '$RUN/b.img,,xvda,r,backend=dd' ]
vif = [ "backend=dd" ]
extra = "sleep"
EOF2
xsim create "$CFG/g2.cfg" || fail "create g2"
g2=$(xsim domid g2)
xsim wait g2 || fail "xsim wait g2"
ls_p /local/domain/$dd/backend/vbd/$g2 | head -5 >"$RUN/ddb.out"
expect_output dd_backend "$RUN/ddb.out" <<OUT
51712 = "" (n$dd,r$g2)
 frontend = "/local/domain/$g2/device/vbd/51712" (n$dd,r$g2)
 frontend-id = "$g2" (n$dd,r$g2)
 online = "1" (n$dd,r$g2)
 state = "4" (n$dd,r$g2)
OUT
ls_p /local/domain/$g2/device/vif | head -3 >"$RUN/ddf.out"
expect_output dd_frontend "$RUN/ddf.out" <<OUT
0 = "" (n$g2,r$dd)
 backend = "/local/domain/$dd/backend/vif/$g2/0" (n$g2,r$dd)
 backend-id = "$dd" (n$g2,r$dd)
OUT
[ "$("$READ" /local/domain/$dd/backend/vbd/$g2/51712/hotplug-status)" = connected ] ||
	fail "dd's hotplugd did not run block"
xsim destroy g2 2>"$RUN/dg2.out" || { cat "$RUN/dg2.out"; fail "destroy g2"; }
[ -s "$RUN/dg2.out" ] && { cat "$RUN/dg2.out"; fail "destroy g2 warned"; }
"$READ" /local/domain/$dd/backend 2>/dev/null && fail "dd's backends left"
xsim destroy dd || fail "destroy dd"
alive "$hp" && fail "dd's hotplugd outlived it"
[ -e "$SIM/hotplugd-$dd.pid" ] && fail "dd's hotplugd pid file left"

# 20 creates at once, each with a disk and a vif: all succeed, each
# reports its transaction retries (under the sanitizers too, where each
# xenstore-* process of a hotplug script takes ~60 ms to start: "block
# add" lists the disks of every domain with one of them).
n=20
i=0
pids=""
while [ $i -lt $n ]; do
	i=$((i + 1))
	: >"$RUN/m$i.img"
	XSIM_STATS=$RUN/stats xsim create "$CFG/g1.cfg" name=m$i \
		"disk=['$RUN/m$i.img,,xvda']" "vif=['bridge=xenbr0']" vcpus=1 \
		>"$RUN/m$i.out" 2>&1 &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || { cat "$RUN"/m*.out; fail "concurrent create"; }
done
# ... and every device of every guest reaches Connected at both ends.
i=0
while [ $i -lt $n ]; do
	i=$((i + 1))
	xsim wait -t 60 m$i >"$RUN/w$i.out" 2>&1 ||
		{ cat "$RUN/w$i.out"; fail "m$i's devices not Connected"; }
done
[ "$(grep -c '^retries [0-9][0-9]*$' "$RUN/stats")" = $n ] ||
	{ cat "$RUN/stats"; fail "retries not reported $n times"; }
echo "retries over $n creates: $(awk '{ n += $2 } END { print n }' "$RUN/stats")"
xsim -v list 2>"$RUN/v.out" >/dev/null
has_line "$RUN/v.out" "xsim: 0 transaction retries" || { cat "$RUN/v.out"; fail "xsim -v"; }
xsim stop >"$RUN/stop.out" 2>&1 || { cat "$RUN/stop.out"; fail "xsim stop"; }
echo "sim_config: ok"
