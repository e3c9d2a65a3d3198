#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Install the Debian 12 packages a job needs, if any is missing:
#
#   install-deps.sh            building and running (make, make run)
#   install-deps.sh --deb      that, and Debian's packaging tools (make deb)
#   install-deps.sh --test     that, the packaging tools, and what the tests
#                              and the benchmark need (make check, make bench)
#   install-deps.sh --list [--test|--deb]   print the set, one package a line
#
# The test set holds Xen's own programs (xenstore-utils, and xen-utils-4.17
# with Xen's daemons, test-xenstore and xenstore-control), which the
# interop tests and the benchmark compare ours with, and gnuplot-nox,
# which draws the plots of the benchmark's HTML report.  They stay out of the
# run set: xen-utils pulls in a newer systemd and wants to start Xen's
# services, which a simulated host never uses.  libxen-dev (headers and
# libraries only) is a build dependency: programs built against Debian's
# <xenstore.h> check our ABI, and make XEN=system links the daemon with it.
# The pool (docs/pool.md) needs libcurl to build its agent, and etcd and
# curl to run a private cluster (scripts/etcd-cluster.sh), for `make
# run-pool` as for its tests.
#
# Needs root (apt-get) only when something is missing; then it runs
# apt-get update first, so that a fresh machine's empty lists do not fail.
set -e

BUILD="gcc make pkg-config
libevent-dev libtalloc-dev libtdb-dev libbsd-dev check
libprotobuf-c-dev protobuf-c-compiler libyajl-dev zlib1g-dev libseccomp-dev
libxen-dev libxenstore4
libcurl4-openssl-dev libssl-dev etcd-server etcd-client curl"
# make deb: debhelper and dpkg-dev build the packages, go-md2man makes
# the manual pages written in markdown, lintian checks the result.
DEB="debhelper dpkg-dev go-md2man lintian"
# make check builds the packages too (tests/packaging), and runs their
# logrotate file.
TEST="clang clang-format python3 procps openssl xenstore-utils xen-utils-4.17 logrotate
gnuplot-nox $DEB"

usage() {
	echo "usage: install-deps.sh [--list] [--test|--deb]" >&2
	exit 2
}

list=""
test=""
deb=""
for a in "$@"; do
	case $a in
	--list) list=1 ;;
	--test) test=1 ;;
	--deb) deb=1 ;;
	*) usage ;;
	esac
done
pkgs="$BUILD${test:+ $TEST}"
[ -n "$deb" ] && [ -z "$test" ] && pkgs="$BUILD $DEB"

if [ -n "$list" ]; then
	for p in $pkgs; do echo "$p"; done
	exit 0
fi

missing=""
for p in $pkgs; do
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
