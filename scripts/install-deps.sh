#!/bin/sh
# Install the Debian packages the build, the tests and the benchmark need,
# if any is missing.  Needs root (apt-get) only when something is missing.
set -e
PKGS="gcc make pkg-config clang python3 procps
libevent-dev libtalloc-dev libtdb-dev libbsd-dev check libprotobuf-c-dev protobuf-c-compiler libyajl-dev zlib1g-dev
xenstore-utils libxenstore4 libxen-dev xen-utils-4.17"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root, or install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# xen-utils' maintainer scripts expect a Xen host; their failure to start
# services here is harmless, so a failed configure step is retried leniently.
apt-get install -y -q --no-install-recommends $missing ||
	apt-get install -y -q --no-install-recommends -f
