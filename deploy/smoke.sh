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

# Notifications: an e-mail subscription's test message reaches the local SMTP server (smtp4dev), in Russian.
mailbox="smoke-$RANDOM@example.com"
subscription=$(call "$api/notifications/subscriptions/create" \
  -d "{\"tenant_id\":\"root\",\"channel\":\"EMAIL\",\"target\":\"$mailbox\",\"events\":[\"incident.created\"],\"language\":\"ru\"}" | field subscription_id)
call "$api/notifications/subscriptions/test" -d "{\"tenant_id\":\"root\",\"subscription_id\":\"$subscription\"}" >/dev/null
smtp4dev=http://127.0.0.1:${MDRMESH_SMTP4DEV_PORT:-5000}
deadline=$((SECONDS + 60))
until curl -s "$smtp4dev/api/messages" | grep -q "$mailbox"; do
  [ $SECONDS -lt $deadline ] || die "smoke test: no mail to $mailbox in smtp4dev ($smtp4dev); deliveries: $(call "$api/notifications/deliveries/list" -d "{\"tenant_id\":\"root\",\"subscription_id\":\"$subscription\"}")"
  sleep 1
done
call "$api/notifications/subscriptions/delete" -d "{\"tenant_id\":\"root\",\"subscription_id\":\"$subscription\"}" >/dev/null
# A webhook may not point into the compose network (here: smtp4dev's web API, by its service name) nor at the cloud's metadata address.
for target in http://smtp4dev/api/messages http://postgres:5432/ http://169.254.169.254/latest/meta-data/; do
  answer=$(curl -s -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $access" -w ' %{http_code}' "$api/notifications/subscriptions/create" \
    -d "{\"tenant_id\":\"root\",\"channel\":\"WEBHOOK\",\"target\":\"$target\",\"events\":[\"incident.created\"]}")
  case $answer in *'"target"'*' 400') ;; *) die "smoke test: a webhook to $target was not refused naming target: $answer" ;; esac
done
log "smoke test passed: a notification e-mail reached smtp4dev ($smtp4dev); webhooks into the compose network refused"

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
  # Every instance: the gateway and notifications once, incidents, approvals and executor once per instance, and
  # each RabbitMQ node (one, or three in the cluster profile).
  instances=$(instance_count)
  rabbitmq_cluster
  targets=$((2 + 3 * instances + (MDRMESH_RABBITMQ_CLUSTER == 1 ? 3 : 1)))
  deadline=$((SECONDS + 120))
  until [ "$(curl -s "$prometheus/api/v1/targets?state=active" | grep -o '"health":"up"' | wc -l)" = "$targets" ]; do
    [ $SECONDS -lt $deadline ] || die "smoke test: Prometheus does not scrape all $targets targets: $(curl -s "$prometheus/api/v1/targets?state=active")"
    sleep 2
  done
  rules=$(curl -s "$prometheus/api/v1/rules" | grep -o '"type":"alerting"' | wc -l)
  [ "$rules" -ge 9 ] || die "smoke test: Prometheus loaded $rules alert rules, not 9"
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
  # The dashboard (deploy/prometheus/consoles/mdrmesh.html, rendered by Prometheus) shows each service up.
  page=$(curl -sf "$prometheus/consoles/mdrmesh.html" | tr -d '\n') || die "smoke test: the dashboard /consoles/mdrmesh.html does not render"
  for service in gateway:1 incidents:$instances approvals:$instances executor:$instances notifications:1; do
    shown=$(printf '%s' "$page" | grep -o "<td>${service%:*}</td><td class=\"muted\">${service%:*}/[0-9.]*</td><td class=\"\">yes</td>" | wc -l)
    [ "$shown" = "${service#*:}" ] || die "smoke test: the dashboard shows $shown instances of ${service%:*} up, not ${service#*:}"
  done
  log "smoke test passed: Prometheus scrapes $targets targets, $rules alert rules loaded, the dashboard renders each instance"
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

# Backup and restore onto a fresh installation (as after a dead disk): the same answers, and a response
# confirmed before the backup but not yet run (the executor is stopped: its command waits in the broker, which
# the backup does not hold) completes after the restore, once.
command -v jq >/dev/null || ensure_packages jq
# The status of response $2 of incident $1.
status_of() { call "$api/responses/list" -d "{\"incident_id\":\"$1\"}" | jq -r --arg id "$2" '.[] | select(.response_id == $id) | .status'; }
# Sends decision $3 on response $2 of incident $1 until its status is $4 (approvals answers 404 until it has the
# proposal), for at most $5 s.
decide_until() {
  local deadline=$((SECONDS + $5))
  until [ "$(status_of "$1" "$2")" = "$4" ]; do
    call "$api/response/update" -d "{\"response_id\":\"$2\",\"status\":\"$3\",\"comment\":\"smoke test\"}" >/dev/null 2>&1 || true
    [ $SECONDS -lt $deadline ] || die "smoke test: response $2 is $(status_of "$1" "$2"), not $4, after $5 s"
    sleep 0.5
  done
}
docker ps -q -f label=com.docker.compose.project=mdrmesh -f label=com.docker.compose.service=executor | xargs -r docker stop >/dev/null
late_incident=$(call "$api/incidents/create" \
  -d '{"summary":"Smoke test: backup","affected_hosts":["WS-FINANCE-01:ws-finance-01"],"priority":"LOW"}' | field incident_id)
