# Two simulated hosts in one pool: xsim start --pool --host runs the
# agent, xsim list shows the pool's hosts, a guest created on one host
# has its /vm/<uuid> on the other, and a host that stops leaves the
# pool at once (its lease revoked).
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

stop_sims() {
	for h in h1 h2; do XSIM_RUNDIR=$RUN/x$h "$BIN/xsim" stop 2>/dev/null; done
	return 0
}
POOL_ON_EXIT=stop_sims
start_cluster 3
for h in h1 h2; do
	XSIM_RUNDIR=$RUN/x$h "$BIN/xsim" start --pool "$ENDPOINTS" --host $h ||
		fail "xsim start $h"
done
xsim1() { XSIM_RUNDIR=$RUN/xh1 "$BIN/xsim" "$@"; }
xsim2() { XSIM_RUNDIR=$RUN/xh2 "$BIN/xsim" "$@"; }
x1() { XENSTORED_PATH=$RUN/xh1/xenstored/socket "$BIN/xenstore-$1" "$2"; }
x2() { XENSTORED_PATH=$RUN/xh2/xenstored/socket "$BIN/xenstore-$1" "$2"; }
pool_line() { xsim2 list | grep '^Pool:'; }
both() { [ "$(pool_line)" = "Pool: this host is h2; hosts alive: h1 h2" ]; }
wait_for 10 "both hosts in h2's list" both

XSIM_RUNDIR=$RUN/xh1 XENSTORED_PATH=$RUN/xh1/xenstored/socket \
	"$BIN/xsim" create g1 -- sleep >/dev/null || fail "create g1"
uuid=$(x1 list /vm)
[ -n "$uuid" ] || fail "no /vm/<uuid> on h1"
name_on_h2() { [ "$(x2 read /vm/$uuid/name)" = g1 ]; }
wait_for 10 "g1's /vm on h2" name_on_h2

xsim1 stop
only_h2() { [ "$(pool_line)" = "Pool: this host is h2; hosts alive: h2" ]; }
wait_for 3 "h1 gone from h2's list" only_h2
echo ok
