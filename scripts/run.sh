#!/bin/sh
# SPDX-License-Identifier: MIT
# `make run`: bring up a simulated Xen host in build/run (the hypervisor
# xenhyp, then xenstored serving dom0's socket and the guests' rings),
# start two guests, show the tree with xenstore-ls, and keep everything
# running until Ctrl-C, which takes the host down again.
set -e
BIN=${1:-build/bin}
RUN=${XSIM_RUNDIR:-$(pwd)/build/run}
XSIM="$BIN/xsim"
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
# guest1 writes into its own area and waits; guest2 also watches it.
"$XSIM" create guest1 -- 'write data/greeting hello from guest1' \
	'write data/kernel xsim-guest' sleep
"$XSIM" create guest2 -- 'write data/greeting hello from guest2' \
	'watch data w' sleep
# The guests boot on their own: wait (a little) until both have written
# their nodes and sleep.
booted() {
	grep -q sleeping "$RUN/domains/guest1.log" 2>/dev/null &&
		grep -q sleeping "$RUN/domains/guest2.log" 2>/dev/null
}
i=0
while [ $i -lt 200 ] && ! booted; do
	i=$((i + 1))
	sleep 0.05
done

echo "A simulated Xen host runs in $RUN:"
echo
"$XSIM" list
echo
echo "Its xenstore (xenstore-ls -p /):"
"$BIN/xenstore-ls" -p /
cat <<MSG

Talk to it from another shell:
  export XSIM_RUNDIR=$RUN XENSTORED_PATH=$RUN/xenstored/socket
  $BIN/xenstore-ls /local/domain
  $BIN/xsim create guest3 -- 'read name' 'write data/x 1' sleep
  $BIN/xsim shutdown -w guest1      # the guest obeys control/shutdown
  $BIN/xsim list; $BIN/xsim destroy guest2
Logs: $RUN/xenstored.log, $RUN/xenhyp.log, $RUN/domains/<name>.log;
access log: $RUN/access.log.  Ctrl-C stops the host.
MSG
# Wait until Ctrl-C, or until a daemon dies.
while [ -e "$RUN/xenstored.pid" ] &&
	kill -0 "$(cat "$RUN/xenstored.pid")" 2>/dev/null; do
	sleep 1
done
echo "xenstored is gone; see $RUN/xenstored.log"
