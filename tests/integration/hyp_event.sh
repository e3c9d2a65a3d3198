# SPDX-License-Identifier: MIT
# The simulated hypervisor's event channels: dom0 binds a guest's
# xenstore port and events make round trips through the eventfds while
# the hypervisor process is stopped (so it is not on the hot path);
# unbinding and binding again keeps working; loopback ports in dom0.
. tests/lib.sh
. tests/hyp/hyp.sh

start_hyp
"$TOOLS/hyptest" event "$HYP_PID"
