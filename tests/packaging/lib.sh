# SPDX-License-Identifier: MIT
# Helpers of the packaging tests (sourced after tests/lib.sh).  The
# packages are those `make deb` built into build/deb (check-packaging
# builds them first, once for every build directory).
DEB_DIR=$XS_TOP/build/deb
# The packages and what each must hold (one path of each, at least).
DEB_PKGS="xenstored-ng libxenstore-ng4 libxenstore-ng-dev xenstore-ng-utils
xenstore-ng-hotplug xenstore-ng-pool"
# Xen's packages ours must install beside.
XEN_PKGS="xen-utils-4.17 xen-utils-common libxenstore4 libxen-dev xenstore-utils"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)

# deb_of PACKAGE: the path of its .deb
deb_of() {
	set -- "$DEB_DIR/$1"_*.deb
	echo "$1"
}
for p in $DEB_PKGS; do
	[ -f "$(deb_of "$p")" ] || fail "no package $p in $DEB_DIR (make deb)"
done

# extract_all DIR: every package unpacked into DIR, as dpkg would lay
# them out (nothing is installed).
extract_all() {
	mkdir -p "$1"
	for p in $DEB_PKGS; do dpkg-deb -x "$(deb_of "$p")" "$1"; done
}

# usr_path: a path list on stdin with /lib, /bin, /sbin written as under
# /usr (Debian 12 merges them, so /lib/x and /usr/lib/x are one file).
usr_path() {
	sed -e 's,^/\(lib\|lib64\|bin\|sbin\)/,/usr/\1/,' -e 's,/$,,'
}

# files_of_deb PACKAGE: what it installs that is not a directory, one
# path a line (symbolic links included).
files_of_deb() {
	dpkg-deb -c "$(deb_of "$1")" | awk '$1 !~ /^d/ { print $6 }' |
		sed 's,^\.,,' | usr_path
}
