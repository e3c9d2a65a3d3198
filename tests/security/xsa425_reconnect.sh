# SPDX-License-Identifier: MIT
# XSA-425: as xsa425_reset_watches, but the guest resets its ring
# (reconnection, feature bit 1) while requests it never read the replies
# of and 60 events are queued for it: no crash, and the fresh connection
# serves it.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "watch:x:t" "wait:$RUN/go" "flood:10:write:y=#" "reconnect" \
	"write:z=1" "read:z" "sleep"
for n in $(seq 1 60); do
	printf '1 write /local/domain/%s/x %s\n> 1: OK\n' "$domid" "$n"
done >"$RUN/writes.xs"
"$TOOLS/xs-script" "$RUN/writes.xs" >/dev/null || fail "writes"
touch "$RUN/go"
wait_for "$RUN/g.out" "^READ\|ring-guest:"
check_eq "after the reset" "WRITE OK
READ 1" "$(grep '^WRITE\|^READ' "$RUN/g.out")"
alive
