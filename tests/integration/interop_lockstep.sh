# SPDX-License-Identifier: MIT
#
# Lock-step conformance with Xen's C daemon (tests/interop/lockstep.py):
# random requests over several connections, malformed ones and garbage
# arguments among them, go to cxenstored 4.17 (under the shim) and to our
# daemon, each with a fresh run directory and store; every difference in
# a reply or in the watch events must be a row of docs/differences.md.
# A failure prints the seed and the requests before the difference.
# Skipped, with a note, where xen-utils-4.17 (or the shim) is missing.
#
#   XS_LOCKSTEP_SEED=S   run seed S (default: a new random seed, printed)
#   XS_LOCKSTEP_OPS=N    requests per seed (default 3000, about a second)
#   XS_LOCKSTEP_SEEDS=K  K seeds from S on (default 1): a longer run
#   XS_LOCKSTEP_V=1      print every request and both replies
. tests/lib.sh
. tests/interop/lib.sh

if ! cx_present; then
	echo "skipped: no $XEN_BIN/xenstored or $CX_SHIM (scripts/install-deps.sh --test installs xen-utils-4.17)"
	exit 0
fi
start_cxenstored || fail "cxenstored does not start"
CX_PID=$DAEMON_PID
CX_SOCK=$XENSTORED_PATH
background "$CX_PID"
start_ours
OURS_SOCK=$XENSTORED_PATH

seed=${XS_LOCKSTEP_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
seed=$((seed % 2147483648))
n=0
while [ $n -lt "${XS_LOCKSTEP_SEEDS:-1}" ]; do
	python3 -B "$XS_TOP/tests/interop/lockstep.py" --xen "$CX_SOCK" \
		--ours "$OURS_SOCK" --doc "$XS_TOP/docs/differences.md" \
		--seed $((seed + n)) --ops "${XS_LOCKSTEP_OPS:-3000}" \
		${XS_LOCKSTEP_V:+-v} || fail "seed $((seed + n))"
	kill -0 "$CX_PID" 2>/dev/null || fail "cxenstored died (seed $((seed + n)))"
	n=$((n + 1))
done
stop_any  # it logs the connections it closed: expected
echo ok
