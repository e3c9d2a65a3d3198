# A client pipelining more requests in one write than the daemon handles
# for it in one loop turn gets every reply, and a watcher on another
# connection every event, with no other client waking the daemon.
. tests/lib.sh

start_daemon
for n in 1 64 65 200 1000; do
	python3 "$XS_TOP/tests/tools/pipeline.py" "$RUN/socket" "$n" ||
		fail "pipelining $n requests"
	xenstore-rm /pipe
done
