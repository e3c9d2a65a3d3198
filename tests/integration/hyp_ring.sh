# SPDX-License-Identifier: MIT
# The xenstore ring between processes: a guest sends messages of every
# size (wrapping, larger than the ring) on its xenstore page; dom0 maps
# the page through grant 1, binds the port and echoes them, with the
# hypervisor stopped throughout, as xenstored will serve guests.
. tests/lib.sh
. tests/hyp/hyp.sh

start_hyp
"$TOOLS/hyptest" ring "$HYP_PID"
