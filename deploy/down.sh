#!/usr/bin/env bash
# Stops MdrMesh. Data (the PostgreSQL and RabbitMQ volumes) is kept for the next deploy/up.sh.
# To delete it as well: deploy/down.sh --volumes
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"

docker info >/dev/null 2>&1 || { log "Docker is not running: nothing to stop."; exit 0; }
[ -s "$MDRMESH_SECRETS" ] || { log "MdrMesh was never started here: nothing to stop."; exit 0; }
load_secrets
# The monitoring profile too, if it was started (nothing happens if not). Progress lines (v1's and v2's) are left out.
PROMETHEUS_IMAGE=${PROMETHEUS_IMAGE:-$MDRMESH_LOCAL_PROMETHEUS_IMAGE} \
  mdrmesh_compose -f "$MDRMESH_ROOT/docker-compose.yml" --profile monitoring --profile cluster down "$@" 2>&1 \
  | grep -v '^\(Stopping\|Removing\|Network\)\|^ *\(Container\|Network\|Volume\) .* \(Stopping\|Stopped\|Removing\|Removed\)$' || true
log "MdrMesh stopped."