late=$(call "$api/responses/create" -d "{\"incident_id\":\"$late_incident\",\"asset_id\":\"ws-finance-01\",\"type\":\"GET_FILE\",\"parameters\":{\"path\":\"C:\\\\Users\\\\alice\\\\Documents\\\\payroll.xlsx\",\"max_file_size_mb\":10}}" \
  | field response_id)
decide_until "$late_incident" "$late" Confirmed Confirmed 30
# An incident nothing will change again, to compare whole: a comment, a file, a declined response and one still
# waiting for a decision. (The isolation's term still runs out after the restore.)
quiet=$(call "$api/incidents/create" -d '{"summary":"Smoke test: quiet","affected_hosts":["WS-DEV-07:ws-dev-07"],"priority":"LOW"}' | field incident_id)
call "$api/comments/create" -d "{\"incident_id\":\"$quiet\",\"text\":\"kept across the restore\"}" >/dev/null
backup_dir=$(mktemp -d)
head -c 4096 /dev/urandom >"$backup_dir/evidence.bin"
upload=$(curl -sf -X POST -H "Authorization: Bearer $access" -F "file=@$backup_dir/evidence.bin;filename=evidence.bin" \
  -F "meta={\"incident_id\":\"$quiet\",\"caption\":\"kept across the restore\"};type=application/json" "$api/attachments/upload" | field attachment_id)
get_file() {
  call "$api/responses/create" -d "{\"incident_id\":\"$quiet\",\"asset_id\":\"ws-dev-07\",\"type\":\"GET_FILE\",\"parameters\":{\"path\":\"C:\\\\$1\",\"max_file_size_mb\":1}}" | field response_id
}
declined=$(get_file declined.txt)
get_file waiting.txt >/dev/null
decide_until "$quiet" "$declined" Declined Declined 30
"$MDRMESH_ROOT/deploy/backup.sh" "$backup_dir/backup.tar.gz"
details_before=$(call "$api/incidents/details" -d "{\"incident_id\":\"$quiet\"}")
quiet_history_before=$(call "$api/incidents/history" -d "{\"incident_id\":\"$quiet\"}")
history_of() { call "$api/incidents/history" -d "{\"incident_id\":\"$1\",\"page_size\":1000}" | jq -c '.[]'; }
history_before=$(history_of "$incident")
cp "$MDRMESH_ROOT/deploy/.local/credentials.json" "$backup_dir/credentials.json"
"$MDRMESH_ROOT/deploy/down.sh" --volumes
"$MDRMESH_ROOT/deploy/up.sh" >/dev/null
"$MDRMESH_ROOT/deploy/restore.sh" "$backup_dir/backup.tar.gz" >/dev/null
# The connections are the backup's: the credentials from before it work again (the keys came back with it).
cp "$backup_dir/credentials.json" "$MDRMESH_ROOT/deploy/.local/credentials.json"
access=$("$MDRMESH_ROOT/deploy/token.sh")
[ "$(call "$api/incidents/details" -d "{\"incident_id\":\"$quiet\"}")" = "$details_before" ] || die "smoke test: incidents/details differs after the restore"
[ "$(call "$api/incidents/history" -d "{\"incident_id\":\"$quiet\"}")" = "$quiet_history_before" ] || die "smoke test: a history differs after the restore"
[ "$(status_of "$quiet" "$declined")" = Declined ] || die "smoke test: the declined response is $(status_of "$quiet" "$declined") after the restore"
call "$api/attachments/download" -d "{\"attachment_id\":\"$upload\"}" | cmp -s - "$backup_dir/evidence.bin" \
  || die "smoke test: the uploaded file differs after the restore"
# The isolation's history as it was, then only what happened since (its term ending).
[ "$(history_of "$incident" | head -n "$(printf '%s\n' "$history_before" | wc -l)")" = "$history_before" ] \
  || die "smoke test: the history recorded before the backup differs after the restore"
deadline=$((SECONDS + 60))
until [ "$(status_of "$late_incident" "$late")" = Completed ]; do
  [ $SECONDS -lt $deadline ] || die "smoke test: the response decided before the backup is $(status_of "$late_incident" "$late") 60 s after the restore"
  sleep 1
done
completed=$(call "$api/incidents/history" -d "{\"incident_id\":\"$late_incident\",\"page_size\":1000}" | jq --arg id "$late" \
  '[.[] | select(.entity.incident_response.response_id == $id and .entity.incident_response.status == "Completed")] | length')
[ "$completed" = 1 ] || die "smoke test: the response decided before the backup completed $completed times, not once"
# And the restored system works on: a response proposed and confirmed now completes (every relay publishes again).
after=$(call "$api/responses/create" -d "{\"incident_id\":\"$late_incident\",\"asset_id\":\"ws-finance-01\",\"type\":\"GET_FILE\",\"parameters\":{\"path\":\"C:\\\\Users\\\\alice\\\\Documents\\\\payroll.xlsx\",\"max_file_size_mb\":10}}" \
  | field response_id)
decide_until "$late_incident" "$after" Confirmed Completed 60
rm -rf "$backup_dir"
log "smoke test passed: backed up, restored onto a fresh installation with the same answers; the late response completed once"
