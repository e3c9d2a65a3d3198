# Migration between two simulated hosts (xsim migrate, docs/pool.md):
# a guest with a disk and a NIC moves from h1 to h2; on h2 it is a new
# domain with a new guest process, the same uuid, and its devices walk
# the xenbus states to Connected again; h1 has no copy left; /vm/<uuid>
# on h2 (and in etcd) equals what h1 had; both hosts' lists show it on
# h2.  Before that, refusals that leave the guest running where it is:
# an unknown host, a host this host still believes alive but which is
# not in etcd (the compare-and-swap refuses it), the host itself.
# Then back to h1 while h1's agent is down: the agent started again
# finds the request in its snapshot and g1 is built there.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

start_xsim_pair

# A guest with a disk (the file is where both hosts see it: shared
# storage) and a NIC without a MAC (saved with the one it got).
dd if=/dev/zero of="$RUN/g1.img" bs=1 count=0 seek=1M 2>/dev/null
cat >"$RUN/g1.cfg" <<CFG
name = "g1"
memory = 64
vcpus = 2
extra = "'write data/hello h' sleep"
disk = [ '$RUN/g1.img,raw,xvda,w' ]
vif = [ 'bridge=xenbr0' ]
CFG
(cd "$RUN" && XSIM_RUNDIR=$RUN/xh1 "$BIN/xsim" create g1.cfg) ||
	fail "create g1"
xsim1 wait -t 20 g1 || fail "g1's devices on h1"
uuid=$(x1 read /local/domain/$(xsim1 domid g1)/vm | sed 's,/vm/,,')
x1 write /vm/$uuid/extra "set on h1"
pid1=$(xsim1 pid g1)
mac1=$(xsim1 network-list g1 | awk 'NR == 2 { print $3 }')
on_h2() { [ "$(x2 read /vm/$uuid/extra)" = "set on h1" ]; }
wait_for 10 "g1's /vm on h2" on_h2
# In name order: a replica made its children in etcd's key order.
x1 ls -f /vm/$uuid | sort >"$RUN/vm.h1"

# Refused: the guest keeps running on h1, untouched.
running_h1() {
	kill -0 "$pid1" && ! grep -q '^State:.*stopped' "/proc/$pid1/status" &&
		[ "$(etcdctl --endpoints "$ENDPOINTS" get --print-value-only \
			/xenstore/owner/$uuid)" = h1 ]
}
xsim1 migrate g1 nosuch 2>"$RUN/err" && fail "migrated to an unknown host"
grep -q "cannot migrate g1 to nosuch: host nosuch is not alive in the pool" \
	"$RUN/err" || fail "unknown host: $(cat "$RUN/err")"
running_h1 || fail "g1 after the refusal to nosuch"
# h1 believes in a host etcd has not: the agent's compare-and-swap says no.
x1 write /tool/pool/hosts/ghost alive
xsim1 migrate g1 ghost 2>"$RUN/err" && fail "migrated to a dead host"
grep -q "cannot migrate g1 to ghost: host ghost is not alive in the pool; it keeps running here" \
	"$RUN/err" || fail "dead host: $(cat "$RUN/err")"
running_h1 || fail "g1 after the refusal to ghost"
xsim1 migrate g1 h1 2>"$RUN/err" && fail "migrated to itself"
xsim1 wait -t 5 g1 || fail "g1's devices after the refusals"

# The migration.
xsim1 migrate g1 h2 || fail "migrate g1 h2"
xsim2 wait -t 20 g1 || fail "g1's devices on h2"
xsim1 domid g1 2>/dev/null && fail "g1 still on h1"
kill -0 "$pid1" 2>/dev/null && fail "g1's old guest process lives"
pid2=$(xsim2 pid g1)
kill -0 "$pid2" || fail "no guest process on h2"
[ "$pid2" != "$pid1" ] || fail "the same guest process"
id2=$(xsim2 domid g1)
check_eq "g1's uuid on h2" "/vm/$uuid" "$(x2 read /local/domain/$id2/vm)"
check_eq "g1's MAC on h2" "$mac1" "$(xsim2 network-list g1 | awk 'NR == 2 { print $3 }')"
x2 ls -f /vm/$uuid | sort >"$RUN/vm.h2"
diff "$RUN/vm.h1" "$RUN/vm.h2" || fail "/vm/$uuid differs on h2"
check_eq "owner in etcd" h2 "$(etcdctl --endpoints "$ENDPOINTS" get \
	--print-value-only /xenstore/owner/$uuid)"
# h1 keeps the replica, equal too.
x1 ls -f /vm/$uuid | sort >"$RUN/vm.h1b"
diff "$RUN/vm.h1" "$RUN/vm.h1b" || fail "/vm/$uuid changed on h1"
# The new owner writes, and it reaches h1.
x2 write /vm/$uuid/extra "set on h2"
moved() { [ "$(x1 read /vm/$uuid/extra)" = "set on h2" ]; }
wait_for 10 "h2's write to g1's /vm on h1" moved
# Both lists show g1 on h2.
for x in xsim1 xsim2; do
	$x list | grep -q "^g1 *$uuid h2$" || fail "$x list: $($x list)"
done

# Back to h1, whose agent dies (SIGKILL) just before: its lease still
# holds, so the hand-over passes, but nobody there hears of it.  The
# agent started again finds the request in its snapshot, and g1 is
# built on h1 after all.
apid=$(cat "$RUN/xh1/pool-agent.pid")
kill -KILL "$apid"
xsim2 migrate g1 h1 2>"$RUN/err" &
mig=$!
owned_h1() { [ "$(etcdctl --endpoints "$ENDPOINTS" get --print-value-only \
	/xenstore/owner/$uuid)" = h1 ]; }
wait_for 10 "the hand-over to h1" owned_h1
"$BIN/xs-pool-agent" --host h1 --etcd "$ENDPOINTS" \
	--socket "$RUN/xh1/xenstored/socket" >>"$RUN/xh1/pool-agent.log" 2>&1 &
echo $! >"$RUN/xh1/pool-agent.pid" # xsim stop stops it
wait $mig || fail "migrate g1 h1: $(cat "$RUN/err")"
xsim1 wait -t 20 g1 || fail "g1's devices on h1 again"
xsim2 domid g1 2>/dev/null && fail "g1 still on h2"
grep -q "not built yet" "$RUN/xh1/pool-agent.log" ||
	fail "the restarted agent did not note the request"
echo ok
