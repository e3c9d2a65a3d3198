# Scripted protocol tests: each tests/scripts/*.xs runs against a fresh
# daemon with xs-script, which compares every reply and event.
. tests/lib.sh

for script in "$XS_TOP"/tests/scripts/*.xs; do
	start_daemon
	if grep -q "^# expect-log" "$script"; then expect_log; fi
	"$TOOLS/xs-script" "$script" || fail "$(basename "$script")"
	stop_daemon
done
