# etcd with mutual TLS and authentication: the agent presents a client
# certificate without a CommonName (etcd 3.4's gateway refuses any with
# one once auth is on) and a user's token; replication works, confined
# to the prefix the user was granted; a wrong password is said clearly.
. "$XS_TOP/tests/lib.sh"
. "$XS_TOP/tests/pool/lib.sh"
P=$RUN/pki
mkdir -p "$P"
ssl() { openssl "$@" >/dev/null 2>&1 || fail "openssl $1"; }
ssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=pool-test-ca \
	-keyout "$P/ca.key" -out "$P/ca.pem"
ssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
	-keyout "$P/server.key" -out "$P/server.csr"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$P/server.ext"
ssl x509 -req -in "$P/server.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" \
	-CAcreateserial -days 1 -extfile "$P/server.ext" -out "$P/server.pem"
# The client: no CommonName at all.
ssl req -newkey rsa:2048 -nodes -subj /O=pool-test \
	-keyout "$P/client.key" -out "$P/client.csr"
printf 'extendedKeyUsage=clientAuth\n' >"$P/client.ext"
ssl x509 -req -in "$P/client.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" \
	-CAcreateserial -days 1 -extfile "$P/client.ext" -out "$P/client.pem"

export ETCD_SCHEME=https
export ETCD_EXTRA="--cert-file $P/server.pem --key-file $P/server.key --client-cert-auth --trusted-ca-file $P/ca.pem"
export ETCD_CURL_OPTS="--cacert $P/ca.pem --cert $P/client.pem --key $P/client.key"
start_cluster 1
ctl() {
	etcdctl --endpoints "$ENDPOINTS" --cacert "$P/ca.pem" \
		--cert "$P/client.pem" --key "$P/client.key" "$@"
}
ctl user add root:rootpw >/dev/null || fail "user root"
ctl user grant-role root root >/dev/null 2>&1 || true
ctl user add agent:agentpw >/dev/null || fail "user agent"
ctl role add pool >/dev/null
ctl role grant-permission pool --prefix=true readwrite /xenstore/ >/dev/null ||
	fail "grant"
ctl user grant-role agent pool >/dev/null
ctl auth enable >/dev/null || fail "auth enable"
echo agentpw >"$RUN/pw"
echo wrong >"$RUN/badpw"
TLS="--cacert $P/ca.pem --cert $P/client.pem --key $P/client.key"

start_host h1
start_host h2
start_agent h1 $TLS --user agent --password-file "$RUN/pw"
start_agent h2 $TLS --user agent --password-file "$RUN/pw"
xs h1 write /pool/secure yes
wait_for 10 "a write over TLS with auth" reads h2 /pool/secure yes

# Outside its prefix the user may do nothing: the agent says so.
start_host h3
start_agent h3 $TLS --user agent --password-file "$RUN/pw" --prefix /other
wait_for 10 "permission denied logged" grep -q "permission denied" "$RUN/h3/agent.log"
# A wrong password.
start_host h4
start_agent h4 $TLS --user agent --password-file "$RUN/badpw"
wait_for 10 "bad password logged" grep -q "authentication failed" "$RUN/h4/agent.log"
xs h4 write /pool/x 1 || fail "xenstored with a bad password"
stop_hosts
echo ok
