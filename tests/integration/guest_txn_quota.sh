# A guest's transactions count against its memory quota (XSA-326): the
# private copies of what it writes inside one are refused with ENOMEM at
# the quota, and given back when the transaction ends.
. tests/lib.sh
. tests/hyp/hyp.sh
. tests/guest/guest.sh

start_hyp
start_daemon -Q memory=100000
expect_log
big=$(head -c 1900 /dev/zero | tr '\0' v)
args="start"
for n in $(seq 1 80); do args="$args write:t$n=$big"; done
# The writes after the refusal still run in the transaction; it is
# aborted, then the guest waits with its home listed.
launch_guest g $args "end:F" "dir:t0x" "sleep"
wait_lines "$RUN/g.out" 1 '^DIRECTORY\|^ERROR ENOENT' "guest hangs"
wait_lines "$RUN/g.out" 83 '^[A-Z]' "guest hangs"
ok=$(grep -c '^WRITE OK' "$RUN/g.out" || true)
refused=$(grep -c '^ERROR ENOMEM' "$RUN/g.out" || true)
[ "$refused" -gt 0 ] || fail "80 writes of 1900 bytes in a transaction: none refused"
[ "$ok" -lt 60 ] || fail "$ok writes of 1900 bytes accepted within 100000"
grep -q "domain $domid: refused by quota memory" "$RUN/daemon.err" ||
	fail "no log line for the refusal"
used=$("$BIN/xenstore-control" quota "$domid" |
	sed -n 's/^memory *: *\([0-9]*\).*/\1/p')
[ "$used" -lt 2000 ] || fail "the aborted transaction still holds: $used bytes"
