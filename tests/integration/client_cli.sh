# SPDX-License-Identifier: MIT
#
# Our xenstore tools against Debian's, side by side on the same daemon
# state (and Debian's tools run on our library as a third party): stdout,
# stderr and exit status must be byte-identical, for every
# mode and option of Xen 4.17's tools, usage errors, missing paths,
# escaping of non-printable bytes, permission padding and the terminal
# width (on a pseudo-terminal of several sizes, with COLUMNS set or not).
# Mutating scenarios start from the same fixture for both tools, and the
# resulting trees are compared too.
. tests/lib.sh
. tests/client/lib.sh
start_daemon

long=$(printf '%0150d' 7)
longname=$(printf 'n%.0s' $(seq 1 100))
fixture() {
	xenstore-rm /t 2>/dev/null || true
	xenstore-write /t/plain hello /t/bin "$(printf 'x\ty\001\177\200\\z\r\n')" \
		/t/empty '' /t/deep/a/b/c/d leaf "/t/$longname/x" "$long" \
		/t/w60 "$(printf '%060d' 1)" /t/w50 "$(printf '%050d' 1)" \
		/t/w48 "$(printf '%048d' 1)" /t/perm/a 1 /t/perm/b 2
	xenstore-chmod /t/perm/a r1 w2 b3
	xenstore-chmod /t/perm/b n7
	xenstore-write /t/perm/b/c "$(printf 'high\351\377')"
}
PATH="$DEB:$PATH" fixture

n=0
# cmp_both CMD...: run with Debian's tools and ours on the same state,
# and Debian's tools once more with our library in place of theirs.
cmp_both() {
	n=$((n + 1))
	run_in "$DEB" "d$n" "$@"
	run_in "$OURS" "o$n" "$@"
	same "d$n" "o$n" "$*"
	run_in "$DEB" "l$n" with_our_lib "$@"
	same "d$n" "l$n" "$* (Debian's tool on our library)"
}
# cmp_mut CMD...: the same for a command that changes the store: each
# runs on a fresh copy of the fixture, then the trees are compared.
cmp_mut() {
	n=$((n + 1))
	PATH="$DEB:$PATH" fixture
	run_in "$DEB" "d$n" "$@"
	PATH="$DEB:$PATH" xenstore-ls -fp / >"$RUN/d$n.tree"
	PATH="$DEB:$PATH" fixture
	run_in "$OURS" "o$n" "$@"
	PATH="$DEB:$PATH" xenstore-ls -fp / >"$RUN/o$n.tree"
	same "d$n" "o$n" "$*"
	cmp -s "$RUN/d$n.tree" "$RUN/o$n.tree" || {
		diff "$RUN/d$n.tree" "$RUN/o$n.tree"; fail "tree after $*"; }
	PATH="$DEB:$PATH" fixture
	run_in "$DEB" "l$n" with_our_lib "$@"
	PATH="$DEB:$PATH" xenstore-ls -fp / >"$RUN/l$n.tree"
	same "d$n" "l$n" "$* (Debian's tool on our library)"
	cmp -s "$RUN/d$n.tree" "$RUN/l$n.tree" || {
		diff "$RUN/d$n.tree" "$RUN/l$n.tree"; fail "tree after $* (our library)"; }
}

# Reading.
for o in "" -p -f -fp -pf --flat --prefix "-f -p" -s -x --bogus; do
	cmp_both xenstore-ls $o
	cmp_both xenstore-ls $o /t
	cmp_both xenstore-ls $o /t/deep /t/perm
