#!/usr/bin/env bash
# Prints a fresh access token (valid 1 h) for the connection in deploy/.local/credentials.json.
# It exchanges the file's refresh token at session/confirm and writes the new refresh token back:
# refresh tokens work once, and presenting a used one revokes the connection's whole token chain.
set -euo pipefail
# The credentials file is the owner's alone from its first byte.
umask 077
source "$(dirname "$0")/lib/common.sh"
credentials="${MDRMESH_CREDENTIALS:-$MDRMESH_ROOT/deploy/.local/credentials.json}"
[ -s "$credentials" ] || die "no $credentials: run deploy/up.sh first"
client_id=$(credential client_id "$credentials")
api_url=$(credential api_url "$credentials") api_url=${api_url%/"$client_id"}
refresh=$(credential refresh_token "$credentials")
answer=$(curl -s -X POST -H 'Content-Type: application/json' -d "{\"refresh_token\":\"$refresh\"}" "$(api_base "$credentials")/session/confirm")
access=$(printf '%s' "$answer" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
next=$(printf '%s' "$answer" | sed -n 's/.*"refresh_token":"\([^"]*\)".*/\1/p')
[ -n "$access" ] && [ -n "$next" ] || die "session/confirm refused the refresh token: $(printf '%s' "$answer" | head -c 300)"
printf '{"api_url": "%s", "client_id": "%s", "refresh_token": "%s"}\n' "$api_url" "$client_id" "$next" >"$credentials.new"
mv "$credentials.new" "$credentials"
printf '%s\n' "$access"
