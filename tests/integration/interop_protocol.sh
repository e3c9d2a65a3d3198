# SPDX-License-Identifier: MIT
#
# Raw protocol requests that no Xen tool or library call sends as such
# (unknown transaction ids, RESET_WATCHES, removal events, domain
# requests), with the replies Xen's cxenstored 4.17 gives: each
# tests/interop/protocol/*.xs runs against a fresh instance of our daemon
# through xs-script, which checks every reply and event.  The same scripts
# pass against cxenstored (make check-interop).
. tests/lib.sh
. tests/interop/lib.sh

for script in tests/interop/protocol/*.xs; do
	start_ours
	"$TOOLS/xs-script" "$script" || fail "$(basename "$script")"
	stop_ours
done
echo ok
