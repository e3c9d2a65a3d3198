# SPDX-License-Identifier: MIT
#
# Debian's libxenstore (Xen 4.17) against our daemon: tests/interop/
# libxs_test checks node operations and their errno values, permissions,
# transactions (with the EAGAIN retry loop) and watches through xs_fileno
# and xs_read_watch.  The same program passes against Xen's cxenstored
# (make check-interop), so its expectations are Xen's.
. tests/lib.sh
. tests/interop/lib.sh

start_ours
"$XS_BUILD/tests/interop/libxs_test" >"$RUN/libxs.out" || {
	grep -v '^ok ' "$RUN/libxs.out"
	fail "libxs_test against our daemon"
}
tail -n 1 "$RUN/libxs.out"
# It cleans up after itself (its relative paths made /local/domain/0).
check_eq "store after libxs_test" "/tool = \"\"
/tool/xenstored = \"\"
/local = \"\"
/local/domain = \"\"
/local/domain/0 = \"\"" "$(xenstore-ls -f /)"
# Without XENSTORED_PATH the library finds the socket the way a dom0
# finds the real one: $XENSTORED_RUNDIR/socket.
env -u XENSTORED_PATH XENSTORED_RUNDIR="$RUN/ours" xenstore-write /found yes
check_eq "write through XENSTORED_RUNDIR" yes "$(xenstore-read /found)"
check_eq "read through XENSTORED_RUNDIR" yes \
	"$(env -u XENSTORED_PATH XENSTORED_RUNDIR="$RUN/ours" xenstore-read /found)"
stop_ours
echo ok
