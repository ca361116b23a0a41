#!/usr/bin/env bash
# Starts MdrMesh in the background: PostgreSQL, RabbitMQ, the incidents, approvals, executor and
# notifications services, smtp4dev (local mail), and the gateway that serves the API on 127.0.0.1:8080. Safe to run twice: what
# already runs is left alone. Returns once the API answers, and says where to reach it.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"

command -v dotnet >/dev/null || die "the .NET SDK 10 is required (dotnet on PATH)"
ensure_docker
ensure_compose
images=(postgres rabbitmq aspnet smtp4dev)
# Prometheus (compose profile "monitoring") only when asked for.
[ "${MDRMESH_MONITORING:-0}" = 0 ] || images+=(prometheus)
"$MDRMESH_ROOT/deploy/images/build.sh" "${images[@]}"

local_dir="$MDRMESH_ROOT/deploy/.local"
mkdir -p "$local_dir"
load_secrets
export POSTGRES_IMAGE=${POSTGRES_IMAGE:-$MDRMESH_LOCAL_POSTGRES_IMAGE}
export RABBITMQ_IMAGE=${RABBITMQ_IMAGE:-$MDRMESH_LOCAL_RABBITMQ_IMAGE}
export DOTNET_BASE_IMAGE=${DOTNET_BASE_IMAGE:-$MDRMESH_LOCAL_ASPNET_IMAGE}
export PROMETHEUS_IMAGE=${PROMETHEUS_IMAGE:-$MDRMESH_LOCAL_PROMETHEUS_IMAGE}
export SMTP4DEV_IMAGE=${SMTP4DEV_IMAGE:-$MDRMESH_LOCAL_SMTP4DEV_IMAGE}

# The service images are built from published output (see deploy/images/service/Dockerfile).
for service in Incidents Approvals Executor Notifications Gateway; do
  dotnet publish "services/MdrMesh.$service" -c Release -o "$local_dir/publish/MdrMesh.$service" --nologo -v quiet \
    >"$local_dir/publish-$service.log" 2>&1 || { cat "$local_dir/publish-$service.log" >&2; die "publishing MdrMesh.$service failed"; }
done

# The RabbitMQ management UI is published only when asked for (MDRMESH_RABBITMQ_MANAGEMENT_PORT).
compose_files=(-f "$MDRMESH_ROOT/docker-compose.yml")
[ -z "${MDRMESH_RABBITMQ_MANAGEMENT_PORT:-}" ] || compose_files+=(-f "$MDRMESH_ROOT/deploy/management.yml")
[ "${MDRMESH_MONITORING:-0}" = 0 ] || compose_files+=(--profile monitoring)
# MDRMESH_RABBITMQ_CLUSTER=1: three broker nodes and quorum queues (unset: as the last start; 0 goes back to one node).
rabbitmq_cluster
[ "$MDRMESH_RABBITMQ_CLUSTER" = 0 ] || compose_files+=(--profile cluster)
compose() { mdrmesh_compose "${compose_files[@]}" "$@"; }
# MDRMESH_INSTANCES=N runs N instances each of incidents, approvals and executor (unset: as many as the last start); the pools
# share PostgreSQL's connections.
connection_budget
instances=$MDRMESH_INSTANCES
echo "$instances" >"$local_dir/instances"
echo "$MDRMESH_RABBITMQ_CLUSTER" >"$local_dir/rabbitmq-cluster"
# Why a container did not become healthy: its last health checks and its last log lines (no secrets: the services and
# the broker's setup never log them).
explain_unhealthy() {
  local id state
  for id in $(docker ps -aq --filter label=com.docker.compose.project=mdrmesh); do
    state=$(docker inspect --format '{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id")
    case $state in 'running 0 healthy' | 'running 0 ' | 'exited 0 ') continue ;; esac
    log "--- $(docker inspect --format '{{.Name}}' "$id"): $state"
    docker inspect --format '{{if .State.Health}}{{range .State.Health.Log}}health check exit {{.ExitCode}}: {{.Output}}{{println}}{{end}}{{end}}' "$id" \
      | grep -v '^$' | tail -n 3 >&2 || true
    docker logs --tail 40 "$id" 2>&1 | sed 's/^/  /' >&2 || true
  done
}
compose up -d --build --remove-orphans --scale "incidents=$instances" --scale "approvals=$instances" --scale "executor=$instances" \
  >"$local_dir/compose-up.log" 2>&1 \
  || { tail -n 40 "$local_dir/compose-up.log" >&2; explain_unhealthy; die "$(compose_command) up failed"; }

