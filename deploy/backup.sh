#!/usr/bin/env bash
# Backs up a running MdrMesh into one file (default deploy/.local/backups/mdrmesh-<time>.tar.gz):
#   mdrmesh.dump        a consistent pg_dump (one snapshot) of the database: every service's schema,
#                       events, documents, attachments, connections and relay positions
#   keys.env            the keys the data cannot be read without: the token signing keys (with ids) and
#                       the isolation password key that seals stored passwords
#   rabbitmq.json       the broker's definitions, for reference only: its users, vhost and queues are made
#                       again on every start (deploy/rabbitmq/setup.sh, MassTransit), and nothing held only
#                       in a queue needs saving, because every message comes from a committed event
#                       (deploy/restore.sh replays the last hour of them)
# The file holds keys and customer data: it is created readable by its owner only. Keep it as you keep
# ~/.config/mdrmesh/secrets.env.
#   deploy/backup.sh [FILE]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"
load_secrets
compose() { mdrmesh_compose -f "$MDRMESH_ROOT/docker-compose.yml" "$@"; }
umask 077
file=${1:-$MDRMESH_ROOT/deploy/.local/backups/mdrmesh-$(date -u +%Y%m%dT%H%M%SZ).tar.gz}
mkdir -p "$(dirname "$file")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

compose exec -T postgres pg_dump --username mdrmesh --dbname mdrmesh --format custom >"$work/mdrmesh.dump" \
  || die "pg_dump failed: is MdrMesh running (deploy/up.sh)?"
compose exec -T rabbitmq rabbitmqctl export_definitions - --quiet >"$work/rabbitmq.json" 2>/dev/null \
  || log "warning: the broker's definitions were not exported (they are not needed to restore)"
for name in MDRMESH_SIGNING_KEY MDRMESH_SIGNING_KEY_ID MDRMESH_PREVIOUS_SIGNING_KEY MDRMESH_PREVIOUS_SIGNING_KEY_ID \
    MDRMESH_PASSWORD_KEY MDRMESH_PASSWORD_KEY_ID MDRMESH_NOTIFICATIONS_KEY; do
  grep "^$name=" "$MDRMESH_SECRETS" || true
done >"$work/keys.env"
printf 'created=%s\ncommit=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" >"$work/manifest"
tar -C "$work" -czf "$file" manifest mdrmesh.dump keys.env rabbitmq.json
log "backup written: $file ($(du -h "$file" | cut -f1))"
