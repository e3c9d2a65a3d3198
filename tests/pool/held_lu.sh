# A live update while a /pool commit waits for its verdict (docs/pool.md,
# "No lost update"; docs/live-update.md): the update waits for it as for
# an open transaction.  With the agent paused, -t 1 is refused naming the
# held commit, which still waits; -F goes ahead and answers it EIO first
# (its fate is not known), never OK.  An update waiting while the woken
# agent loses the commit to h2's write lets the agent apply the winner
# and answer EAGAIN, then goes; the retry commits after it.  After the
# updates the agent is still the daemon's: a commit waits for its verdict
# again, and h2's writes reach h1 without coming back as h1's.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"

# The bound outlasts the updates' waits: the update decides, not the bound.
XENSTORED_HOLD_WAIT_MS=30000
export XENSTORED_HOLD_WAIT_MS
AGENT_TTL=10
start_agent_pair

ctl() { XENSTORED_PATH=$RUN/h1/socket "$BIN/xenstore-control" "$@"; }
incr() { XENSTORED_PATH=$RUN/h1/socket "$TOOLS/pool-incr" /pool/v 1; }
apid=$(cat "$RUN/h1/agent.pid")
dpid=$(cat "$RUN/h1/pid")

xs h1 write /pool/v 0
wait_for 10 "/pool/v on h2" reads h2 /pool/v 0

# --- refused after -t, naming the held commit, which still waits ---
kill -STOP "$apid"
incr 2>"$RUN/incr1.err" &
w=$!
background $w
wait_for 10 "the increment applied on h1" reads h1 /pool/v 1
if ctl live-update -t 1 "$BIN/xenstored" 2>"$RUN/refused.err"; then
	fail "live update went with a commit waiting for its verdict"
fi
head -2 "$RUN/refused.err" >"$RUN/refused.head"
check_eq "refusal" "Starting live update failed:
Commits waiting for the pool's verdict:" "$(cat "$RUN/refused.head")"
grep -Eq '^Domain 0: [12] s$' "$RUN/refused.err" ||
	{ cat "$RUN/refused.err"; fail "the refusal names the domain"; }
kill -0 "$w" 2>/dev/null || fail "the commit was answered by the refusal"

# --- -F: the held commit is answered EIO before the exec ---
ctl live-update -F -t 1 "$BIN/xenstored" || fail "forced live update"
wait "$w" && fail "the commit answered OK without a verdict"
grep -q "commit: EIO" "$RUN/incr1.err" ||
	{ cat "$RUN/incr1.err"; fail "the commit's answer is not EIO"; }
grep -q "live-update: a commit waiting for its verdict is answered EIO" \
	"$RUN/h1/daemon.err" || fail "the forced answer was not logged"
check_eq "daemon pid after the update" "$dpid" "$(cat "$RUN/h1/pid")"
kill -CONT "$apid"
wait_for 10 "the increment in etcd" in_etcd 1
wait_for 10 "the increment on h2" reads h2 /pool/v 1

# --- the verdict comes while the update waits: EAGAIN, then the retry ---
kill -STOP "$apid"
incr 2>"$RUN/incr2.err" &
w=$!
background $w
wait_for 10 "the second increment applied on h1" reads h1 /pool/v 2
xs h2 write /pool/v 10
wait_for 10 "h2's write in etcd" in_etcd 10
ctl live-update -t 20 "$BIN/xenstored" >"$RUN/lu2.out" 2>&1 &
lu=$!
sleep 1
kill -0 "$lu" 2>/dev/null || fail "the update went with a commit held"
kill -CONT "$apid"
wait "$lu" || { cat "$RUN/lu2.out"; fail "the update after the verdict"; }
wait "$w" || { cat "$RUN/incr2.err"; fail "the increment's retry"; }
wait_for 10 "the retry in etcd" in_etcd 11
wait_for 10 "the retry on h2" reads h2 /pool/v 11
grep -q "lost to a newer write in the pool: its commit gets EAGAIN" \
	"$RUN/h1/agent.log" || fail "the commit did not lose"

# --- after the updates, the agent is still the daemon's ---
kill -STOP "$apid"
incr 2>"$RUN/incr3.err" &
w=$!
background $w
wait_for 10 "the third increment applied on h1" reads h1 /pool/v 12
sleep 1
kill -0 "$w" 2>/dev/null || fail "a commit after the update did not wait"
kill -CONT "$apid"
wait "$w" || fail "the third increment"
wait_for 10 "the third increment in etcd" in_etcd 12
xs h2 write /pool/w x
wait_for 10 "h2's write on h1" reads h1 /pool/w x
sleep 1
h=$(etcd_history /xenstore/data/pool/w | tr '\n' ' ')
check_eq "/pool/w's history (no echo from h1)" "x " "$h"
stop_hosts
echo ok