done
cmp_both xenstore-ls /nope
cmp_both xenstore-ls /t/
cmp_both xenstore-ls t
cmp_both xenstore-ls /t/plain
cmp_both xenstore ls -p /t
cmp_both xenstore-read /t/plain /t/bin /t/empty
cmp_both xenstore-read -p /t/plain /t/bin
cmp_both xenstore-read -R /t/bin
cmp_both xenstore-read --raw --prefix /t/bin /t/plain
cmp_both xenstore-read /t/plain /nope /t/bin
cmp_both xenstore-read /nope
cmp_both xenstore-read /t//x
cmp_both xenstore-read -s /t/plain
cmp_both xenstore read -x /t/plain
cmp_both xenstore-list /t
cmp_both xenstore-list -p /t /t/perm
cmp_both xenstore-list /nope
cmp_both xenstore-list /t/plain
cmp_both xenstore-exists /t/plain
cmp_both xenstore-exists /t/plain /nope
cmp_both xenstore-exists /nope
cmp_both xenstore-exists -p /t

# Usage and mode errors, as xenstore-<mode> and as `xenstore <mode>`.
cmp_both xenstore
cmp_both xenstore bogus
cmp_both xenstore --help
for m in read write rm exists list ls chmod watch; do
	cmp_both "xenstore-$m" -h
	cmp_both "xenstore-$m" --help
	cmp_both xenstore "$m" -h
	cmp_both "xenstore-$m"
	cmp_both xenstore "$m"
done
for o in -f -p -t -u -r -R "-n 1"; do
	cmp_both xenstore-rm $o
	cmp_both xenstore-write $o /t/x 1
	cmp_both xenstore-exists $o /t/plain
	cmp_both xenstore-chmod $o
done
cmp_both xenstore-write /t/x
cmp_both xenstore-write /t/x 1 /t/y
cmp_both xenstore-watch -n

# Changing the store.
cmp_mut xenstore-write /t/new v /t/plain changed
cmp_mut xenstore-write /t/esc 'a\tb\x41\101\\\q\'
cmp_mut xenstore-write -R /t/esc 'a\tb'
cmp_mut xenstore-write /t/a 1 /t//bad 2
cmp_mut xenstore-rm /t/deep /t/plain
cmp_mut xenstore-rm /t/nope/x
cmp_mut xenstore-rm /t/nope
cmp_mut xenstore-rm -t /t/deep/a/b/c/d
cmp_mut xenstore-rm --tidy /t/perm/b/c
cmp_mut xenstore-chmod /t/plain r1 b2 n3
cmp_mut xenstore-chmod /t/plain x1
cmp_mut xenstore-chmod /t/plain
cmp_mut xenstore-chmod /nope r1
cmp_mut xenstore-chmod -r /t/deep b4
cmp_mut xenstore-chmod -u /t/deep/a/b w5
cmp_mut xenstore-chmod -u -r /t/deep/a r6
cmp_mut xenstore-chmod -u t/deep b1
cmp_mut xenstore chmod --recurse --upto /t/perm n0 r9

# Watch: a limited number of events (the initial one counts).
cmp_both xenstore-watch -n 1 /t/plain
cmp_both xenstore-watch -n 2 /t/plain /t/bin
cmp_both xenstore-watch --number 0 /t

# The terminal width: from the tty only; COLUMNS changes nothing.
cmp_both env COLUMNS=30 xenstore-ls /t
cat >"$RUN/pty.py" <<'PY'
import fcntl, os, pty, struct, subprocess, sys, termios
cols = int(sys.argv[1])
m, s = pty.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
p = subprocess.Popen(sys.argv[2:], stdout=s, stderr=subprocess.PIPE)
os.close(s)
out = b""
while True:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
err = p.stderr.read()
sys.stdout.buffer.write(out + b"--\n" + err + b"--%d\n" % p.wait())
PY
for c in 0 1 5 9 20 40 61 79 80 81 200; do
	cmp_both python3 "$RUN/pty.py" $c xenstore-ls -p /t
	cmp_both python3 "$RUN/pty.py" $c xenstore-ls -f /t
	cmp_both env COLUMNS=200 python3 "$RUN/pty.py" $c xenstore-ls /t
done
echo "ok: $n comparisons"
