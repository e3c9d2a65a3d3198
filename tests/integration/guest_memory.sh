# A guest's memory quota: the records it owns and its watches count;
# going over gives ENOMEM, logged; removing a node gives the room back.
. tests/lib.sh
. tests/hyp/hyp.sh

start_hyp
start_daemon -Q memory=250
expect_log
V=$(printf '%0100d' 0)
"$BIN/xenhyp-ctl" launch "$TOOLS/ring-guest" "write:a=$V" "write:b=$V" \
	"rm:a" "write:b=$V" "watch:a-long-watch-path:tok" >"$RUN/g.out" 2>&1
set -- $(head -1 "$RUN/g.out")
domid=$1 port=$2
background "$3"
xenstore-write "/local/domain/$domid" ""
xenstore-chmod "/local/domain/$domid" "n$domid" r0
printf '1 op 8 %s 0 %s\n> 1: OK\n' "$domid" "$port" >"$RUN/intro.xs"
"$TOOLS/xs-script" "$RUN/intro.xs" >/dev/null || fail "INTRODUCE"
i=0
until [ "$(grep -c '^[A-Z]' "$RUN/g.out")" -ge 5 ]; do
	i=$((i + 1)); [ $i -gt 400 ] && { cat "$RUN/g.out"; fail "guest hangs"; }
	sleep 0.05
done
check_eq replies "WRITE OK
ERROR ENOMEM
RM OK
WRITE OK
WATCH OK" "$(grep '^[A-Z]' "$RUN/g.out" | grep -v '^event' | sed 's/^\([A-Z_]* OK\).*/\1/')"
grep -q "domain $domid: refused by quota memory" "$RUN/daemon.err" ||
	{ cat "$RUN/daemon.err"; fail "memory refusal not logged"; }
