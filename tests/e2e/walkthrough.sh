#!/usr/bin/env bash
# Issue 4, test 1: the interview walkthrough through a real server and real CLIs,
# including writing and signing with the server down; then the blindness check.
set -euo pipefail
CK=$1 CKS=$2
source "$(dirname "$0")/lib.sh"

CANARY_BODY="Canary sentence: the practitioner saw a purple giraffe at the clinic door."
CANARY_TITLE="Canary title zebra-lantern"
CANARY_CASE="Canary case walrus-harmonica"
CANARY_PLACE="Canary place marmalade-harbour"

start_server 0
AUTHOR_CODE=$(operator_add "Alex Author" imr_author)
PRACT_CODE=$(operator_add "Pat Practitioner" practitioner)
as author enroll --server "$URL" --code "$AUTHOR_CODE" --name "Alex Author" >/dev/null
as pract enroll --server "$URL" --code "$PRACT_CODE" --name "Pat Practitioner" >/dev/null

CASE=$(as author case create --kind imr --ref IMR-E2E --title "$CANARY_CASE")
OTHER_CASE=$(as author case create --kind scr --ref SCR-E2E --title "Another case the practitioner must not see")
INT=$(as author interview create --case "$CASE" --practitioner "Pat Practitioner" --where "$CANARY_PLACE")
as author member add --space "$INT" --user "Pat Practitioner" --role practitioner >/dev/null
as author sync >/dev/null

# Offline: the server is down while the author writes and signs.
stop_server
N1=$(as author note add --interview "$INT" --title "$CANARY_TITLE" --body "$CANARY_BODY")
N2=$(as author note add --interview "$INT" --title "Referral" --body "Referral made the next day.")
as author note sign "$N1" >/dev/null
as author note sign "$N2" >/dev/null
set +e; as author sync >/dev/null 2>&1; rc=$?; set -e
expect_eq "$rc" 25 "sync with the server down exits 'unavailable'"
expect_eq "$(as author --json status | json_get '["unsynced"]')" 4 "unsynced changes while offline"

start_server "$PORT"
as author sync >/dev/null
expect_eq "$(as author --json status | json_get '["unsynced"]')" 0 "nothing unsynced after sync"
as pract sync >/dev/null
expect_eq "$(as pract --json note list --interview "$INT" | json_get '.__len__()')" 2 "practitioner sees both notes"
expect_eq "$(as pract --json case list | json_get '.__len__()')" 0 "practitioner sees no case"
expect_eq "$(as pract --json interview list --case "$CASE" | json_get '.__len__()')" 1 "practitioner sees the interview"
as pract note agree "$N1" >/dev/null
as pract note dispute "$N2" --comment "The referral was made the same day." >/dev/null
as pract sync >/dev/null

as author sync >/dev/null
expect_eq "$(as author --json note show "$N1" | json_get '["status"]')" agreed "note 1 status"
expect_eq "$(as author --json note show "$N1" | json_get '["signatures"].__len__()')" 2 "note 1 signatures"
expect_eq "$(as author --json note show "$N1" | json_get '["signatures"][1]["valid"]')" True "countersignature valid"
expect_eq "$(as author --json note show "$N1" | json_get '["signatures"][0]["valid"]')" True "author signature valid"
expect_eq "$(as author --json note show "$N2" | json_get '["status"]')" disputed "note 2 status"
expect_eq "$(as author --json note show "$N2" | json_get '["signatures"][1]["comment"]')" \
  "The referral was made the same day." "dispute comment"
as author verify >/dev/null
as pract verify >/dev/null

# Blindness: nothing of the content is in the server's data or logs.
stop_server
for canary in "$CANARY_BODY" "$CANARY_TITLE" "$CANARY_CASE" "$CANARY_PLACE" "purple giraffe"; do
  if grep -rqF "$canary" "$E2E_DIR/server" "$E2E_DIR/server.log" "$E2E_DIR/server.out"; then
    fail "the server holds '$canary' in clear"
  fi
done
# ...and the scan can find things: the author's command line did contain it.
grep -qF "purple giraffe" <<<"$CANARY_BODY"
echo "e2e walkthrough: ok ($OTHER_CASE hidden from the practitioner)"
