#!/usr/bin/env bash
# The README's walkthrough through the real CLI binary, plus the errors a new
# user meets: each must exit non-zero with a sentence, and change nothing.
set -euo pipefail
CK=$1
HERE=$(cd "$(dirname "$0")/.." && pwd)
"$HERE/scripts/walkthrough" "$CK"

D=$(mktemp -d /tmp/casekeep-cli-test.XXXXXX)
trap 'rm -rf "$D"' EXIT
export CASEKEEP_PASSPHRASE="first passphrase"
"$CK" --home "$D" init --name "Tess Tester" --fast-kdf >/dev/null
CASE=$("$CK" --home "$D" case create --kind scr --ref SCR-1 --title "Child B")
[ "$("$CK" --home "$D" --json case show "$CASE" | grep -c '"Child B"')" -ge 1 ]

expect_fail() {  # expect_fail EXIT_CODE TEXT -- command...
  local want=$1 text=$2; shift 3
  set +e; out=$("$@" 2>&1); got=$?; set -e
  if [ "$got" != "$want" ] || ! grep -q "$text" <<<"$out"; then
    echo "expected exit $want and '$text' from: $*; got exit $got: $out" >&2; exit 1
  fi
}
expect_fail 12 "passphrase is wrong" -- env CASEKEEP_PASSPHRASE=nope "$CK" --home "$D" case list
expect_fail 14 "no record with id" -- "$CK" --home "$D" case show 00112233445566778899aabbccddeeff
expect_fail 11 "not a case id" -- "$CK" --home "$D" interview create --case nothex --practitioner X
expect_fail 14 "no casekeep vault" -- "$CK" --home "$D/elsewhere" case list
expect_fail 2 "kind" -- "$CK" --home "$D" case create --kind bogus --ref R --title T
"$CK" --home "$D" verify >/dev/null

# One flipped byte in a stored changeset: verify fails and names it.
ID=$(sqlite3 "$D/vault.db" "SELECT hex(id) FROM changesets LIMIT 1")
sqlite3 "$D/vault.db" "UPDATE changesets SET bytes = CAST(replace(CAST(bytes AS BLOB), X'6b', X'6c') AS BLOB) WHERE hex(id) = '$ID'"
lower=$(tr 'A-F' 'a-f' <<<"$ID")
expect_fail 24 "changeset $lower" -- "$CK" --home "$D" verify
echo "cli_walkthrough: ok"
