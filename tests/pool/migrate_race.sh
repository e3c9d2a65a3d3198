# Two migrations of one guest race (xsim migrate, docs/pool.md): g1 on
# h1 is sent to h2 and to h3 at once.  Both requests reach h1's agent as
# groups of its stream, and the compare-and-swap on the guest's owner
# key lets exactly one through: one xsim exits 0, the other 1 with the
# reason; the guest runs on the winner's host only, and etcd's owner
# key names it.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

HOSTS="h1 h2 h3"
stop_sims() {
	for h in $HOSTS; do XSIM_RUNDIR=$RUN/x$h "$BIN/xsim" stop 2>/dev/null; done
	return 0
}
POOL_ON_EXIT=stop_sims
start_cluster 3
for h in $HOSTS; do
	XSIM_RUNDIR=$RUN/x$h "$BIN/xsim" start -n --pool "$ENDPOINTS" --host $h ||
		fail "xsim start $h"
done
xsimh() { h=$1; shift; XSIM_RUNDIR=$RUN/x$h "$BIN/xsim" "$@"; }
all() { xsimh h1 list | grep -q '^Pool: this host is h1; hosts alive: h1 h2 h3$'; }
wait_for 10 "three hosts in h1's list" all
xsimh h1 create g1 -- sleep >/dev/null || fail "create g1"
uuid=$(XENSTORED_PATH=$RUN/xh1/xenstored/socket "$BIN/xenstore-read" \
	/local/domain/$(xsimh h1 domid g1)/vm | sed 's,/vm/,,')
owner() { etcdctl --endpoints "$ENDPOINTS" get --print-value-only /xenstore/owner/$uuid; }
owned() { [ "$(owner)" = h1 ]; }
wait_for 10 "g1 owned by h1 in etcd" owned

xsimh h1 migrate g1 h2 >"$RUN/out.h2" 2>"$RUN/err.h2" &
p2=$!
xsimh h1 migrate g1 h3 >"$RUN/out.h3" 2>"$RUN/err.h3" &
p3=$!
s2=0
wait $p2 || s2=$?
s3=0
wait $p3 || s3=$?
case "$s2 $s3" in
"0 1") win=h2 lose=h3 ;;
"1 0") win=h3 lose=h2 ;;
*) fail "exit statuses $s2 (to h2) and $s3 (to h3): $(cat "$RUN"/err.*)" ;;
esac
# The loser lost the compare-and-swap, or came after the winner had
# taken the guest away already: either way it says so, and leaves the
# guest to the winner.
grep -Eq "cannot migrate g1 to $lose: guest $uuid belongs to host $win now \(another migration won\)$|no domain g1" \
	"$RUN/err.$lose" || fail "the loser's message: $(cat "$RUN/err.$lose")"
[ -s "$RUN/err.$win" ] && fail "the winner's messages: $(cat "$RUN/err.$win")"
check_eq "owner in etcd" $win "$(owner)"
xsimh $win domid g1 >/dev/null || fail "g1 not on $win"
kill -0 "$(xsimh $win pid g1)" || fail "no guest process on $win"
xsimh $lose domid g1 2>/dev/null && fail "g1 on $lose too"
xsimh h1 domid g1 2>/dev/null && fail "g1 left on h1"
# The lists agree.
for h in $HOSTS; do
	on() { xsimh $h list | grep -q "^g1 *$uuid $win$"; }
	wait_for 5 "g1 on $win in $h's list" on
done
echo "the winner: $win; the loser said: $(cat "$RUN/err.$lose")" >&2
echo ok
