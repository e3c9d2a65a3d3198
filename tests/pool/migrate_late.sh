# A hand-over in etcd whose answer never comes (docs/pool.md,
# "Migration"): h1's agent is paused while `xsim migrate g1 h2` waits,
# and the hand-over lands in etcd as h1's agent would have made it (the
# same request, one transaction; made with curl, its answer "lost").
# h2 builds the guest.  xsim's wait for an answer runs out
# (XSIM_MIGRATE_ANSWER_MS), and xsim settles the request from etcd
# (xs-pool-agent --settle), the agent still paused: handed, then h2's
# report, so xsim destroys h1's copy, never resumed.  Woken, h1's agent
# settles the request from etcd as handed.  g1 runs on h2 only.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

# The agent's silence is waited for this long; whatever it is, etcd's
# settlement decides, so a slow machine is no danger.
XSIM_MIGRATE_ANSWER_MS=2000
export XSIM_MIGRATE_ANSWER_MS
start_xsim_pair

cat >"$RUN/g1.cfg" <<CFG
name = "g1"
memory = 64
extra = "sleep"
CFG
(cd "$RUN" && XSIM_RUNDIR=$RUN/xh1 "$BIN/xsim" create g1.cfg) ||
	fail "create g1 on h1"
uuid=$(x1 read /local/domain/$(xsim1 domid g1)/vm | sed 's,/vm/,,')
pid1=$(xsim1 pid g1)
owner() { etcdctl --endpoints "$ENDPOINTS" get --print-value-only \
	/xenstore/owner/$uuid; }
owned_h1() { [ "$(owner)" = h1 ]; }
wait_for 10 "g1 owned by h1 in etcd" owned_h1

apid=$(cat "$RUN/xh1/pool-agent.pid")
kill -STOP "$apid"
# xsim itself (not a subshell: $! is its pid), stopped while the test
# plays the agent, so that its wait cannot run out before.
XSIM_RUNDIR=$RUN/xh1 "$BIN/xsim" migrate g1 h2 >"$RUN/mig.out" 2>"$RUN/mig.err" &
m=$!
background $m
has_req() { x1 exists /tool/pool/mig/out/$uuid; }
wait_for 10 "the request written on h1" has_req
kill -STOP "$m"
v=$(x1 read /tool/pool/mig/out/$uuid)
req=${v%% *}
cfg=$(cat "$RUN/xh1/domains/g1.cfg") # the request's configuration
k=$(b64 /xenstore/owner/$uuid)
mk=$(b64 /xenstore/migrate/$uuid)
mv=$(printf '%s h1 h2\n%s' "$req" "$cfg" | base64 -w0)
curl -sf -m 5 -X POST "${ENDPOINTS%%,*}/v3/kv/txn" -d "{\"compare\":[{\"key\":\"$k\",
	\"target\":\"VALUE\",\"result\":\"EQUAL\",\"value\":\"$(b64 h1)\"}],
	\"success\":[{\"request_put\":{\"key\":\"$k\",\"value\":\"$(b64 h2)\"}},
	{\"request_put\":{\"key\":\"$mk\",\"value\":\"$mv\"}}]}" \
	>"$RUN/txn.out" || fail "the hand-over's transaction"
grep -q '"succeeded":true' "$RUN/txn.out" || fail "the hand-over: $(cat "$RUN/txn.out")"
built() { xsim2 pid g1; }
wait_for 30 "g1 built on h2" built
kill -CONT "$m"

# h1's agent still paused: xsim settles from etcd, which has the
# hand-over, and then h2's report.
wait "$m" || fail "the migration: $(cat "$RUN/mig.err")"
grep -q "g1: no answer from the pool agent in 2 s: settling the request in etcd" \
	"$RUN/mig.err" || fail "xsim did not say it settled: $(cat "$RUN/mig.err")"
grep -q "migration $req: settled from etcd for xsim: guest $uuid was handed over to h2" \
	"$RUN/xh1/pool-agent.log" || fail "the settlement is not logged"
kill -0 "$pid1" 2>/dev/null && fail "g1's process on h1 is left"
xsim1 pid g1 2>/dev/null && fail "g1 is still a domain on h1"
pid2=$(xsim2 pid g1)
kill -0 "$pid2" || fail "g1 does not run on h2"
grep -q '^State:.*stopped' "/proc/$pid2/status" && fail "g1 paused on h2"
check_eq "owner in etcd" h2 "$(owner)"
# Woken, h1's agent finds the request in etcd too.
kill -CONT "$apid"
agent_settled() {
	grep -Eq "migration $req: guest $uuid (was )?handed over to h2" \
		"$RUN/xh1/pool-agent.log"
}
wait_for 20 "h1's agent settling the request" agent_settled
check_eq "owner in etcd after the agent woke" h2 "$(owner)"
xsim1 pid g1 2>/dev/null && fail "g1 is a domain on h1 again"
echo ok
