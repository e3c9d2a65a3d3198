# SPDX-License-Identifier: MIT
# XSA-206: a guest writing in a tight loop made every transaction of the
# toolstack that read its node fail, for ever.  A guest rewrites its node
# without pause while a dom0 client runs read-modify-write transactions
# on it (one client: only one transaction has priority at a time),
# each waiting after its read until the guest has written again (so that
# each attempt loses unless something protects it): every transaction
# must commit within 4 attempts (priority after 3 conflicts,
# docs/transactions.md), and at least one must have conflicted.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest storm "repeat:0:write:x=#"
TXN_STARVE_NODE=/local/domain/$domid/x "$TOOLS/txn-starve" 1 10 4
