# SPDX-License-Identifier: MIT
# The simulated hypervisor's grant tables: a guest shares pages with a
# second guest, which maps them (read-write and read-only); a third guest
# and dom0 are refused those grants; dom0 reaches the first guest's
# xenstore ring through reserved grant reference 1.
. tests/lib.sh
. tests/hyp/hyp.sh

start_hyp
"$TOOLS/hyptest" grant
