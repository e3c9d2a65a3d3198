# SPDX-License-Identifier: MIT
#
# The access log (-T, "log on", "logfile", switches) and its rotation:
# the lines for a fixed conversation (xs-script) in Xen's trace format,
# compared with the lines Xen's own cxenstored writes for the same
# conversation when it can run here; one message is one line; "log -io",
# "log off" and "log on" stop and restart it; SIGHUP after a rename makes
# new lines land in a new file (logrotate's create mode); "log on" without
# -T opens xenstored-trace.log in the run directory; "logfile" switches.
. tests/lib.sh
. tests/interop/lib.sh

cat >"$RUN/talk.xs" <<'EOF'
1 write /a hello
> 1: OK
1 read /a
> 1: hello
1 read /nope
> 1: ENOENT
1 watch /a tok
> 1: OK
1 write /a two words
> 1: OK
1 events
> 1: event /a tok
> 1: event /a tok
1 rm /a
> 1: OK
EOF

# normalise FILE: the io lines of a trace, without what differs between
# runs and daemons (connection pointers, times; the "io: " prefix and
# "(dN)" that Xen 4.17 does not write yet).
normalise() {
	sed -n -E 's/^(io: )?(IN|OUT) 0x[0-9a-f]+ (\(d[0-9]+\) )?[0-9]{8} [0-9:]{8} /\2 /p' "$1"
}

cat >"$RUN/expected" <<'EOF'
IN WRITE (/a hello)
OUT WRITE (OK )
IN READ (/a )
OUT READ (hello)
IN READ (/nope )
OUT ERROR (ENOENT )
IN WATCH (/a tok )
OUT WATCH (OK )
OUT WATCH_EVENT (/a tok )
IN WRITE (/a two words)
OUT WATCH_EVENT (/a tok )
OUT WRITE (OK )
IN GET_DOMAIN_PATH (0 )
OUT GET_DOMAIN_PATH (/local/domain/0 )
IN RM (/a )
OUT WATCH_EVENT (/a tok )
OUT RM (OK )
EOF

# The same conversation with Xen's daemon, when it runs here.
if cx_present; then
	rm -rf "$RUN/cx"; mkdir "$RUN/cx"
	env XS_SHIM_DOMAINS=1-9 XS_SHIM_RUNDIR="$RUN/cx" \
		XENSTORED_RUNDIR="$RUN/cx" LD_PRELOAD="$CX_SHIM" \
		"$XEN_BIN/xenstored" -N -F "$RUN/cx/pid" -T "$RUN/cx/trace" \
		>"$RUN/cx/log" 2>&1 &
	cx=$!
	background $cx
	i=0
	until XENSTORED_PATH="$RUN/cx/socket" xenstore-exists / 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 200 ] && fail "cxenstored did not start"
		sleep 0.05
	done
	XENSTORED_PATH="$RUN/cx/socket" "$TOOLS/xs-script" "$RUN/talk.xs" \
		>"$RUN/cx/xs.out" || true # its verdict on event timing is not the point
	# cxenstored traces a reply after sending it: one more round trip
	# makes sure the last reply of the conversation is in the file.
	XENSTORED_PATH="$RUN/cx/socket" xenstore-exists /
	kill $cx
	wait $cx 2>/dev/null || true
	# Skip what the start-up probe (xenstore-exists) said.
	# Under the shim, cxenstored now and then sends a watch's first
	# event late or not at all (xs-script sees it too), so the events
	# are left out of this comparison; requests and replies must match.
	grep -v WATCH_EVENT "$RUN/expected" >"$RUN/expected-noev"
	normalise "$RUN/cx/trace" | grep -v WATCH_EVENT |
		sed -n '/^IN WRITE (\/a hello)$/,$p' |
		head -n "$(wc -l <"$RUN/expected-noev")" >"$RUN/theirs"
	cmp "$RUN/expected-noev" "$RUN/theirs" ||
		{ diff -u "$RUN/expected-noev" "$RUN/theirs"; fail "cxenstored's io lines differ from the expected ones"; }
	echo "same io lines as cxenstored"
