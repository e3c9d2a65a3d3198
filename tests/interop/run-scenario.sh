#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run one interop scenario (tests/interop/cli/NAME.sh) against the daemon
# that XENSTORED_PATH names and print its transcript on stdout.  The
# scenario knows nothing about which daemon it talks to.
set -u
[ $# -eq 1 ] || { echo "usage: $0 SCENARIO" >&2; exit 2; }
: "${XENSTORED_PATH:?}"
SC_TMP=$(mktemp -d /tmp/xsc.XXXXXX)
trap 'rm -rf "$SC_TMP"' EXIT
. "$(dirname "$0")/scenario.sh"
# The header makes the recorded transcripts (tests/interop/expected/)
# self-describing; it is the same whichever daemon answers.
printf '%s\n' "# SPDX-License-Identifier: MIT" \
	"# Transcript of tests/interop/cli/$(basename "$1"): Xen 4.17's tools" \
	"# against a daemon (recorded from cxenstored: make interop-record)."
. "$1"
