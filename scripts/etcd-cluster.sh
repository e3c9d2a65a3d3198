#!/bin/sh
# SPDX-License-Identifier: MIT
#
# A private etcd 3.4 cluster on loopback, for the pool's tests and for
# `make run-pool`: members on free ports, data on tmpfs (/dev/shm: etcd
# preallocates 64 MB of write-ahead log per member and fsyncs each write),
# stopped by pid, never by name.
#
#   etcd-cluster.sh start DIR [N]    start N members (default 3); waits
#                                    until every member answers /health;
#                                    prints the client endpoints, comma
#                                    separated (also in DIR/endpoints)
#   etcd-cluster.sh stop DIR         stop every member, remove their data
#   etcd-cluster.sh kill DIR I       SIGKILL member I (1..N)
#   etcd-cluster.sh pause|resume DIR I   SIGSTOP / SIGCONT member I
#   etcd-cluster.sh restart DIR I    start member I again on its data
#   etcd-cluster.sh leader DIR       the number of the current leader
#   etcd-cluster.sh endpoint DIR I   member I's client URL
#
# ETCD_SCHEME=https serves clients over TLS (give etcd its certificate
# files in ETCD_EXTRA, and curl its own in ETCD_CURL_OPTS); ETCD_EXTRA
# adds options to every member.
#
# DIR holds, per member i: member.i (client URL, peer URL, pid), its log
# etcd.i.log, and a symlink data.i to its data directory under /dev/shm.
set -eu

ETCD=${ETCD:-etcd}

die() {
	echo "etcd-cluster: $*" >&2
	exit 1
}

# free_ports N: N distinct free TCP ports on 127.0.0.1, bound all at once
# so that none is handed out twice, then released.
free_ports() {
	# perl-base is essential in Debian: no package to add for this.
	perl -MIO::Socket::INET -e '
my @s = map { IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
    LocalPort => 0) or die "bind: $!\n" } 1 .. $ARGV[0];
print join(" ", map { $_->sockport } @s), "\n";' "$1"
}

field() { sed -n "s/^$2=//p" "$1/member.$3"; }

healthy() {
	curl -s -m 1 ${ETCD_CURL_OPTS:-} "$1/health" 2>/dev/null |
		grep -q '"health":"true"'
}

start_member() {
	dir=$1
	i=$2
	client=$(field "$dir" client "$i")
	peer=$(field "$dir" peer "$i")
	data=$(readlink "$dir/data.$i")
	# --experimental-watch-progress-notify-interval: an idle watch hears
	# the current revision now and then (reference/pool.md).
	"$ETCD" --name "m$i" --data-dir "$data" \
		--listen-client-urls "$client" --advertise-client-urls "$client" \
		--listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
		--initial-cluster "$(cat "$dir/initial-cluster")" \
		--initial-cluster-state new --initial-cluster-token "$(basename "$dir")" \
		--heartbeat-interval 50 --election-timeout 500 \
		--experimental-watch-progress-notify-interval 1s \
		--log-level warn ${ETCD_EXTRA:-} \
		>>"$dir/etcd.$i.log" 2>&1 &
	pid=$!
	sed -i '/^pid=/d' "$dir/member.$i"
	echo "pid=$pid" >>"$dir/member.$i"
}

wait_healthy() {
	dir=$1
	shift
	for i in "$@"; do
		url=$(field "$dir" client "$i")
		pid=$(field "$dir" pid "$i")
		n=0
		until healthy "$url"; do
			kill -0 "$pid" 2>/dev/null ||
				die "member $i exited: $(tail -5 "$dir/etcd.$i.log")"
			n=$((n + 1))
			[ $n -gt 300 ] && die "member $i not healthy after 30 s"
			sleep 0.1
		done
	done
}

cmd_start() {
	dir=$1
	n=${2:-3}
	mkdir -p "$dir"
	[ -e "$dir/endpoints" ] && die "$dir already holds a cluster"
	set -- $(free_ports $((2 * n)))
	cluster=""
	i=1
	while [ $i -le "$n" ]; do
		c=$1
		p=$2
		shift 2
		data=$(mktemp -d /dev/shm/etcd-data.XXXXXX)
		ln -s "$data" "$dir/data.$i"
		printf 'client=%s://127.0.0.1:%s\npeer=http://127.0.0.1:%s\n' \
			"${ETCD_SCHEME:-http}" "$c" "$p" >"$dir/member.$i"
		cluster="$cluster${cluster:+,}m$i=http://127.0.0.1:$p"
		i=$((i + 1))
	done
	echo "$cluster" >"$dir/initial-cluster"
	echo "$n" >"$dir/size"
	eps=""
	i=1
	while [ $i -le "$n" ]; do
		start_member "$dir" $i
		eps="$eps${eps:+,}$(field "$dir" client $i)"
		i=$((i + 1))
	done
	wait_healthy "$dir" $(seq 1 "$n")
	echo "$eps" >"$dir/endpoints"
	echo "$eps"
}

cmd_stop() {
	dir=$1
	[ -f "$dir/size" ] || return 0
	n=$(cat "$dir/size")
	for i in $(seq 1 "$n"); do
		pid=$(field "$dir" pid "$i")
		[ -n "$pid" ] || continue
		kill -CONT "$pid" 2>/dev/null || true
		kill -TERM "$pid" 2>/dev/null || true
	done
	for i in $(seq 1 "$n"); do
		pid=$(field "$dir" pid "$i")
		k=0
		while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
			k=$((k + 1))
			[ $k -eq 10 ] && kill -KILL "$pid" 2>/dev/null
			sleep 0.1
		done
		data=$(readlink "$dir/data.$i" || true)
		case $data in /dev/shm/etcd-data.*) rm -rf "$data" ;; esac
		rm -f "$dir/data.$i"
	done
	rm -f "$dir/endpoints" "$dir/size"
}

cmd_signal() {
	pid=$(field "$1" pid "$2")
	[ -n "$pid" ] || die "no member $2"
	kill "-$3" "$pid"
	if [ "$3" = KILL ]; then
		while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	fi
}

cmd_leader() {
	dir=$1
	n=$(cat "$dir/size")
	for i in $(seq 1 "$n"); do
		url=$(field "$dir" client "$i")
		st=$(curl -s -m 1 ${ETCD_CURL_OPTS:-} -X POST -d '{}' \
			"$url/v3/maintenance/status" 2>/dev/null) ||
			continue
		id=$(echo "$st" | sed -n 's/.*"member_id":"\([0-9]*\)".*/\1/p')
		leader=$(echo "$st" | sed -n 's/.*"leader":"\([0-9]*\)".*/\1/p')
		if [ -n "$id" ] && [ "$id" = "$leader" ]; then
			echo "$i"
			return 0
		fi
	done
	die "no leader"
}

[ $# -ge 2 ] || die "usage: etcd-cluster.sh start|stop|kill|pause|resume|restart|leader|endpoint DIR [ARG]"
cmd=$1
shift
case $cmd in
start) cmd_start "$@" ;;
stop) cmd_stop "$1" ;;
kill) cmd_signal "$1" "$2" KILL ;;
pause) cmd_signal "$1" "$2" STOP ;;
resume) cmd_signal "$1" "$2" CONT ;;
restart)
	start_member "$1" "$2"
	wait_healthy "$1" "$2"
	;;
leader) cmd_leader "$1" ;;
endpoint) field "$1" client "$2" ;;
*) die "unknown command $cmd" ;;
esac