else
	echo "note: cxenstored unavailable, compared with the expected lines only"
fi

start_daemon -T trace.log
"$TOOLS/xs-script" "$RUN/talk.xs" >/dev/null || fail "conversation"
[ -f "$RUN/trace.log" ] || fail "relative -T is not under the run directory"
normalise "$RUN/trace.log" >"$RUN/ours"
cmp "$RUN/expected" "$RUN/ours" ||
	{ diff -u "$RUN/expected" "$RUN/ours"; fail "our io lines"; }
# The exact shape of one line, with the connection, domain and time.
grep -Eq '^io: IN 0x[0-9a-f]+ \(d0\) [0-9]{8} [0-9]{2}:[0-9]{2}:[0-9]{2} WRITE \(/a hello\)$' \
	"$RUN/trace.log" || fail "line format: $(grep WRITE "$RUN/trace.log" | head -1)"
# Xen marks each opening of the file with a line of stars.
check_eq "open mark" "
***" "$(head -2 "$RUN/trace.log")"

XC="$BIN/xenstore-control"
lines() { grep -c "$2" "$RUN/$1" || true; }

# A value with a newline is still one line.
xenstore-write /nl "$(printf 'a\nb')"
grep -q '^io: IN .* WRITE (/nl a\.b)$' "$RUN/trace.log" || fail "newline in a value"

# Switches: without io, no io lines.
"$XC" log -io >/dev/null
xenstore-write /quiet 1
[ "$(lines trace.log "WRITE (/quiet 1)")" = 0 ] || fail "io lines with -io"
"$XC" log +io >/dev/null
xenstore-write /loud 1
[ "$(lines trace.log "WRITE (/loud 1)")" = 1 ] || fail "no io lines after +io"

# log off / log on
"$XC" log off >/dev/null
xenstore-write /off 1
"$XC" log on >/dev/null
xenstore-write /on 1
[ "$(lines trace.log "WRITE (/off 1)")" = 0 ] || fail "lines while off"
[ "$(lines trace.log 'WRITE (/on 1)')" = 1 ] || fail "no lines after log on"

# Rotation: rename, SIGHUP, and the next lines go to a new file.
mv "$RUN/trace.log" "$RUN/trace.log.1"
xenstore-write /before-hup 1
kill -HUP "$DAEMON_PID"
i=0
until [ -f "$RUN/trace.log" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && fail "no new file after SIGHUP"
	sleep 0.05
done
xenstore-write /after-hup 1
[ "$(lines trace.log.1 "WRITE (/before-hup 1)")" = 1 ] || fail "old file lost its lines"
[ "$(lines trace.log.1 after-hup)" = 0 ] || fail "old file written after SIGHUP"
[ "$(lines trace.log "WRITE (/after-hup 1)")" = 1 ] || fail "new file misses lines"

# logfile: relative names in the run directory; the old file stops.
"$XC" logfile other.log >/dev/null || fail "logfile"
xenstore-write /other 1
[ "$(lines other.log 'WRITE (/other 1)')" = 1 ] || fail "logfile: new file"
[ "$(lines trace.log "/other")" = 0 ] || fail "logfile: old file still written"
# A file that cannot be opened: an error, and the log carries on.
if "$XC" logfile /nonexistent/dir/x 2>"$RUN/err"; then fail "bad logfile accepted"; fi
expect_log
xenstore-write /still 1
[ "$(lines other.log 'WRITE (/still 1)')" = 1 ] || fail "log lost after a bad logfile"
stop_daemon

# "log on" without -T: xenstored-trace.log in the run directory.
rm -f "$RUN/xenstored-trace.log"
start_daemon
"$XC" log on >/dev/null
xenstore-write /default 1
[ "$(lines xenstored-trace.log 'WRITE (/default 1)')" = 1 ] ||
	fail "log on without -T"
stop_daemon
echo ok
