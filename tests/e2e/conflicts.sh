#!/usr/bin/env bash
# Issue 4, test 2: two members edit the same field while both offline; after
# both sync twice they see the same conflict with both values, the server lists
# it, one resolves it, and after syncing everyone shows one value and no conflict.
# Edits to different fields merge without a conflict.
set -euo pipefail
CK=$1 CKS=$2
source "$(dirname "$0")/lib.sh"

start_server 0
as alex enroll --server "$URL" --code "$(operator_add Alex)" --name Alex >/dev/null
as bea enroll --server "$URL" --code "$(operator_add Bea)" --name Bea >/dev/null
CASE=$(as alex case create --kind scr --ref SCR-C --title "Original title")
as alex member add --space "$CASE" --user Bea --role lead_reviewer >/dev/null
as alex sync >/dev/null
as bea sync >/dev/null

# Both offline: the same field, and one different field each.
stop_server
as alex edit "$CASE" --field title --value "Title by Alex" >/dev/null
as bea edit "$CASE" --field title --value "Title by Bea" >/dev/null
as alex edit "$CASE" --field status --value closed >/dev/null
as bea edit "$CASE" --field lscb --value "Dorset LSCB" >/dev/null
start_server "$PORT"
for _ in 1 2; do as alex sync >/dev/null; as bea sync >/dev/null; done

for who in alex bea; do
  expect_eq "$(as $who --json conflicts | json_get '.__len__()')" 1 "$who sees one conflict"
  expect_eq "$(as $who --json conflicts | json_get '[0]["field"]')" title "$who's conflict is the title"
  values=$(as $who --json conflicts | json_get '[0]["heads"]' )
  grep -q "Title by Alex" <<<"$values" || fail "$who lacks Alex's value"
  grep -q "Title by Bea" <<<"$values" || fail "$who lacks Bea's value"
  expect_eq "$(as $who --json case show "$CASE" | json_get '["case"]["fields"]["status"]')" closed "$who merged status"
  expect_eq "$(as $who --json case show "$CASE" | json_get '["case"]["fields"]["lscb"]')" "Dorset LSCB" "$who merged lscb"
done
expect_eq "$(as alex --json conflicts --server --space "$CASE" | json_get '.__len__()')" 1 "the server lists it"
expect_eq "$(as alex --json conflicts --server --space "$CASE" | json_get '[0]["heads"].__len__()')" 2 "with two heads"

# Pick Alex's head by its op id (a prefix is enough).
ALEX_HEAD=$(as bea --json conflicts | python3 -c 'import json,sys; print([h["op"] for h in json.load(sys.stdin)[0]["heads"] if h["value"]=="Title by Alex"][0][:16])')
as bea resolve "$CASE" --field title --head "$ALEX_HEAD" >/dev/null
as bea sync >/dev/null
as alex sync >/dev/null
for who in alex bea; do
  expect_eq "$(as $who --json conflicts | json_get '.__len__()')" 0 "$who has no conflict left"
  expect_eq "$(as $who --json case show "$CASE" | json_get '["case"]["fields"]["title"]')" "Title by Alex" "$who's title"
done
expect_eq "$(as alex --json conflicts --server --space "$CASE" | json_get '.__len__()')" 0 "the server lists none"
echo "e2e conflicts: ok"
