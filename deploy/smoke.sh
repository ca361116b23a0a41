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

# The API's description and its interactive reference, for integrators.
curl -sf "$base/openapi/v1.json" | grep -q '"/api/v1/{client_id}/responses/create"' || die "smoke test: /openapi/v1.json does not describe responses/create"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/reference/")" = 200 ] || die "smoke test: the API reference (/reference/) does not answer"

# /metrics is for Prometheus inside the network, never on the API's port.
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")
[ "$code" = 404 ] || die "smoke test: GET /metrics on the API's port answered $code, not 404"

# With the monitoring profile: Prometheus scrapes every service and RabbitMQ, has loaded the alert
# rules, and counts the isolation that just completed.
if [ "${MDRMESH_MONITORING:-0}" != 0 ]; then
  prometheus=http://127.0.0.1:${MDRMESH_PROMETHEUS_PORT:-9090}
  deadline=$((SECONDS + 120))
  until [ "$(curl -s "$prometheus/api/v1/targets?state=active" | grep -o '"health":"up"' | wc -l)" = 5 ]; do
    [ $SECONDS -lt $deadline ] || die "smoke test: Prometheus does not scrape all 5 targets: $(curl -s "$prometheus/api/v1/targets?state=active")"
    sleep 2
  done
  rules=$(curl -s "$prometheus/api/v1/rules" | grep -o '"type":"alerting"' | wc -l)
  [ "$rules" -ge 7 ] || die "smoke test: Prometheus loaded $rules alert rules, not 7"
  # The rules themselves: a stuck relay's lag fires its alert, a relay that catches up does not (deploy/prometheus/alerts.test.yml).
  docker exec "$(docker ps -q -f label=com.docker.compose.project=mdrmesh -f label=com.docker.compose.service=prometheus)" \
    sh -c 'cd /mdrmesh/prometheus && promtool test rules alerts.test.yml' >/dev/null \
    || die "smoke test: the alert rules' tests (deploy/prometheus/alerts.test.yml) failed"
  until curl -s "$prometheus/api/v1/query" --data-urlencode 'query=sum(mdrmesh_responses_completed_total{type="ISOLATE"})' \
    | grep -q '"value":\[[0-9.]*,"[1-9]'; do
    [ $SECONDS -lt $deadline ] || die "smoke test: Prometheus has no completed isolation in mdrmesh_responses_completed_total"
    sleep 2
  done
  # MassTransit's own metrics (messages received, consumed, published) come through as well.
  curl -s "$prometheus/api/v1/query" --data-urlencode 'query=count({__name__=~"messaging_masstransit_.+"})' | grep -q '"value":\[[0-9.]*,"[1-9]' \
    || die "smoke test: Prometheus has no MassTransit metrics (messaging_masstransit_*)"
  log "smoke test passed: Prometheus scrapes 5 targets, $rules alert rules loaded"
fi

# The operator's tool: a signing-key rotation cuts off no token; a connection made without a token
# works at once, and is refused once revoked.
"$MDRMESH_ROOT/deploy/admin.sh" signing-key rotate
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $access" -d '{}' "$api/incidents/count")" = 200 ] \
  || die "smoke test: an access token of the previous signing key was refused after the rotation"
access=$("$MDRMESH_ROOT/deploy/token.sh")
call "$api/incidents/count" -d '{}' >/dev/null || die "smoke test: a token issued after the rotation was refused"
recovered=$(mktemp -d)/credentials.json
MDRMESH_CREDENTIALS=$recovered "$MDRMESH_ROOT/deploy/admin.sh" connections create --name "Smoke recovery"
recovered_access=$(MDRMESH_CREDENTIALS=$recovered "$MDRMESH_ROOT/deploy/token.sh")
recovered_api=$(api_base "$recovered")
recovered_call() { curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $recovered_access" -d '{}' "$recovered_api/incidents/count"; }
[ "$(recovered_call)" = 200 ] || die "smoke test: the connection made by deploy/admin.sh was refused"
"$MDRMESH_ROOT/deploy/admin.sh" connections list | grep -q "Smoke recovery" || die "smoke test: deploy/admin.sh connections list does not show the new connection"
"$MDRMESH_ROOT/deploy/admin.sh" connections revoke "$(credential client_id "$recovered")" >/dev/null
deadline=$((SECONDS + 30))
until [ "$(recovered_call)" = 401 ]; do
  [ $SECONDS -lt $deadline ] || die "smoke test: the revoked connection is still let in after 30 s"
  sleep 1
done
rm -rf "$(dirname "$recovered")"
log "smoke test passed: signing key rotated, a connection created and revoked with deploy/admin.sh"
