# SPDX-License-Identifier: MIT
# XSA-72: a reply longer than the 4096-byte payload limit overran the
# client's buffer.  A guest lists a directory whose child names take
# 5440 bytes: DIRECTORY must answer E2BIG (ring-guest dies on a reply
# over 4096 bytes), DIRECTORY_PART must page it, and the pages must
# hold every child.
. tests/security/lib.sh

start_hyp
start_daemon
launch_guest g "wait:$RUN/go" "dir:big" "op:22:big:0" "sleep"
home=/local/domain/$domid
for i in $(seq 10 89); do
	printf '1 write %s/big/%s-%066d x\n> 1: OK\n' "$home" "$i" 0
done >"$RUN/big.xs"
"$TOOLS/xs-script" "$RUN/big.xs" >/dev/null || fail "making the directory"
touch "$RUN/go"
wait_for "$RUN/g.out" "^DIRECTORY_PART"
check_eq directory "ERROR E2BIG" "$(replies g | head -1)"
# The first page: a generation, then whole names, all within 4096 bytes.
first=$(grep '^DIRECTORY_PART' "$RUN/g.out" | tr ' ' '\n' | grep -c -- '-0000')
[ "$first" -gt 10 ] && [ "$first" -lt 80 ] ||
	fail "first page holds $first names"
# dom0's library pages through DIRECTORY_PART: every child is there.
check_eq children 80 "$(xenstore-list "$home/big" | wc -l)"
alive
