# SPDX-License-Identifier: MIT
# XSA-326 (transactions): a guest's open transactions hold private copies
# of what they write; uncounted, ten transactions rewriting 990 nodes
# with values of 1.9 KB each grow the daemon by some 20 MB whatever the
# guest's quota.  The guest creates 990 small nodes (within its nodes
# quota), then tries exactly that: the values its transactions accept
# must fit in its memory quota (the default 2.5 MiB), the rest refused,
# and the daemon serves dom0 throughout.
. tests/security/lib.sh

start_hyp
start_daemon
expect_log
V=$(printf '%01900d' 0)
set -- "repeat:990:write:n#=0"
for t in 1 2 3 4 5 6 7 8 9 10; do
	set -- "$@" "start" "repeat:990:write:n#=$V"
done
launch_guest g "$@" "sleep"
wait_count "$RUN/g.out" "^repeat" 11
check_eq "open transactions" 10 "$(usage "$domid" transactions)"
check_eq nodes "repeat ok 990" "$(grep -m1 '^repeat' "$RUN/g.out")"
accepted=$(sed -n '1,/^repeat/d; s/^repeat ok \([0-9]*\).*/\1/p' "$RUN/g.out" |
	awk '{ n += $1 } END { print n }')
[ $((accepted * 1900)) -le $((2621440 + 65536)) ] ||
	fail "transactions hold $accepted values of 1900 bytes: $(grep "^repeat" "$RUN/g.out" | cut -c1-60)"
alive
