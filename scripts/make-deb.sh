#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make deb: the Debian packages of debian/control, built by Debian's own
# tools (dpkg-buildpackage, debhelper) from a copy of the working tree,
# so that the tree's own build/ is left alone, then checked by lintian.
#
#   make-deb.sh OUTDIR
#
# OUTDIR gets the .deb files, the .changes, build.log and lintian.txt;
# lintian errors fail it (warnings are listed, and shown).
set -e
out=${1:-build/deb}
# A make that runs this passes its variables (SANITIZE=..., B=...) down
# in MAKEFLAGS; the package build must not see them.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
ver=$(dpkg-parsechangelog -S Version)
src=$out/xenstore-ng-$ver
rm -rf "$out"
mkdir -p "$src"
# The tree as it is, committed or not: tracked and new files, not the
# ignored ones (build/).
git ls-files -z -co --exclude-standard |
	tar -c --null -T - --ignore-failed-read -f - 2>/dev/null |
	tar -x -C "$src" -f -
echo "make-deb: building in $src (log: $out/build.log)"
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=${DEB_JOBS:-2}" \
	dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	echo "make-deb: dpkg-buildpackage failed" >&2
	exit 1
fi
rm -rf "$src"
ls "$out"/*.deb
changes=$(ls "$out"/*.changes)
# --fail-on error: lintian's exit status says whether there is any error.
if lintian --fail-on error --display-info "$changes" >"$out/lintian.txt" 2>&1; then
	status=0
else
	status=1
fi
echo "make-deb: lintian: $(grep -c '^E:' "$out/lintian.txt" || true) errors," \
	"$(grep -c '^W:' "$out/lintian.txt" || true) warnings," \
	"$(grep -c '^I:' "$out/lintian.txt" || true) notes ($out/lintian.txt)"
grep '^[EW]:' "$out/lintian.txt" || true
exit $status
