# SPDX-License-Identifier: MIT
#
# Drop-in proof: Debian's own xenstore-utils binaries and a program built
# against Debian's libxenstore run unchanged with our library, and behave
# exactly as with Debian's library, against our daemon.  Also checks that
# our library exports Debian's symbols at Debian's symbol versions.
. tests/lib.sh
. tests/client/lib.sh

# Every function of Debian's library, at the same version, in ours; and
# the calls of newer Xen at theirs.
objdump -T /usr/lib/x86_64-linux-gnu/libxenstore.so.4 |
	awk '/ DF \.text/ { print $(NF-1), $NF }' | sort >"$RUN/syms.deb"
objdump -T "$XS_BUILD/lib/libxenstore.so.4" |
	awk '/ DF \.text/ { print $(NF-1), $NF }' | sort >"$RUN/syms.ours"
[ -s "$RUN/syms.deb" ] || fail "no symbols read from Debian's library"
missing=$(comm -23 "$RUN/syms.deb" "$RUN/syms.ours")
[ -z "$missing" ] || fail "missing or misversioned: $missing"
for s in "VERS_4.1 xs_get_features_supported" "VERS_4.1 xs_set_features_domain" \
	"VERS_4.2 xs_get_quota_names" "VERS_4.2 xs_set_domain_quota" \
	"VERS_4.2 xs_watch_depth" "VERS_4.2 xs_watch_try_depth"; do
	grep -qx "$s" "$RUN/syms.ours" || fail "not exported: $s"
done
objdump -p "$XS_BUILD/lib/libxenstore.so.4" | grep -q 'SONAME *libxenstore.so.4$' ||
	fail "soname"
# Nothing but the API leaks out.
extra=$(awk '{ print $2 }' "$RUN/syms.ours" | grep -v '^xs_' || true)
[ -z "$extra" ] || fail "exported non-API symbols: $extra"

# Debian's tools with both libraries, each on a fresh daemon.
scenario() {
	xenstore-write /s/a hello /s/b "$(printf 'x\001y')" /s/d/e/f ''
	xenstore-read /s/a /s/b
	xenstore-read -p -R /s/a
	xenstore-list -p /s
	xenstore-ls -p /s
	xenstore-ls -f /
	xenstore-chmod -r /s/d b3 r4
	xenstore-chmod -u /s/d/e n2
	xenstore-ls -fp /s
	xenstore-exists /s/a && echo exists
	xenstore-exists /s/zz || echo "not there"
	xenstore-read /s/zz || echo "read failed $?"
	xenstore-rm -t /s/d/e/f
	xenstore-ls -f /s
	rm -f "$RUN/watch.out"
	xenstore-watch -n 2 /s/w >"$RUN/watch.out" &
	w=$!
	# The watch is registered once its initial event is printed.
	i=0
	until [ -s "$RUN/watch.out" ]; do
		i=$((i + 1)); [ $i -lt 400 ] || { echo "no initial event"; break; }
		sleep 0.05
	done
	xenstore-write /s/w/x 1
	wait $w
	cat "$RUN/watch.out"
	xenstore-rm /s
	xenstore-ls /
}

start_daemon
run_in /usr/bin plain scenario
stop_daemon
start_daemon
run_in /usr/bin ours with_our_lib scenario
same plain ours "Debian's tools, Debian's library vs ours"
grep -q "^/s/w/x$" "$RUN/ours.out" || fail "watch event missing"
grep -q "b3,r4" "$RUN/ours.out" || fail "chmod -r"

# A program built and linked against Debian's libxenstore.
run_in /usr/bin abi-plain "$XS_BUILD/tests/client/debian_abi"
run_in /usr/bin abi-ours with_our_lib "$XS_BUILD/tests/client/debian_abi"
same abi-plain abi-ours "debian_abi, Debian's library vs ours"
grep -q "^commit: false EAGAIN" "$RUN/abi-ours.out" || fail "no conflict seen"

stop_daemon

# The same, with our library, against Xen's own C daemon where it can be
# started here (the shim of the shared bench).
. tests/interop/lib.sh
if cx_present && start_cxenstored; then
	run_in /usr/bin cx-plain scenario
	stop_any
	start_cxenstored || fail "cxenstored does not restart"
	run_in /usr/bin cx-ours with_our_lib scenario
	same cx-plain cx-ours "against cxenstored, Debian's library vs ours"
	run_in /usr/bin cx-abi-plain "$XS_BUILD/tests/client/debian_abi"
	run_in /usr/bin cx-abi-ours with_our_lib "$XS_BUILD/tests/client/debian_abi"
	same cx-abi-plain cx-abi-ours "debian_abi against cxenstored"
	stop_any
else
	echo "cxenstored cannot start here: no comparison against it"
fi
echo ok
