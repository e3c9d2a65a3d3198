# SPDX-License-Identifier: MIT
#
# Quotas at run time and their refusals, on the simulated host: a guest
# that is already running follows "xenstore-control quota set"; each
# refusal (watches, node size, nodes, path length) reaches the guest as
# Xen's errno and is logged with the domain, the quota's name, the value
# and the limit, in the daemon's log and in the access log, next to the
# refused request; a soft quota warns once when crossed and once when
# the domain is back under; "log +acc" traces every check; "quota
# <domid>" and "quota max" show what the guest used at most.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/sim/sim.sh"
start_sim -- -T "$RUN/trace.log"
expect_log
XC="$BIN/xenstore-control"
LOG="$SIM/xenstored.log"

mkfifo "$RUN/in1"
xsim create g1 -F <"$RUN/in1" >"$RUN/g1.out" 2>&1 &
exec 3>"$RUN/in1"
echo 'domid' >&3
wait_for "g1 to boot" has_line "$RUN/g1.out" "domid 1"

# The guest runs with the default quotas; these apply to it at once.
# It has one watch from boot: its frontend drivers' (docs/drivers.md).
"$XC" log +acc >/dev/null
"$XC" quota set watches 3 >/dev/null
"$XC" quota-soft set watches 2 >/dev/null
"$XC" quota set nodes 14 >/dev/null # it owns 13 after boot
"$XC" quota set path-max 40 >/dev/null
big=$(printf '%2100s' x | tr ' ' v)
long=$(printf '%40s' x | tr ' ' p)
cat >&3 <<IN
watch data a
watch data b
watch data c
unwatch data a
unwatch data b
watch data d
write data/big $big
write data/n1 1
write data/n2 1
write data/$long 1
mark done
IN
wait_for "the guest's requests" has_line "$RUN/g1.out" "done"
sed -n '/^domid 1$/,$p' "$RUN/g1.out" | tail -n +2 >"$RUN/g1.tail"
expect_output replies "$RUN/g1.tail" <<OUT
watch data a: OK
watch data b: OK
watch data c: ENOSPC
unwatch data a: OK
unwatch data b: OK
watch data d: OK
write data/big: ENOSPC
write data/n1: OK
write data/n2: ENOSPC
write data/$long: EINVAL
done
OUT

# Each refusal: domain, quota, value > limit; in the daemon's log and in
# the access log, right after the request it refused.
expect_output refusals "$LOG" <<'OUT'
xenstored: domain 1: over soft quota watches: 3 > 2
xenstored: domain 1: refused by quota watches: 4 > 3
xenstored: domain 1: back under soft quota watches: 2 <= 2
xenstored: domain 1: refused by quota node-size: 2124 > 2048
xenstored: domain 1: refused by quota nodes: 15 > 14
xenstored: domain 1: refused by quota path-max: 45 > 40
OUT
grep -A3 '^io: IN .* WATCH (data c ' "$RUN/trace.log" |
	grep -qx 'domain 1: refused by quota watches: 4 > 3' ||
	fail "refusal not next to its request in the access log"
grep -qx 'acc: domain 1 watches 4 (quota 3)' "$RUN/trace.log" ||
	fail "no acc line for the refused check"
grep -qx 'acc: domain 1 nodes 14 (quota 14)' "$RUN/trace.log" ||
	fail "no acc line for an accepted check"

# What the guest used, at most.
"$XC" quota 1 >"$RUN/q1"
expect_output "quota 1" "$RUN/q1" <<'OUT'
Domain 1:
nodes            :       14 (max       14)
watches          :        2 (max        3)
outstanding      :        0 (max        0)
memory           :      515 (max      540)
transactions     :        0 (max        0)
transaction-nodes:        0 (max        0)
node-permissions :        0 (max        0)
path-max         :        0 (max       10)
node-size        :        0 (max       25)

OUT
"$XC" quota max >"$RUN/qmax"
grep -qx 'watches          :        3' "$RUN/qmax" || fail "quota max: $(cat "$RUN/qmax")"
"$XC" quota max -r >/dev/null
"$XC" quota max | grep -qx 'watches          :        0' || fail "quota max -r"
# A domain set apart by SET_QUOTA keeps its own value (its quota no
# longer follows the global one); check only that the global changed.
"$XC" quota | grep -qx 'watches          :        3 Watches per domain' ||
	fail "global watches quota"
echo exit >&3
exec 3>&-
wait
echo ok
