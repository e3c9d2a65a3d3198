#!/bin/sh
# `make run`: start xenstored in the foreground on a private run
# directory, show it serving, and keep it running until Ctrl-C.
set -e
BIN=${1:-build/bin}
RUN=${XENSTORED_RUNDIR:-$(pwd)/build/run}
mkdir -p "$RUN"
export XENSTORED_RUNDIR="$RUN" XENSTORED_PATH="$RUN/socket"
"$BIN/xenstored" -N -F "$RUN/xenstored.pid" -T "$RUN/access.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' INT TERM EXIT
while [ ! -S "$RUN/socket" ]; do sleep 0.05; done

xenstore-write /local/domain/0/name Domain-0 /vm/demo/name demo
xenstore-chmod /vm/demo n0 r1
echo "xenstored (pid $pid) serves $RUN/socket; its tree:"
xenstore-ls -p /
cat <<MSG

Talk to it from another shell:
  export XENSTORED_PATH=$RUN/socket
  xenstore-ls /; xenstore-write /a 1; xenstore-watch /a
Access log: $RUN/access.log.  Ctrl-C stops it.
MSG
wait $pid
