# Shared helpers for the deploy scripts: sourced, never run.
# Everything here is idempotent: a second call finds the work done and returns quietly.

MDRMESH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export MDRMESH_ROOT

# Every script answers -h or --help with the comment at its top (down to its `set -euo pipefail`), exit 0:
# sourced without arguments, this sees the script's own.
case "${1:-}" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

# The engine in Debian 12 is Docker 20.10 (API 1.41); newer clients and Testcontainers ask for more.
export DOCKER_API_VERSION=${DOCKER_API_VERSION:-1.41}

# Local image names: what deploy/images/build.sh produces from Debian's packages. The tag ends
# with a hash of the files the image is built from, so a changed entrypoint means a new image.
image_recipe_hash() {
  cat "$MDRMESH_ROOT/deploy/images/build.sh" "$MDRMESH_ROOT/deploy/images/$1"/* | sha256sum | cut -c1-10
}
export MDRMESH_LOCAL_POSTGRES_IMAGE=${MDRMESH_LOCAL_POSTGRES_IMAGE:-mdrmesh-local/postgres:15-$(image_recipe_hash postgres)}
export MDRMESH_LOCAL_RABBITMQ_IMAGE=${MDRMESH_LOCAL_RABBITMQ_IMAGE:-mdrmesh-local/rabbitmq:3.10-management-$(image_recipe_hash rabbitmq)}
export MDRMESH_LOCAL_PROMETHEUS_IMAGE=${MDRMESH_LOCAL_PROMETHEUS_IMAGE:-mdrmesh-local/prometheus:2.42-$(image_recipe_hash prometheus)}
export MDRMESH_LOCAL_SMTP4DEV_IMAGE=${MDRMESH_LOCAL_SMTP4DEV_IMAGE:-mdrmesh-local/smtp4dev:3.15.0-$(image_recipe_hash smtp4dev)}
# The .NET base image carries this machine's ASP.NET Core runtime, so its tag names that version.
dotnet_root() { dirname "$(readlink -f "$(command -v dotnet)")"; }
aspnet_version() { ls "$(dotnet_root)/shared/Microsoft.AspNetCore.App" 2>/dev/null | sort -V | tail -n 1; }
if command -v dotnet >/dev/null 2>&1; then
  export MDRMESH_LOCAL_ASPNET_IMAGE=${MDRMESH_LOCAL_ASPNET_IMAGE:-mdrmesh-local/aspnet:$(aspnet_version)-$(image_recipe_hash aspnet)}
fi

log() { printf '%s\n' "$*" >&2; }

# credential NAME [FILE] prints one field of the credentials file (deploy/.local/credentials.json).
credential() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "${2:-${MDRMESH_CREDENTIALS:-$MDRMESH_ROOT/deploy/.local/credentials.json}}"; }

# api_base [FILE] prints {api_url}/{client_id}, the prefix of every method. api_url is the base up to
# /api/v1; a file written by an older version had the client id in api_url already.
api_base() {
  local url client
  url=$(credential api_url "$@") client=$(credential client_id "$@")
  printf '%s/%s\n' "${url%/"$client"}" "$client"
}
# docker-compose for project mdrmesh: Compose v2 (`docker compose`, the CLI plugin) where it is installed, else
# the standalone docker-compose (v1: what Debian 12 packages). MDRMESH_COMPOSE=v1 or v2 insists on one (CI runs both).
mdrmesh_compose() {
  local command
  command=$(compose_command) || exit 1
  $command -p mdrmesh "$@"
}
# The Compose command mdrmesh_compose runs, as an operator would type it.
compose_command() {
  case "${MDRMESH_COMPOSE:-}" in
    v1) echo docker-compose ;;
    v2) echo docker compose ;;
    '') if docker compose version >/dev/null 2>&1; then echo docker compose; else echo docker-compose; fi ;;
    *) die "MDRMESH_COMPOSE is v1, v2 or unset, not '$MDRMESH_COMPOSE'" ;;
  esac
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# How many instances of incidents, approvals and executor: MDRMESH_INSTANCES, else what deploy/up.sh last started, else 1.
instance_count() {
  local instances=${MDRMESH_INSTANCES:-$(cat "$MDRMESH_ROOT/deploy/.local/instances" 2>/dev/null || echo 1)}
  case "$instances" in ''|*[!0-9]*|0) die "MDRMESH_INSTANCES is a number of instances (1 or more), not '$instances'" ;; esac
  echo "$instances"
}

# The connection budget: PostgreSQL's max_connections (MDRMESH_POSTGRES_MAX_CONNECTIONS, 200) less 29 kept for operators,
# setup and backups, shared among all instances by weight: incidents, approvals and executor 40 each per instance
# (MDRMESH_INSTANCES of each; unset, the count deploy/up.sh last started, else 1), notifications 21 (20 pooled, 1 unpooled for its sender's lock), gateway 30. With one
# instance each that is 40/40/40/20/30 = 171 of 200. Exports MDRMESH_<SERVICE>_DB_POOL (Maximum Pool Size of one instance)
# for each service whose pool is not set already.
connection_budget() {
  local instances max=${MDRMESH_POSTGRES_MAX_CONNECTIONS:-200} reserve=29
  instances=$(instance_count)
  local total=$((40 * 3 * instances + 21 + 30)) service weight pool variable
  for service in INCIDENTS:40 APPROVALS:40 EXECUTOR:40 NOTIFICATIONS:21 GATEWAY:30; do
    weight=${service#*:}
    pool=$(((max - reserve) * weight / total))
    [ "${service%%:*}" != NOTIFICATIONS ] || pool=$((pool - 1))
    [ "$pool" -ge 5 ] || die "max_connections $max leaves ${service%%:*} a pool of $pool with $instances instances: raise MDRMESH_POSTGRES_MAX_CONNECTIONS"
    variable="MDRMESH_${service%%:*}_DB_POOL"
    [ -n "${!variable:-}" ] || export "$variable=$pool"
  done
  export MDRMESH_INSTANCES=$instances
}

# The broker: one node (MDRMESH_RABBITMQ_CLUSTER=0, the default) or the compose profile "cluster" (1): three nodes
# sharing MDRMESH_RABBITMQ_COOKIE, every queue a quorum queue, the services given all three. Unset: what deploy/up.sh
# last started. Exports what docker-compose.yml reads.
rabbitmq_cluster() {
  local cluster=${MDRMESH_RABBITMQ_CLUSTER:-$(cat "$MDRMESH_ROOT/deploy/.local/rabbitmq-cluster" 2>/dev/null || echo 0)}
  case "$cluster" in 0|1) ;; *) die "MDRMESH_RABBITMQ_CLUSTER is 0 (one broker node) or 1 (three), not '$cluster'" ;; esac
  export MDRMESH_RABBITMQ_CLUSTER=$cluster
  if [ "$cluster" = 1 ]; then
    export MDRMESH_RABBITMQ_CLUSTER_NODES=rabbitmq,rabbitmq-2,rabbitmq-3 MDRMESH_RABBITMQ_CLUSTER_SIZE=3 MDRMESH_RABBITMQ_QUORUM_QUEUES=true
  else
    export MDRMESH_RABBITMQ_CLUSTER_NODES= MDRMESH_RABBITMQ_CLUSTER_SIZE=1 MDRMESH_RABBITMQ_QUORUM_QUEUES=false MDRMESH_RABBITMQ_COOKIE=
  fi
}

# Waits up to $1 seconds for the API's health (the gateway's includes every service behind it).
wait_for_api() {
  local deadline=$((SECONDS + $1))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${MDRMESH_API_PORT:-8080}/health")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || die "the API does not answer after $1 s; see: $(compose_command) -p mdrmesh logs"
    sleep 1
  done
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages PKG... installs the Debian packages that are missing.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq >/dev/null || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "could not install ${missing[*]}"
}

# ensure_docker installs Debian's Docker engine if absent and starts it if it is not running.
ensure_docker() {
  command -v dockerd >/dev/null 2>&1 || ensure_packages docker.io
  docker info >/dev/null 2>&1 && return 0
  log "starting the Docker engine"
  as_root sh -c 'nohup dockerd >/var/log/mdrmesh-dockerd.log 2>&1 &'
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "the Docker engine did not start within 60 s; see /var/log/mdrmesh-dockerd.log"
}

# ensure_compose: a Compose to run the system with: v2 where installed, else Debian's docker-compose (v1), installed
# if missing; MDRMESH_COMPOSE=v1 or v2 asks for that one.
ensure_compose() {
  case "${MDRMESH_COMPOSE:-}" in
    v2) docker compose version >/dev/null 2>&1 || die "MDRMESH_COMPOSE=v2, but Compose v2 (docker compose) is not installed" ;;
    v1) ensure_packages docker-compose ;;
    *) docker compose version >/dev/null 2>&1 || ensure_packages docker-compose ;;
  esac
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# Passwords of a local installation. They live outside the checkout, beside Docker's volumes,
# so that every checkout on the machine agrees with the data those volumes already hold.
export MDRMESH_SECRETS=${MDRMESH_SECRETS:-${XDG_CONFIG_HOME:-$HOME/.config}/mdrmesh/secrets.env}

# load_secrets creates on first use the passwords (the administrators', and each service's own for
# PostgreSQL and RabbitMQ), the token signing key, the isolation password key and the key between
# the gateway and the services, and exports them. A file from an older version gains what it lacks.
load_secrets() {
  if [ ! -e "$MDRMESH_SECRETS" ]; then
    mkdir -p "$(dirname "$MDRMESH_SECRETS")"
    chmod 700 "$(dirname "$MDRMESH_SECRETS")"
    install -m 600 /dev/null "$MDRMESH_SECRETS"
  fi
  local name
  for name in POSTGRES_PASSWORD RABBITMQ_PASSWORD MDRMESH_INTERNAL_KEY \
      POSTGRES_INCIDENTS_PASSWORD POSTGRES_APPROVALS_PASSWORD POSTGRES_EXECUTOR_PASSWORD POSTGRES_NOTIFICATIONS_PASSWORD POSTGRES_GATEWAY_PASSWORD \
      RABBITMQ_INCIDENTS_PASSWORD RABBITMQ_APPROVALS_PASSWORD RABBITMQ_EXECUTOR_PASSWORD RABBITMQ_NOTIFICATIONS_PASSWORD MDRMESH_RABBITMQ_COOKIE; do
    grep -q "^$name=" "$MDRMESH_SECRETS" || echo "$name=$(head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9)" >>"$MDRMESH_SECRETS"
  done
  for name in MDRMESH_SIGNING_KEY MDRMESH_PASSWORD_KEY MDRMESH_NOTIFICATIONS_KEY; do
    grep -q "^$name=" "$MDRMESH_SECRETS" || echo "$name=$(head -c 32 /dev/urandom | base64 -w0)" >>"$MDRMESH_SECRETS"
  done
  set -a
  source "$MDRMESH_SECRETS"
  set +a
}
