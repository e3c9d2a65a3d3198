# A client looping on EAGAIN against a steady stream of conflicting
# writers commits within a bounded number of attempts (docs/transactions.md,
# "Starvation": priority after 3 conflicts in a row, so at most 4).
. tests/lib.sh

start_daemon
"$TOOLS/txn-starve" 4 10 4
