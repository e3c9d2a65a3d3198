# SPDX-License-Identifier: MIT
#
# The README's commands install only what they need: `make run` the
# build and run packages, `make check` and `make bench` the test ones too
# (scripts/install-deps.sh --test).  Xen's own daemons (xen-utils-4.17,
# which pulls in a newer systemd and wants to start Xen's services) and
# tools belong to the test set only.  Nothing is installed here: the
# sets are listed, and make only says what it would run.
. tests/lib.sh
DEPS="$XS_TOP/scripts/install-deps.sh"

sh "$DEPS" --list >"$RUN/run.set"
sh "$DEPS" --list --test >"$RUN/test.set"
for p in xen-utils-4.17 xenstore-utils clang python3 gnuplot-nox; do
	grep -qx "$p" "$RUN/test.set" || fail "$p missing from the test set"
	! grep -qx "$p" "$RUN/run.set" || fail "$p in the run set"
done
for p in gcc make libtalloc-dev libxen-dev; do
	grep -qx "$p" "$RUN/run.set" || fail "$p missing from the run set"
done
# Debian's packaging tools: make deb's set, and make check's (it builds
# the packages), not make run's.
sh "$DEPS" --list --deb >"$RUN/deb.set"
for p in debhelper dpkg-dev go-md2man lintian; do
	grep -qx "$p" "$RUN/deb.set" || fail "$p missing from the deb set"
	grep -qx "$p" "$RUN/test.set" || fail "$p missing from the test set"
	! grep -qx "$p" "$RUN/run.set" || fail "$p in the run set"
done
sort "$RUN/deb.set" >"$RUN/d"
# The test set is the run set and more.
sort "$RUN/run.set" >"$RUN/r"
sort "$RUN/test.set" >"$RUN/t"
check_eq "run set within the test set" "" "$(comm -23 "$RUN/r" "$RUN/t")"
check_eq "deb set within the test set" "" "$(comm -23 "$RUN/d" "$RUN/t")"
if sh "$DEPS" --bogus 2>"$RUN/err"; then fail "--bogus accepted"; fi
check_eq "usage" "usage: install-deps.sh [--list] [--test|--deb]" "$(cat "$RUN/err")"

# What each README target runs first (make -n: nothing is run but the
# sub-makes, dry too), outside the make that may be running this test.
deps_of() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -n -C "$XS_TOP" \
		B="$RUN/b" "$1" 2>/dev/null | grep install-deps.sh || true
}
check_eq "make run" "sh scripts/install-deps.sh" "$(deps_of run)"
check_eq "make check" "sh scripts/install-deps.sh --test" "$(deps_of check)"
check_eq "make bench" "sh scripts/install-deps.sh --test" "$(deps_of bench)"
check_eq "make deb" "sh scripts/install-deps.sh --deb" "$(deps_of deb)"
echo ok
