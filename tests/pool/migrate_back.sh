# A migration whose target cannot rebuild the guest after the hand-over
# (docs/pool.md, "Migration"): h2 has a guest named g1 already, so h1's
# g1 cannot be built there.  h2's agent publishes the failed report and,
# in the same etcd transaction, hands the guest back to h1; h1 resumes
# its paused copy.  The guest runs on h1 again, its old process not
# stopped, owned by h1 in etcd and in both lists, /vm/<uuid> unchanged,
# and h1's next write to it reaches h2.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_xsim_pair

for h in 1 2; do
	cat >"$RUN/g1-$h.cfg" <<CFG
name = "g1"
memory = 64
extra = "sleep"
CFG
	(cd "$RUN" && XSIM_RUNDIR=$RUN/xh$h "$BIN/xsim" create g1-$h.cfg) ||
		fail "create g1 on h$h"
done
uuid=$(x1 read /local/domain/$(xsim1 domid g1)/vm | sed 's,/vm/,,')
x1 write /vm/$uuid/extra "set on h1"
pid1=$(xsim1 pid g1)
on_h2() { [ "$(x2 read /vm/$uuid/extra 2>/dev/null)" = "set on h1" ]; }
wait_for 10 "g1's /vm on h2" on_h2
x1 ls -f /vm/$uuid | sort >"$RUN/vm.before"
owner() { etcdctl --endpoints "$ENDPOINTS" get --print-value-only \
	/xenstore/owner/$uuid; }
check_eq "owner before" h1 "$(owner)"

xsim1 migrate g1 h2 2>"$RUN/err" && fail "migrated onto a name taken"
grep -q "g1: host h2 could not rebuild it (failed: .*); it runs here again, owned by h1 in the pool" \
	"$RUN/err" || fail "the failure: $(cat "$RUN/err")"
check_eq "owner in etcd after the failure" h1 "$(owner)"
kill -0 "$pid1" || fail "g1's process on h1 is gone"
grep -q '^State:.*stopped' "/proc/$pid1/status" && fail "g1 stays paused on h1"
check_eq "g1's process" "$pid1" "$(xsim1 pid g1)"
x1 ls -f /vm/$uuid | sort >"$RUN/vm.after"
diff "$RUN/vm.before" "$RUN/vm.after" || fail "/vm/$uuid changed on h1"
grep -q "handed back to h1" "$RUN/xh2/pool-agent.log" ||
	fail "h2's agent did not log the hand-back"
# h1 owns it again: its write is published and reaches h2.
x1 write /vm/$uuid/extra "h1 again"
again() { [ "$(x2 read /vm/$uuid/extra)" = "h1 again" ]; }
wait_for 10 "h1's write to g1's /vm on h2" again
for x in xsim1 xsim2; do
	$x list | grep -q "^g1 *$uuid h1$" || fail "$x list: $($x list)"
done
echo ok
