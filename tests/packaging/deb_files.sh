# SPDX-License-Identifier: MIT
#
# No file of ours is a file (or directory) of Xen's packages, or of any
# other package installed here: they install beside xen-utils-4.17,
# xen-utils-common, libxenstore4, libxen-dev and xenstore-utils.
. tests/lib.sh
. tests/packaging/lib.sh

for p in $XEN_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		fail "$p is not installed (scripts/install-deps.sh --test)"
	dpkg -L "$p" | usr_path >>"$RUN/xen.all"
done
[ "$(wc -l <"$RUN/xen.all")" -gt 300 ] || fail "too few files read from Xen's packages"
# Every package installed here, but ours if they are.
ours=$(echo $DEB_PKGS | sed 's/ /|/g')
ls /var/lib/dpkg/info/*.list | grep -Ev "/($ours)(:[a-z0-9]+)?\.list$" |
	xargs cat | usr_path >>"$RUN/all"
sort -u "$RUN/xen.all" -o "$RUN/xen.all"
sort -u "$RUN/all" -o "$RUN/all"
for p in $DEB_PKGS; do
	files_of_deb "$p" | sort -u >"$RUN/$p"
	[ -s "$RUN/$p" ] || fail "$p: no files"
	both=$(comm -12 "$RUN/$p" "$RUN/xen.all")
	[ -z "$both" ] || fail "$p shares with Xen's packages: $both"
	both=$(comm -12 "$RUN/$p" "$RUN/all")
	[ -z "$both" ] || fail "$p shares with installed packages: $both"
	echo "$p: $(wc -l <"$RUN/$p") files, none of another package"
done
# Nor do our packages share a file among themselves.
cat $(for p in $DEB_PKGS; do echo "$RUN/$p"; done) | sort | uniq -d >"$RUN/dup"
[ ! -s "$RUN/dup" ] || fail "in two of our packages: $(cat "$RUN/dup")"
echo ok
