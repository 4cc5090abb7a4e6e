#!/usr/bin/env bash
# The server over TLS on loopback: a client that trusts the server's (private)
# CA syncs; a client that does not is refused by certificate verification.
set -euo pipefail
CK=$1 CKS=$2
source "$(dirname "$0")/lib.sh"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$E2E_DIR/key.pem" -out "$E2E_DIR/cert.pem" 2>/dev/null
TLS_ARGS=(--tls-cert "$E2E_DIR/cert.pem" --tls-key "$E2E_DIR/key.pem")
start_server 0
grep -q '^casekeep-server listening on https://' "$E2E_DIR/server.out" || fail "the server is not on https"
URL=${URL/http:/https:}

as alex enroll --server "$URL" --code "$(operator_add Alex)" --name Alex --ca "$E2E_DIR/cert.pem" >/dev/null
as alex case create --kind imr --ref IMR-TLS --title "Over TLS" >/dev/null
expect_eq "$(as alex --json sync | json_get '["sent"]')" 1 "sent over TLS"

# Without trusting that CA, the certificate check refuses the connection.
set +e; as bob enroll --server "$URL" --code "$(operator_add Bob)" --name Bob >/dev/null 2>&1; rc=$?; set -e
expect_eq "$rc" 25 "an untrusted certificate is refused"
echo "e2e tls: ok"
