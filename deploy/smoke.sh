#!/usr/bin/env bash
# Walks the README's first steps against a running system (deploy/up.sh): get an access token,
# raise an incident, propose an isolation, accept it, and read its history; on the way, tries the
# gateway as an attacker would (path spellings without a token, an oversized body). Exits non-zero if any
# step fails.
set -euo pipefail
trap 'echo "smoke test failed at line $LINENO" >&2' ERR
source "$(dirname "$0")/lib/common.sh"
api=$(api_base)
access=$("$MDRMESH_ROOT/deploy/token.sh")
call() { curl -sf -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $access" "$@"; }
# Without a token, the API refuses.
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$api/incidents/count")" = 401 ] \
  || die "smoke test: a call without a token was not refused"
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

# The gateway decides by the matched endpoint: no spelling of a path gets past it without a token.
base=${api%%/api/v1/*} client=${api##*/}
for path in "API/v1/$client/tenants/list" "Api/V1/$client/incidents/count" "api/v1/$client/INCIDENTS/count" \
  "api/v1/$client//incidents/count" "api/v1/$client/incidents/count/" "api/v1/$client/./incidents/count" "api/v1/$client/x/../incidents/count" \
  "api/v1/$client/incidents%2Fcount" "api/v1/$client/%69ncidents/count"; do
  code=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$base/$path")
  case $code in 401 | 404) ;; *) die "smoke test: POST /$path without a token answered $code" ;; esac
done
# A body over 1 MiB is refused before anything reads it.
code=$(printf '{"summary":"%s"}' "$(head -c 1100000 /dev/zero | tr '\0' a)" | curl -s -o /dev/null -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' -H "Authorization: Bearer $access" --data-binary @- "$api/incidents/create")
[ "$code" = 413 ] || die "smoke test: a body over 1 MiB answered $code, not 413"

incident=$(call "$api/incidents/create" \
  -d '{"summary":"Smoke test","affected_hosts":["WS-FINANCE-01:ws-finance-01"],"priority":"LOW"}' | field incident_id)
response=$(call "$api/responses/create" -d "{\"incident_id\":\"$incident\",\"asset_id\":\"ws-finance-01\",\"type\":\"ISOLATE\",\"parameters\":{\"isolation_term_seconds\":60}}" \
  | field response_id)
for _ in $(seq 1 100); do
  call "$api/response/update" \
    -d "{\"response_id\":\"$response\",\"status\":\"Confirmed\",\"comment\":\"smoke\"}" >/dev/null 2>&1 && break
  sleep 0.2
done
for _ in $(seq 1 100); do
  call "$api/responses/list" -d "{\"incident_id\":\"$incident\"}" | grep -q '"status":"Completed"' && break
  sleep 0.2
done
history=$(call "$api/incidents/history" -d "{\"incident_id\":\"$incident\"}")
for status in New Confirmed InProgress Completed; do
  grep -q "\"status\":\"$status\"" <<<"$history" || die "smoke test: no '$status' record in the history of incident $incident"
done
log "smoke test passed: incident $incident, isolation $response completed"
