#!/usr/bin/env bash
# The installation operator's tool. It acts through the gateway's own binary, configuration and
# database (inside its container), so it needs no API token: the way back in when the first
# credentials are lost.
#
#   deploy/admin.sh connections create [--name NAME] [--rights R1,R2] [--tenants T1,T2]
#       A new connection (default: SOC_OPERATOR and FULL_ACCESS over every tenant). Its client id and
#       one-time refresh token are written to deploy/.local/credentials.json ($MDRMESH_CREDENTIALS);
#       a file already there is kept beside it as credentials.json.<time>.
#   deploy/admin.sh connections list        client id, status, name, rights, tenants (* = all), created, last used
#   deploy/admin.sh connections revoke CLIENT_ID
#       Refused from then on (within Access:ConnectionCacheSeconds, 5 s) with every token it holds.
#   deploy/admin.sh signing-key rotate
#       A new token signing key with a new id signs from now on; the one before it still validates the
#       tokens it signed until they expire (refresh tokens: 7 days). Rotate again no sooner than that,
#       or the tokens of two keys ago stop working. Restarts the gateway.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"
load_secrets
compose() { mdrmesh_compose -f "$MDRMESH_ROOT/docker-compose.yml" "$@"; }
gateway_admin() { compose exec -T gateway sh -c 'exec dotnet "$SERVICE_DLL" admin "$@"' admin "$@"; }

# Replaces (or adds) one line NAME=VALUE of the secrets file, which stays the owner's alone.
set_secret() {
  local name=$1 value=$2 file=$MDRMESH_SECRETS
  { grep -v "^$name=" "$file" || true; printf '%s=%s\n' "$name" "$value"; } >"$file.new"
  chmod 600 "$file.new"
  mv "$file.new" "$file"
}

case "${1:-} ${2:-}" in
  "connections create")
    shift 2
    umask 077
    credentials=${MDRMESH_CREDENTIALS:-$MDRMESH_ROOT/deploy/.local/credentials.json}
    mkdir -p "$(dirname "$credentials")"
    gateway_admin connections create "$@" >"$credentials.new" || { rm -f "$credentials.new"; die "the connection was not created"; }
    [ ! -e "$credentials" ] || mv "$credentials" "$credentials.$(date -u +%Y%m%dT%H%M%SZ)"
    mv "$credentials.new" "$credentials"
    log "created connection $(credential client_id "$credentials"); its credentials are in $credentials (deploy/token.sh uses them)"
    ;;
  "connections list" | "connections revoke")
    gateway_admin "$@"
    ;;
  "signing-key rotate")
    current_id=${MDRMESH_SIGNING_KEY_ID:-k1}
    case $current_id in k[0-9]*) next_id="k$((${current_id#k} + 1))" ;; *) next_id="k$(date -u +%s)" ;; esac
    set_secret MDRMESH_PREVIOUS_SIGNING_KEY "$MDRMESH_SIGNING_KEY"
    set_secret MDRMESH_PREVIOUS_SIGNING_KEY_ID "$current_id"
    set_secret MDRMESH_SIGNING_KEY "$(head -c 32 /dev/urandom | base64 -w0)"
    set_secret MDRMESH_SIGNING_KEY_ID "$next_id"
    load_secrets
    connection_budget
    compose up -d --no-deps --no-build gateway >/dev/null 2>&1 || die "the gateway did not restart: $(compose_command) -p mdrmesh logs gateway"
    wait_for_api 120
    log "signing key rotated: $next_id signs, $current_id still validates the tokens it signed"
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
