# A migration request no agent answers (docs/pool.md, "Migration"):
# xsim settles it from etcd in bounded time (XSIM_MIGRATE_ANSWER_MS,
# then `xs-pool-agent --settle`), resuming the guest only on etcd's word
# that the hand-over did not happen.
#  1. h1's agent dies after its request was published with the
#     compare-and-swap failed, before it answered (emulated: the agent
#     killed with the request unsent, and etcd's cursor moved past it as
#     the request's transaction would have): the agent started again
#     begins after the cursor and never answers.  xsim exits 1 saying
#     so; g1 runs on h1 again, owned by h1; nothing on h2.
#  2. h1's agent killed with the request unsent, started again only
#     after xsim settled: it publishes the request, which etcd refuses
#     (the settlement), logged; g1 stays on h1 and is not built on h2;
#     the settlement's key goes in the same transaction.
#  3. The next migration, the agent answering, goes through.
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
(cd "$RUN" && xsim1 create g1.cfg) || fail "create g1 on h1"
uuid=$(x1 read /local/domain/$(xsim1 domid g1)/vm | sed 's,/vm/,,')
pid1=$(xsim1 pid g1)
etcd() { etcdctl --endpoints "$ENDPOINTS" "$@"; }
owner() { etcd get --print-value-only /xenstore/owner/$uuid; }
owned_h1() { [ "$(owner)" = h1 ]; }
wait_for 10 "g1 owned by h1 in etcd" owned_h1
has_req() { x1 exists /tool/pool/mig/out/$uuid; }
restart_agent() {
	"$BIN/xs-pool-agent" --host h1 --etcd "$ENDPOINTS" \
		--socket "$RUN/xh1/xenstored/socket" \
		>>"$RUN/xh1/pool-agent.log" 2>&1 &
	echo $! >"$RUN/xh1/pool-agent.pid" # xsim stop stops it
}
# migrate_unanswered: `xsim migrate g1 h2` in the background ($m), its
# request written, h1's agent killed before it could send it.
migrate_unanswered() {
	apid=$(cat "$RUN/xh1/pool-agent.pid")
	kill -STOP "$apid"
	xsim1 migrate g1 h2 >"$RUN/mig.out" 2>"$RUN/mig.err" &
	m=$!
	background $m
	wait_for 10 "the request written on h1" has_req
	kill -KILL "$apid"
	kill -CONT "$apid" 2>/dev/null || true
}
gone() { ! kill -0 "$m" 2>/dev/null; }
resumed_h1() {
	wait "$m" && fail "$1: migrated: $(cat "$RUN/mig.err")"
	grep -q "cannot migrate g1 to h2: no agent answered, and etcd has no hand-over: settled there, the request can no longer land; it keeps running here" \
		"$RUN/mig.err" || fail "$1: $(cat "$RUN/mig.err")"
	kill -0 "$pid1" || fail "$1: g1's process on h1 is gone"
	grep -q '^State:.*stopped' "/proc/$pid1/status" &&
		fail "$1: g1 stays paused on h1"
	check_eq "$1: g1's process" "$pid1" "$(xsim1 pid g1)"
	check_eq "$1: owner in etcd" h1 "$(owner)"
	xsim2 pid g1 2>/dev/null && fail "$1: g1 built on h2"
	return 0
}

# --- 1. published, refused, unanswered; the agent restarted past it ---
migrate_unanswered
c=$(etcd get --print-value-only /xenstore/hosts/h1/cursor)
etcd put /xenstore/hosts/h1/cursor $((c + 1)) >/dev/null
restart_agent
wait_for 10 "h1's agent back" agent_alive h1
wait_for 60 "xsim settling the request" gone
resumed_h1 "past the cursor"
grep -q "settled from etcd for xsim: not handed over" \
	"$RUN/xh1/pool-agent.log" || fail "the settlement is not logged"

# --- 2. unsent, settled, then sent by the agent started again ---
migrate_unanswered
wait_for 60 "xsim settling the unsent request" gone
resumed_h1 "unsent"
req=$(x1 read /tool/pool/mig/out/$uuid | sed 's/ .*//;q')
cancel_key() { etcd get --keys-only /xenstore/migrate-cancel/$uuid/$req; }
[ -n "$(cancel_key)" ] || fail "no settlement in etcd"
restart_agent
wait_for 20 "the agent sending the settled request" grep -q \
	"not handed over: xsim settled it from etcd before it was sent" \
	"$RUN/xh1/pool-agent.log"
check_eq "owner after the late request" h1 "$(owner)"
xsim2 pid g1 2>/dev/null && fail "the late request built g1 on h2"
check_eq "the settlement's key after the request" "" "$(cancel_key)"

# --- 3. the agent answering, the next migration goes through ---
xsim1 migrate g1 h2 || fail "migrate g1 h2"
xsim2 wait -t 20 g1 || fail "g1's devices on h2"
kill -0 "$pid1" 2>/dev/null && fail "g1's process on h1 is left"
check_eq "owner after the migration" h2 "$(owner)"
echo ok
