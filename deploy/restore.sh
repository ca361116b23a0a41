#!/usr/bin/env bash
# Restores a backup of deploy/backup.sh into this installation, replacing all of its data:
#   deploy/restore.sh FILE
# The services are stopped, the database is restored from the dump (roles and their passwords are this
# installation's own, set by postgres-setup), the backup's keys replace this installation's in the secrets
# file (so stored isolation passwords and issued tokens stay readable), and each relay is moved back to
# re-publish the last hour of committed events before the backup: what was in flight then (published but
# not yet consumed) is delivered again, and every consumer ignores what it had already seen, so nothing
# is lost and nothing is done twice. Then everything starts again (deploy/up.sh).
# The connections are the backup's: use the credentials you had then, or deploy/admin.sh connections create.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"
[ $# -eq 1 ] && [ -s "$1" ] || die "usage: deploy/restore.sh FILE (a backup of deploy/backup.sh)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$1" manifest mdrmesh.dump keys.env || die "$1 is not a backup of deploy/backup.sh"
load_secrets
while IFS= read -r line; do
  # Split at the first '=' only: base64 values end in '='.
  name=${line%%=*} value=${line#*=}
  [ -n "$name" ] || continue
  { grep -v "^$name=" "$MDRMESH_SECRETS" || true; printf '%s=%s\n' "$name" "$value"; } >"$MDRMESH_SECRETS.new"
  chmod 600 "$MDRMESH_SECRETS.new"
  mv "$MDRMESH_SECRETS.new" "$MDRMESH_SECRETS"
done <"$work/keys.env"
load_secrets
export POSTGRES_IMAGE=${POSTGRES_IMAGE:-$MDRMESH_LOCAL_POSTGRES_IMAGE} RABBITMQ_IMAGE=${RABBITMQ_IMAGE:-$MDRMESH_LOCAL_RABBITMQ_IMAGE}
compose() { mdrmesh_compose -f "$MDRMESH_ROOT/docker-compose.yml" "$@"; }
compose stop gateway incidents approvals executor notifications >/dev/null 2>&1 || true
# The database and the services' roles (postgres-setup), nothing else.
compose up -d postgres-setup >/dev/null 2>&1 || die "PostgreSQL did not start: $(compose_command) -p mdrmesh logs postgres"
deadline=$((SECONDS + 120))
until [ "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(compose ps -a -q postgres-setup)" 2>/dev/null)" = "exited 0" ]; do
  [ $SECONDS -lt $deadline ] || die "postgres-setup did not finish: $(compose_command) -p mdrmesh logs postgres-setup"
  sleep 1
done
psql() { compose exec -T postgres psql -X -q -v ON_ERROR_STOP=1 --username mdrmesh --dbname mdrmesh "$@"; }
psql -c 'set client_min_messages = warning' -c 'drop schema if exists incidents, approvals, executor, notifications, access cascade' >/dev/null
compose exec -T postgres pg_restore --username mdrmesh --dbname mdrmesh --exit-on-error <"$work/mdrmesh.dump" \
  || die "pg_restore failed"
for schema in incidents approvals executor; do
  psql >/dev/null <<SQL
update $schema.mt_event_progression p set last_seq_id = least(p.last_seq_id, coalesce((
    select min(e.seq_id) - 1 from $schema.mt_events e
    where e.timestamp > (select max(timestamp) from $schema.mt_events) - interval '1 hour'), p.last_seq_id))
where p.name like 'rabbitmq-relay%';
-- A relay moved back to the start must have no row: the daemon takes position 0 for "never ran" and inserts one.
delete from $schema.mt_event_progression where name like 'rabbitmq-relay%' and last_seq_id = 0;
SQL
done
log "restored $(sed -n 's/^created=//p' "$work/manifest") into this installation; starting it"
exec "$MDRMESH_ROOT/deploy/up.sh"
