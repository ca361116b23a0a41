#!/usr/bin/env bash
# Starts MdrMesh in the background: PostgreSQL, RabbitMQ, the incidents, approvals and executor
# services, and the gateway that serves the API on 127.0.0.1:8080. Safe to run twice: what
# already runs is left alone. Returns once the API answers, and says where to reach it.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"

command -v dotnet >/dev/null || die "the .NET SDK 10 is required (dotnet on PATH)"
ensure_docker
ensure_packages docker-compose
"$MDRMESH_ROOT/deploy/images/build.sh" postgres rabbitmq aspnet

local_dir="$MDRMESH_ROOT/deploy/.local"
mkdir -p "$local_dir"
load_secrets
export POSTGRES_IMAGE=${POSTGRES_IMAGE:-$MDRMESH_LOCAL_POSTGRES_IMAGE}
export RABBITMQ_IMAGE=${RABBITMQ_IMAGE:-$MDRMESH_LOCAL_RABBITMQ_IMAGE}
export DOTNET_BASE_IMAGE=${DOTNET_BASE_IMAGE:-$MDRMESH_LOCAL_ASPNET_IMAGE}

# The service images are built from published output (see deploy/images/service/Dockerfile).
for service in Incidents Approvals Executor Gateway; do
  dotnet publish "services/MdrMesh.$service" -c Release -o "$local_dir/publish/MdrMesh.$service" --nologo -v quiet \
    >"$local_dir/publish-$service.log" 2>&1 || { cat "$local_dir/publish-$service.log" >&2; die "publishing MdrMesh.$service failed"; }
done

compose() { docker-compose -p mdrmesh -f "$MDRMESH_ROOT/docker-compose.yml" "$@"; }
compose up -d --build --remove-orphans >"$local_dir/compose-up.log" 2>&1 \
  || { tail -n 40 "$local_dir/compose-up.log" >&2; die "docker-compose up failed"; }

port=${MDRMESH_API_PORT:-8080}
client_id=local
api_url="http://127.0.0.1:$port/api/v1/$client_id"
deadline=$((SECONDS + 180))
for method in incidents/count auto_accept/get; do
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$api_url/$method")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || die "the API does not answer $method after 180 s; see: docker-compose -p mdrmesh logs"
    sleep 1
  done
done

printf '{"api_url": "%s", "client_id": "%s"}\n' "$api_url" "$client_id" >"$local_dir/credentials.json"
cat <<INFO
MdrMesh is up.
  API         $api_url/{method}   (POST, JSON; e.g. incidents/list)
  Credentials deploy/.local/credentials.json
  RabbitMQ    management http://127.0.0.1:${MDRMESH_RABBITMQ_MANAGEMENT_PORT:-15672}  (user mdrmesh, password in $MDRMESH_SECRETS)
  Logs        docker-compose -p mdrmesh logs -f
Stop with deploy/down.sh (data is kept).
INFO
