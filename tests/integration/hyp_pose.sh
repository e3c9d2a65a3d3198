# SPDX-License-Identifier: MIT
# Identity in the simulated hypervisor: a guest cannot act as another
# domain or as dom0 (every privileged or foreign operation is refused), a
# domain's channel is handed out once, and a process of another user is
# refused on the dom0 socket by the SO_PEERCRED check, which is logged; a
# guest sending junk on its channel loses it (and dies), logged too.
. tests/lib.sh
. tests/hyp/hyp.sh

start_hyp
expect_hyp_log
# Let other users reach the socket, so only SO_PEERCRED stands in the way.
chmod 711 "$RUN"
"$TOOLS/hyptest" pose
grep -q "refused dom0 connection from pid [0-9]* uid 65534" "$RUN/hyp.err" ||
	fail "refused connection not logged: $(cat "$RUN/hyp.err")"
grep -q "dropping channel of dom[0-9]*: malformed request" "$RUN/hyp.err" ||
	fail "junk not logged: $(cat "$RUN/hyp.err")"
