# SPDX-License-Identifier: MIT
#
# The random differential test (tests/diff/): random sequences of requests
# on several connections, with transactions and watches, run against a
# private daemon and against the model in tests/diff/model.py; every reply
# and every watch event must agree.  A mismatch prints the seed and a
# shrunk failing sequence.
#
#   XS_DIFF_SEEDS=N   run N sequences instead of the default set
#   XS_DIFF_FIRST=S   start at seed S (default 1)
#   XS_DIFF_SEED=S    run only seed S, listing its operations
. tests/lib.sh

start_daemon
if [ -n "${XS_DIFF_SEED:-}" ]; then
	python3 -B "$XS_TOP/tests/diff/run.py" --socket "$XENSTORED_PATH" \
		--seed "$XS_DIFF_SEED" -v
else
	python3 -B "$XS_TOP/tests/diff/run.py" --socket "$XENSTORED_PATH" \
		--first "${XS_DIFF_FIRST:-1}" --seeds "${XS_DIFF_SEEDS:-500}"
fi
