#!/usr/bin/env bash
# Starts MdrMesh in the background: PostgreSQL and RabbitMQ (the services arrive with issue 3).
# Safe to run twice: what already runs is left alone. Returns once everything is healthy.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"

ensure_docker
ensure_packages docker-compose
"$MDRMESH_ROOT/deploy/images/build.sh"

# Passwords are generated once and kept outside the repository's tracked files.
local_dir="$MDRMESH_ROOT/deploy/.local"
secrets="$local_dir/secrets.env"
mkdir -p "$local_dir"
chmod 700 "$local_dir"
if [ ! -s "$secrets" ]; then
  umask 077
  {
    echo "POSTGRES_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9)"
    echo "RABBITMQ_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9)"
  } >"$secrets"
fi
set -a
source "$secrets"
set +a
export POSTGRES_IMAGE=${POSTGRES_IMAGE:-$MDRMESH_LOCAL_POSTGRES_IMAGE}
export RABBITMQ_IMAGE=${RABBITMQ_IMAGE:-$MDRMESH_LOCAL_RABBITMQ_IMAGE}

compose() { docker-compose -p mdrmesh -f "$MDRMESH_ROOT/docker-compose.yml" "$@"; }
compose up -d --remove-orphans >"$local_dir/compose-up.log" 2>&1 || { cat "$local_dir/compose-up.log" >&2; die "docker-compose up failed"; }

deadline=$((SECONDS + 180))
for service in postgres rabbitmq; do
  id=$(compose ps -q "$service")
  until [ "$(docker inspect -f '{{.State.Health.Status}}' "$id")" = healthy ]; do
    [ $SECONDS -lt $deadline ] || die "$service is not healthy after 180 s: docker logs $id"
    sleep 1
  done
done

cat <<INFO
MdrMesh infrastructure is up (the services arrive with issue 3):
  PostgreSQL  127.0.0.1:${MDRMESH_POSTGRES_PORT:-5432}  database mdrmesh, user mdrmesh
  RabbitMQ    amqp://127.0.0.1:${MDRMESH_RABBITMQ_PORT:-5672}  user mdrmesh; management http://127.0.0.1:${MDRMESH_RABBITMQ_MANAGEMENT_PORT:-15672}
  Passwords   deploy/.local/secrets.env
Stop with deploy/down.sh (data is kept).
INFO
