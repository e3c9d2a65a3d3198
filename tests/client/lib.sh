# SPDX-License-Identifier: MIT
#
# Helpers for the client tests (tests/integration/client_*.sh), sourced
# after tests/lib.sh: two directories of xenstore-<mode> links, one to
# Debian's tools and one to ours, so that both run with the same argv[0]
# (it appears in their messages); running Debian's binaries with our
# library; and comparing two runs byte for byte.

DEB="$RUN/deb"
OURS="$RUN/ours"
mkdir -p "$DEB" "$OURS"
for m in read write rm exists list ls chmod watch; do
	ln -s "/usr/bin/xenstore-$m" "$DEB/xenstore-$m"
	ln -s "$BIN/xenstore" "$OURS/xenstore-$m"
done
ln -s /usr/bin/xenstore "$DEB/xenstore"
ln -s "$BIN/xenstore" "$OURS/xenstore"

# Our library under a sanitizer needs its runtime loaded first into
# Debian's (unsanitised) programs, and their leaks are not ours.
SAN_PRELOAD=$(ldd "$XS_BUILD/lib/libxenstore.so.4" |
	awk '/lib(asan|ubsan)\.so/ { printf "%s ", $3 }')

# with_our_lib CMD...: run CMD (a program or a shell function) with our
# libxenstore in place of Debian's.
with_our_lib() { (
	trap - EXIT INT TERM
	LD_LIBRARY_PATH="$XS_BUILD/lib"
	LD_PRELOAD="$SAN_PRELOAD"
	ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0
	export LD_LIBRARY_PATH LD_PRELOAD ASAN_OPTIONS
	"$@"
) }

# run_in DIR NAME CMD...: run CMD with DIR first on PATH, recording its
# stdout, stderr and exit status as $RUN/NAME.{out,err,rc}.
run_in() {
	ri_dir=$1 ri_name=$2
	shift 2
	set +e
	(
		# dash runs the EXIT trap in subshells: not lib.sh's cleanup.
		trap - EXIT INT TERM
		PATH="$ri_dir:$PATH"
		export PATH
		"$@"
	) >"$RUN/$ri_name.out" 2>"$RUN/$ri_name.err"
	echo $? >"$RUN/$ri_name.rc"
	set -e
}

# same NAME1 NAME2 WHAT: the two recorded runs are byte-identical.
same() {
	for s in out err rc; do
		if ! cmp -s "$RUN/$1.$s" "$RUN/$2.$s"; then
			echo "--- $3: $s differs ($1 vs $2)"
			diff "$RUN/$1.$s" "$RUN/$2.$s" | head -20
			fail "$3"
		fi
	done
}
