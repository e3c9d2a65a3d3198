#!/bin/sh
# SPDX-License-Identifier: MIT
# `make run`: bring up a simulated Xen host in build/run (the hypervisor
# xenhyp, xenstored serving dom0's socket and the guests' rings, dom0's
# backend drivers and xenstore-hotplugd), create two guests from the xl
# configuration files in tools/xsim/examples (two vcpus, a file-backed
# disk and a network interface each), wait until every device is
# Connected at both ends, show one guest's tree and its backends with
# xenstore-ls, and keep everything running until Ctrl-C, which takes the
# host down again.  XENSTORETYPE=domain (and xencommons' other
# XENSTORE_* variables) runs xenstore in a domain: docs/stubdom.md.
set -e
BIN=${1:-build/bin}
RUN=${XSIM_RUNDIR:-$(pwd)/build/run}
XSIM="$BIN/xsim"
EXAMPLES=$(cd "$(dirname "$0")/../tools/xsim/examples" && pwd)
export XSIM_RUNDIR="$RUN" XENSTORED_PATH="$RUN/xenstored/socket"
mkdir -p "$RUN"
# A host left over from an earlier run (killed without Ctrl-C) goes first.
"$XSIM" stop >/dev/null 2>&1 || true

stopping=""
stop() {
	[ -n "$stopping" ] && return
	stopping=1
	echo
	echo "Stopping the simulated host..."
	"$XSIM" stop
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

"$XSIM" start -- -T "$RUN/access.log"
# Each guest's disk is a sparse 64 MB file in the run directory; the
# configuration's disk list is replaced on the command line, as xl
# allows, to point at it.
for g in guest1 guest2; do
	rm -f "$RUN/$g.img"
	dd if=/dev/zero of="$RUN/$g.img" bs=1 count=0 seek=64M 2>/dev/null
	"$XSIM" create "$EXAMPLES/$g.cfg" \
		"disk=['format=raw, vdev=xvda, access=rw, target=$RUN/$g.img']"
done
# The drivers' handshake runs on its own once the guests boot.
"$XSIM" wait -t 20 guest1
"$XSIM" wait -t 20 guest2
d=$("$XSIM" domid guest1)

echo "A simulated Xen host runs in $RUN:"
echo
"$XSIM" list
echo
"$XSIM" block-list guest1
"$XSIM" network-list guest1
echo
echo "guest1's home (xenstore-ls -f /local/domain/$d):"
"$BIN/xenstore-ls" -f "/local/domain/$d"
echo
echo "Its backends in dom0 (xenstore-ls -f /local/domain/0/backend/{vbd,vif}/$d):"
"$BIN/xenstore-ls" -f "/local/domain/0/backend/vbd/$d"
"$BIN/xenstore-ls" -f "/local/domain/0/backend/vif/$d"
cat <<MSG

Talk to it from another shell:
  export XSIM_RUNDIR=$RUN XENSTORED_PATH=$RUN/xenstored/socket
  $BIN/xenstore-ls /local/domain
  $BIN/xsim block-attach guest2 $RUN/guest1.img xvdb r    # shared read-only: refused (busy)
  $BIN/xsim network-attach guest2 bridge=xenbr0; $BIN/xsim wait guest2
  $BIN/xsim create $EXAMPLES/guest1.cfg name=guest3 "disk=[]" "vif=[]"
  $BIN/xsim shutdown -w guest1      # the guest obeys control/shutdown
  $BIN/xsim list; $BIN/xsim destroy guest2
$(if [ "${XENSTORETYPE:-}" = domain ]; then
	echo "xenstore runs in the domain Xenstore; dom0's tools reach it through"
	echo "dom0's xenbus device, the socket XENSTORED_PATH names (docs/stubdom.md)."
fi)
Logs: $RUN/xenstored.log, $RUN/xenhyp.log, $RUN/backend.log (dom0's
backend drivers), $RUN/hotplugd.log (hotplug scripts),
$RUN/domains/<name>.log; the simulated network: $RUN/net;
access log: $RUN/access.log.  Ctrl-C stops the host.
MSG
# Wait until Ctrl-C, or until a daemon dies.
while [ -e "$RUN/xenstored.pid" ] &&
	kill -0 "$(cat "$RUN/xenstored.pid")" 2>/dev/null; do
	sleep 1
done
echo "xenstored is gone; see $RUN/xenstored.log"
