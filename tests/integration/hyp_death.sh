# SPDX-License-Identifier: MIT
# Guest death in the simulated hypervisor: a guest killed by a signal and
# one that shuts down and exits make their domains dying and raise
# VIRQ_DOM_EXC for dom0; getinfo lists the dead; destroy removes them.
. tests/lib.sh
. tests/hyp/hyp.sh

start_hyp
"$TOOLS/hyptest" death
