# SPDX-License-Identifier: MIT
#
# Debian's xenstore-utils (Xen 4.17) against our daemon, compared byte for
# byte with the same tools against Xen's own cxenstored: each scenario in
# tests/interop/cli/ runs once against a fresh cxenstored and once against
# a fresh instance of ours, and the transcripts (stdout, stderr, exit
# codes) must be identical.  Where cxenstored cannot run, the transcripts
# recorded from it in tests/interop/expected/ are the reference (`make
# check-interop` checks that they still match cxenstored).
# XS_INTEROP=name1,name2 runs only those scenarios.
. tests/lib.sh
. tests/interop/lib.sh

cx_probe
failed=""
for sc in tests/interop/cli/*.sh; do
	name=$(basename "$sc" .sh)
	case ",${XS_INTEROP:-$name}," in *",$name,"*) ;; *) continue ;; esac
	if [ "$CX_LIVE" = 1 ]; then
		start_cxenstored
		sh tests/interop/run-scenario.sh "$sc" >"$RUN/$name.cx"
		stop_any
		ref="$RUN/$name.cx"
	else
		ref="$INTEROP/expected/$name.out"
	fi
	start_ours
	sh tests/interop/run-scenario.sh "$sc" >"$RUN/$name.ours"
	stop_ours
	if cmp -s "$ref" "$RUN/$name.ours"; then
		echo "same: $name"
	else
		echo "DIFFERENT: $name (- cxenstored, + ours)"
		show_diff "$ref" "$RUN/$name.ours"
		failed="$failed $name"
	fi
done
[ -z "$failed" ] || fail "scenarios differ:$failed"
echo ok
