# Helpers for end-to-end tests: a real casekeep-server on a free loopback port,
# real CLI clients, and checks that read like the walkthrough they test.
# Sourced by the tests; expects CK (client binary) and CKS (server binary).

E2E_DIR=$(mktemp -d /tmp/casekeep-e2e.XXXXXX)
SERVER_PID=""
TLS_ARGS=()
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$E2E_DIR"
}
trap cleanup EXIT
export CASEKEEP_PASSPHRASE="e2e passphrase"

# start_server [PORT]: start on PORT (0 = any free port); sets PORT and URL.
start_server() {
  local want=${1:-0} log="$E2E_DIR/server.log"
  "$CKS" --data "$E2E_DIR/server" --listen "127.0.0.1:$want" "${TLS_ARGS[@]}" >"$E2E_DIR/server.out" 2>>"$log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    URL=$(grep -o 'https\?://127.0.0.1:[0-9]*' "$E2E_DIR/server.out" 2>/dev/null | head -n1 || true)
    [ -n "$URL" ] && break
    sleep 0.1
  done
  [ -n "$URL" ] || { echo "server did not start" >&2; cat "$log" >&2; exit 1; }
  PORT=${URL##*:}
}

stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=""
  : >"$E2E_DIR/server.out"
}

# operator NAME ROLE: add a user and print their one-time enrolment code.
operator_add() { "$CKS" --data "$E2E_DIR/server" user add --name "$1" ${2:+--role "$2"} 2>>"$E2E_DIR/operator.log" | head -n1; }

# as WHO ARGS...: run the CLI as one of the test's people.
as() { local who=$1; shift; "$CK" --home "$E2E_DIR/$who" "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }
json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }
