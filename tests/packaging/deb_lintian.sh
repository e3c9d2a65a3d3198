# SPDX-License-Identifier: MIT
#
# `make deb` built every package with Debian's tools, lintian found no
# error in them, and each holds what it is for.
. tests/lib.sh
. tests/packaging/lib.sh

[ -s "$DEB_DIR/lintian.txt" ] || fail "no lintian report in $DEB_DIR"
if grep '^E:' "$DEB_DIR/lintian.txt"; then fail "lintian errors"; fi
grep '^[WE]:' "$DEB_DIR/lintian.txt" || true
for p in $DEB_PKGS; do
	deb_of "$p" >/dev/null
	check_eq "$p: name" "$p" "$(dpkg-deb -f "$(deb_of "$p")" Package)"
done
has() { files_of_deb "$1" | grep -qx "$2" || fail "$1 lacks $2"; }
has xenstored-ng /usr/sbin/xenstored-ng
has xenstored-ng /usr/libexec/xenstore-ng/launch-xenstored
has xenstored-ng /usr/lib/systemd/system/xenstored-ng.service
has xenstored-ng /etc/logrotate.d/xenstored-ng
has xenstored-ng /usr/share/man/man8/xenstored-ng.8.gz
has xenstored-ng '/usr/share/doc/xenstored-ng/debian-host.md\(.gz\)\?'
has libxenstore-ng4 "/usr/lib/$MA/xenstore-ng/libxenstore.so.4"
has libxenstore-ng-dev /usr/include/xenstore-ng/xenstore.h
has libxenstore-ng-dev "/usr/lib/$MA/pkgconfig/xenstore-ng.pc"
has libxenstore-ng-dev "/usr/lib/$MA/xenstore-ng/libxenstore.so"
has libxenstore-ng-dev /usr/share/man/man3/libxenstore.3.gz
for m in xenstore xenstore-read xenstore-ls xenstore-watch xenstore-control; do
	has xenstore-ng-utils "/usr/lib/xenstore-ng/bin/$m"
	has xenstore-ng-utils "/usr/lib/xenstore-ng/share/man/man1/$m.1"
done
has xenstore-ng-hotplug /usr/sbin/xenstore-hotplugd
has xenstore-ng-hotplug /usr/libexec/xenstore-ng/scripts/block
has xenstore-ng-hotplug /usr/libexec/xenstore-ng/scripts/vif-bridge
has xenstore-ng-hotplug /usr/lib/systemd/system/xenstore-hotplugd.service
has xenstore-ng-hotplug /usr/share/man/man8/xenstore-hotplugd.8.gz
has xenstore-ng-pool /usr/sbin/xs-pool-agent
has xenstore-ng-pool /usr/lib/systemd/system/xs-pool-agent.service
has xenstore-ng-pool /usr/share/man/man8/xs-pool-agent.8.gz

# The daemon is built against Xen's real libraries, not the simulator's.
dpkg-deb -f "$(deb_of xenstored-ng)" Depends | grep -q libxenevtchn1 ||
	fail "xenstored-ng does not depend on Xen's libxenevtchn1"
# No shlibs file: the private library must not claim Debian's soname.
dpkg-deb -e "$(deb_of libxenstore-ng4)" "$RUN/ctl"
[ ! -e "$RUN/ctl/shlibs" ] || fail "libxenstore-ng4 has a shlibs file"
# Installing starts and enables nothing.
for p in xenstored-ng xenstore-ng-hotplug xenstore-ng-pool; do
	rm -rf "$RUN/ctl2"
	dpkg-deb -e "$(deb_of $p)" "$RUN/ctl2"
	if [ -e "$RUN/ctl2/postinst" ] &&
		grep -E 'systemctl.*(start|enable)|deb-systemd-invoke' "$RUN/ctl2/postinst"; then
		fail "$p's postinst starts or enables its service"
	fi
done
echo ok
