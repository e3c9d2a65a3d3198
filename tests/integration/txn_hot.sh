# Hot nodes (docs/transactions.md): a transaction about to read a node
# that conflicted before waits in line while another connection's
# transaction that read it is open, then reads what that one committed;
# holders that change nothing, abort or go away release the line; holders
# never wait; an idle holder holds others up only until the bound.
. tests/lib.sh

XENSTORED_HOT_WAIT_MS=5000
export XENSTORED_HOT_WAIT_MS
start_daemon
python3 -B "$XS_TOP/tests/tools/txn-hot.py" "$XENSTORED_PATH"
