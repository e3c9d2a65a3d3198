#!/bin/sh
# Run every tests/integration/*.sh (or the tests or the directory named)
# with XS_BUILD set to the build directory; each test starts its own
# private daemon.  A test named in its directory's "known-failures" file
# (a name and the reason, one a line) is not run but printed as SKIP: it
# tests a defect being fixed (XS_RUN_KNOWN=1 runs it anyway); a
# directory's lib.sh is its helpers, not a test.  Prints a line per test
# and a closing "<directory>: N passed, N failed, N skipped".
build=${1:-build}
shift 2>/dev/null
XS_BUILD=$(cd "$build" && pwd)
XS_TOP=$(pwd)
export XS_BUILD XS_TOP
pass=0
fail=0
skip=0
failed=""
tests=${*:-tests/integration}
[ -d "$tests" ] && tests=$(ls "$tests"/*.sh | grep -v /lib.sh)
for t in $tests; do
	name=$(basename "$t" .sh)
	dir=$(dirname "$t")
	known=$(sed -n "s/^$name[ 	]\{1,\}//p" "$dir/known-failures" 2>/dev/null)
	if [ -n "$known" ] && [ -z "${XS_RUN_KNOWN:-}" ]; then
		skip=$((skip + 1))
		echo "SKIP: $name (known failure: $known)"
		continue
	fi
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
echo "$(basename "${dir:-integration}"): $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