port=${MDRMESH_API_PORT:-8080}
wait_for_api 180

# The first start made a connection holding SOC_OPERATOR and FULL_ACCESS over every tenant; its
# one-time refresh token is collected once. Later runs keep the credentials file as it is.
credentials="$local_dir/credentials.json"
# The credentials file is the owner's alone from its first byte.
umask 077
if compose exec -T gateway cat /tmp/mdrmesh/credentials.json >"$credentials.new" 2>/dev/null && [ -s "$credentials.new" ]; then
  chmod 600 "$credentials.new"
  mv "$credentials.new" "$credentials"
  compose exec -T gateway rm -f /tmp/mdrmesh/credentials.json
else
  rm -f "$credentials.new"
fi
# Likewise the web console's first user and its one-time password (to be changed at the first sign-in).
console_admin="$local_dir/console-admin.json"
if compose exec -T gateway cat /tmp/mdrmesh/console-admin.json >"$console_admin.new" 2>/dev/null && [ -s "$console_admin.new" ]; then
  chmod 600 "$console_admin.new"
  mv "$console_admin.new" "$console_admin"
  compose exec -T gateway rm -f /tmp/mdrmesh/console-admin.json
else
  rm -f "$console_admin.new"
fi
[ -s "$credentials" ] || log "warning: no credentials in deploy/.local/credentials.json; this installation's first connection was collected before (deploy/down.sh --volumes starts afresh)"
api_url="http://127.0.0.1:$port/api/v1/<client_id>"
[ ! -s "$credentials" ] || api_url=$(api_base "$credentials")

if [ -n "${MDRMESH_RABBITMQ_MANAGEMENT_PORT:-}" ]; then
  management="management UI http://127.0.0.1:$MDRMESH_RABBITMQ_MANAGEMENT_PORT (administrator mdrmesh, password RABBITMQ_PASSWORD)"
else
  management="management UI not published (MDRMESH_RABBITMQ_MANAGEMENT_PORT=15672 deploy/up.sh publishes it on 127.0.0.1)"
fi
if [ "${MDRMESH_MONITORING:-0}" != 0 ]; then
  monitoring="Prometheus http://127.0.0.1:${MDRMESH_PROMETHEUS_PORT:-9090} (dashboard: /consoles/mdrmesh.html; alerts: deploy/prometheus/alerts.yml)"
else
  monitoring="not started (MDRMESH_MONITORING=1 deploy/up.sh adds Prometheus on 127.0.0.1:9090)"
fi
cat <<INFO
MdrMesh is up.
  Console     http://127.0.0.1:$port/   (user admin; its one-time password is in deploy/.local/console-admin.json)
  API         $api_url/<method>   (POST, JSON, Authorization: Bearer <access token>)
  Credentials deploy/.local/credentials.json (client_id and a one-time refresh token: see the README)
  RabbitMQ    $management
  Monitoring  $monitoring
  E-mail      notifications go to smtp4dev: http://127.0.0.1:${MDRMESH_SMTP4DEV_PORT:-5000} (MDRMESH_SMTP_HOST names your relay instead)
  Secrets     passwords and keys in $MDRMESH_SECRETS
  Logs        $(compose_command) -p mdrmesh logs -f
  Instances   incidents, approvals, executor: $instances each (MDRMESH_INSTANCES); database pools $MDRMESH_INCIDENTS_DB_POOL/$MDRMESH_APPROVALS_DB_POOL/$MDRMESH_EXECUTOR_DB_POOL/$MDRMESH_NOTIFICATIONS_DB_POOL/$MDRMESH_GATEWAY_DB_POOL
  Broker      $([ "$MDRMESH_RABBITMQ_CLUSTER" = 0 ] && echo "one RabbitMQ node, classic queues (MDRMESH_RABBITMQ_CLUSTER=1: three nodes, quorum queues)" || echo "three RabbitMQ nodes (rabbitmq, rabbitmq-2, rabbitmq-3), quorum queues")
Stop with deploy/down.sh (data is kept).
INFO
