# SPDX-License-Identifier: MIT
# The shell-level toolstack of the simulated hypervisor: xenhyp-ctl
# launches a program as a guest domain (it inherits its channel), lists
# domains, sees the guest's death as a dying domain, destroys it; with -w
# it reports the guest's exit status.
. tests/lib.sh
. tests/hyp/hyp.sh

CTL=$BIN/xenhyp-ctl
start_hyp
check_eq "dom0 alone" "0 running 0" "$("$CTL" list)"

# The guest's stdout is not the pipe of a command substitution: it
# would hold it open.
"$CTL" launch sleep 600 >"$RUN/launch.out"
set -- $(cat "$RUN/launch.out")
domid=$1 pid=$3
[ "$2" -gt 0 ] || fail "no xenstore port: $*"
check_eq "guest running" "0 running 0
$domid running 0" "$("$CTL" list)"

kill -9 "$pid"
i=0
until "$CTL" list | grep -q "^$domid dying 3\$"; do
	i=$((i + 1))
	[ $i -le 400 ] || fail "dom$domid not dying: $("$CTL" list)"
	sleep 0.05
done
"$CTL" destroy "$domid"
check_eq "destroyed" "0 running 0" "$("$CTL" list)"

status=0
"$CTL" launch -w sh -c '[ -n "$XENHYP_CHANNEL_FD" ] && exit 7' \
	>"$RUN/launch.out" || status=$?
check_eq "guest exit status" 7 "$status"
domid=$(cut -d' ' -f1 "$RUN/launch.out")
check_eq "exited guest" "0 running 0
$domid dying 3" "$("$CTL" list)"
