# Two simulated hosts in one pool: xsim start --pool --host runs the
# agent, xsim list shows the pool's hosts, a guest created on one host
# has its /vm/<uuid> on the other, and a host that stops leaves the
# pool at once (its lease revoked).
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_xsim_pair

XSIM_RUNDIR=$RUN/xh1 XENSTORED_PATH=$RUN/xh1/xenstored/socket \
	"$BIN/xsim" create g1 -- sleep >/dev/null || fail "create g1"
uuid=$(x1 list /vm)
[ -n "$uuid" ] || fail "no /vm/<uuid> on h1"
name_on_h2() { [ "$(x2 read /vm/$uuid/name)" = g1 ]; }
wait_for 10 "g1's /vm on h2" name_on_h2

xsim1 stop
pool_line() { xsim2 list | grep "^Pool:"; }
only_h2() { [ "$(pool_line)" = "Pool: this host is h2; hosts alive: h2" ]; }
wait_for 3 "h1 gone from h2's list" only_h2
echo ok
