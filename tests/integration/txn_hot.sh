# Hot nodes (docs/transactions.md): a transaction about to read a node
# that conflicted before waits in line while another connection's
# transaction that read it is open, then reads what that one committed;
# holders that change nothing, abort or go away release the line; holders
# never wait; an idle holder holds others up only for the bound; 60
# clients in line lose no update; a guest's hold never makes dom0 wait.
. tests/lib.sh
. tests/hyp/hyp.sh

HOT="$XS_TOP/tests/tools/txn-hot.py"
XENSTORED_HOT_WAIT_MS=5000
export XENSTORED_HOT_WAIT_MS
start_hyp
start_daemon
python3 -B "$HOT" "$XENSTORED_PATH"
python3 -B "$HOT" "$XENSTORED_PATH" many 60 10

# A guest that may read a hot node holds it in its transaction and
# idles; dom0's transaction reads it at once all the same.
GUEST="$TOOLS/ring-guest"
. tests/guest/guest.sh
python3 -B "$HOT" "$XENSTORED_PATH" make-hot /hot/g
xenstore-chmod /hot/g r0
launch_guest g "start" "read:/hot/g" "sleep"
wait_lines "$RUN/g.out" 1 '^READ' "the guest did not read"
python3 -B "$HOT" "$XENSTORED_PATH" reads-now /hot/g
