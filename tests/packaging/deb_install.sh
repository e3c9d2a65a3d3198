# SPDX-License-Identifier: MIT
#
# dpkg installs our packages beside Xen's, and purging them leaves the
# host as it was: run in a scratch root, never in /.  The root gets a copy
# of this machine's dpkg database (so every dependency is there, and the
# file lists of every package, Xen's among them), the files of Xen's
# packages themselves, and a shell for the maintainer scripts, which
# dpkg runs chrooted there.  File triggers are left out: their packages'
# programs are not in the root.  Needs root (chroot); skipped otherwise.
. tests/lib.sh
. tests/packaging/lib.sh

if [ "$(id -u)" != 0 ]; then
	echo "skipped: dpkg --root needs root for the maintainer scripts"
	exit 0
fi
R=$RUN/root
A=$R/var/lib/dpkg
mkdir -p "$A/info" "$A/updates" "$R/usr/bin" "$R/usr/sbin" \
	"$R/usr/lib" "$R/usr/lib64" "$R/etc" "$R/tmp"
for d in bin sbin lib lib64; do ln -s "usr/$d" "$R/$d"; done
cp /var/lib/dpkg/status "$A/status"
touch "$A/available"
cp /var/lib/dpkg/info/*.list "$A/info/"
for p in $DEB_PKGS; do rm -f "$A/info/$p.list" "$A/info/$p:"*.list; done
# Xen's files, as installed here.
for p in $XEN_PKGS; do
	dpkg -L "$p" | while read -r f; do
		[ -d "$f" ] && [ ! -L "$f" ] && continue
		[ -e "$f" ] || [ -L "$f" ] || continue
		cp -a --parents "$f" "$R" 2>/dev/null || cp -a --parents "$(echo "$f" | usr_path)" "$R"
	done
done
[ -x "$R/usr/lib/xen-4.17/bin/xenstored" ] || fail "Xen's files not copied"
# /bin/sh for the maintainer scripts.
cp /usr/bin/dash "$R/usr/bin/dash"
ln -s dash "$R/usr/bin/sh"
for l in $(ldd /usr/bin/dash | awk '/\// { print ($3 ~ /^\//) ? $3 : $1 }'); do
	cp --parents -L "$l" "$R" 2>/dev/null || cp -L --parents "$(echo "$l" | usr_path)" "$R"
done

# state: the tree (type, mode, size, content, link target) without the
# dpkg database, and what the database says is installed.
state() {
	(cd "$R" && find . -path ./var/lib/dpkg -prune -o -printf '%y %m %s %p %l\n' | sort) >"$1.tree"
	(cd "$R" && find . -path ./var/lib/dpkg -prune -o -type f -print0 | sort -z |
		xargs -0 md5sum) >"$1.sums"
	dpkg-query --admindir="$A" -W -f='${binary:Package} ${Version} ${db:Status-Abbrev}\n' |
		grep -v '^[^ ]* [^ ]* *$' | sort >"$1.db"
}
state "$RUN/before"
debs=""
for p in $DEB_PKGS; do debs="$debs $(deb_of "$p")"; done
# The real PATH holds what dpkg checks for (ldconfig, start-stop-daemon).
# shellcheck disable=SC2086
dpkg --root="$R" --log=/dev/null -i $debs >"$RUN/install.log" 2>&1 ||
	fail "dpkg -i: $(cat "$RUN/install.log")"
for p in $DEB_PKGS; do
	dpkg-query --admindir="$A" -W -f='${db:Status-Abbrev}' "$p" | grep -q '^ii' ||
		fail "$p not installed: $(cat "$RUN/install.log")"
done
for p in $XEN_PKGS; do
	dpkg-query --admindir="$A" -W -f='${db:Status-Abbrev}' "$p" | grep -q '^ii' ||
		fail "$p no longer installed"
done
[ -x "$R/usr/sbin/xenstored-ng" ] || fail "daemon not installed"
[ -e "$R/etc/logrotate.d/xenstored-ng" ] || fail "logrotate file not installed"
cmp -s "$R/usr/lib/xen-4.17/bin/xenstored" /usr/lib/xen-4.17/bin/xenstored ||
	fail "Xen's daemon changed"
# Nothing was enabled or started: no unit links anywhere.
if find "$R" -path "$R/var/lib/dpkg" -prune -o -name '*.wants' -print | grep -q .; then
	fail "a unit was enabled"
fi

# The root is one where dpkg refuses a package that would overwrite a
# file of Xen's: one holding /usr/bin/xenstore-read, for instance.
mkdir -p "$RUN/bad/DEBIAN" "$RUN/bad/usr/bin"
printf 'Package: xst-clash\nVersion: 1\nArchitecture: all\nMaintainer: t <t@t.example>\nDescription: t\n' \
	>"$RUN/bad/DEBIAN/control"
echo '#!/bin/sh' >"$RUN/bad/usr/bin/xenstore-read"
dpkg-deb -b "$RUN/bad" "$RUN/bad.deb" >/dev/null
if dpkg --root="$R" --log=/dev/null -i "$RUN/bad.deb" >"$RUN/bad.log" 2>&1; then
	fail "dpkg let a package overwrite Xen's xenstore-read"
fi
grep -q "trying to overwrite '/usr/bin/xenstore-read'" "$RUN/bad.log" ||
	fail "no overwrite refusal: $(cat "$RUN/bad.log")"
dpkg --root="$R" --log=/dev/null --purge xst-clash >/dev/null 2>&1

# shellcheck disable=SC2086
dpkg --root="$R" --log=/dev/null --purge $DEB_PKGS >"$RUN/purge.log" 2>&1 ||
	fail "dpkg --purge: $(cat "$RUN/purge.log")"
state "$RUN/after"
for s in tree sums db; do
	diff "$RUN/before.$s" "$RUN/after.$s" >"$RUN/diff" ||
		fail "after purging, $s differs: $(cat "$RUN/diff")"
done
echo "installed and purged $(echo $DEB_PKGS | wc -w) packages beside" \
	"$(echo $XEN_PKGS | wc -w) of Xen's; the root is as it was"
echo ok
