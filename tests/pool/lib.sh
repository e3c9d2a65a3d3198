# Helpers for the pool's tests (sourced after tests/lib.sh): a private
# etcd cluster (scripts/etcd-cluster.sh) stopped when the test ends, and
# etcd's v3 JSON gateway through curl.
CLUSTER=""
# cleanup (tests/lib.sh) exits: run it after the cluster is down.
trap 'st=$?; [ -n "$CLUSTER" ] && sh "$XS_TOP/scripts/etcd-cluster.sh" stop "$CLUSTER"; (exit $st); cleanup' EXIT INT TERM

# start_cluster [N]: N members (3), their endpoints in $ENDPOINTS.
start_cluster() {
	CLUSTER=$RUN/etcd
	ENDPOINTS=$(sh "$XS_TOP/scripts/etcd-cluster.sh" start "$CLUSTER" "${1:-3}")
}
cluster() { sh "$XS_TOP/scripts/etcd-cluster.sh" "$1" "$CLUSTER" ${2:+"$2"}; }

b64() { printf %s "$1" | base64 -w0; }

# etcd_put URL KEY VALUE, etcd_get URL KEY (prints the value, or nothing)
etcd_put() {
	curl -sf -m 5 -X POST -d "{\"key\":\"$(b64 "$2")\",\"value\":\"$(b64 "$3")\"}" \
		"$1/v3/kv/put" >/dev/null
}
etcd_get() {
	curl -sf -m 5 -X POST -d "{\"key\":\"$(b64 "$2")\"}" "$1/v3/kv/range" |
		sed -n 's/.*"value":"\([^"]*\)".*/\1/p' | base64 -d
}
