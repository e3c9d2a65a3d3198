# A hand-over in etcd whose answer comes late (docs/pool.md, "Migration"):
# h1's agent is paused while `xsim migrate g1 h2` waits, and the hand-over
# lands in etcd as h1's agent would have made it (the same request, one
# transaction; made with curl, its answer "lost").  h2 builds the guest.
# xsim's wait for an answer runs out, and the guest stays paused on h1
# (logged), never resumed without etcd's word; woken (fenced by then),
# h1's agent settles the request from etcd: handed, with h2's report, so
# xsim destroys h1's copy.  g1 runs on h2 only.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

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
xsim1 migrate g1 h2 >"$RUN/mig.out" 2>"$RUN/mig.err" &
m=$!
background $m
has_req() { x1 exists /tool/pool/mig/out/$uuid; }
wait_for 10 "the request written on h1" has_req
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

wait_for 60 "xsim saying the guest stays paused" grep -q \
	"g1: no answer from the pool agent in 30 s; the guest stays paused here" \
	"$RUN/mig.err"
kill -0 "$m" 2>/dev/null || fail "xsim gave up: $(cat "$RUN/mig.err")"
grep -q '^State:.*stopped' "/proc/$pid1/status" ||
	fail "g1 resumed on h1 while h2 runs it"
kill -CONT "$apid"
wait "$m" || fail "the migration: $(cat "$RUN/mig.err")"
kill -0 "$pid1" 2>/dev/null && fail "g1's process on h1 is left"
xsim1 pid g1 2>/dev/null && fail "g1 is still a domain on h1"
pid2=$(xsim2 pid g1)
kill -0 "$pid2" || fail "g1 does not run on h2"
grep -q '^State:.*stopped' "/proc/$pid2/status" && fail "g1 paused on h2"
check_eq "owner in etcd" h2 "$(owner)"
grep -Eq "migration $req: guest $uuid (was )?handed over to h2" \
	"$RUN/xh1/pool-agent.log" || fail "h1's agent did not settle it"
echo ok
