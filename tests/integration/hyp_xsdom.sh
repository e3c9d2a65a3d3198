# SPDX-License-Identifier: MIT
# The xenstore domain's rights in the simulated hypervisor are Xen's
# policy for it: it maps a guest's ring through grant 1 seeded for it,
# binds the guest's xenstore port, queries domain state and receives
# VIRQ_DOM_EXC; everything else (creating, destroying, pausing domains,
# their channels and ports, other grants, foreign mappings, seeding
# grants, choosing the VIRQ handler) is refused, and each refusal logged.
. tests/lib.sh
. tests/hyp/hyp.sh

start_hyp
expect_hyp_log
"$TOOLS/hyptest" xsdom || fail "hyptest xsdom"
n=$(grep -c "xenstore domain [0-9]* refused" "$RUN/hyp.err" || true)
[ "$n" -ge 11 ] || fail "refusals not logged ($n): $(cat "$RUN/hyp.err")"
grep -q "xenstore domain [0-9]* refused OP_FOREIGN_MAP: Operation not permitted" \
	"$RUN/hyp.err" || fail "foreign map refusal: $(cat "$RUN/hyp.err")"
