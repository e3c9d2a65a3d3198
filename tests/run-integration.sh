#!/bin/sh
# Run every tests/integration/*.sh (or those named) with XS_BUILD set to
# the build directory; each test starts its own private daemon.  Prints a
# line per test and a closing "integration: N passed, N failed".
build=${1:-build}
shift 2>/dev/null
XS_BUILD=$(cd "$build" && pwd)
XS_TOP=$(pwd)
export XS_BUILD XS_TOP
pass=0
fail=0
failed=""
tests=${*:-tests/integration/*.sh}
for t in $tests; do
	name=$(basename "$t" .sh)
	log="$XS_BUILD/tests/logs/$name.log"
	mkdir -p "$(dirname "$log")"
	if timeout 600 sh "$t" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "PASS: $name"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "FAIL: $name (log: $log)"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
