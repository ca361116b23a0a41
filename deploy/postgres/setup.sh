#!/bin/sh
# One-shot setup of PostgreSQL before the services start (docker-compose's postgres-setup): the
# services' roles and schemas (roles.sql), then each role's password. Runs on every start.
# Passwords travel in the environment and on psql's stdin, never in a process's arguments.
# Needs PGHOST, PGUSER, PGPASSWORD, PGDATABASE (the superuser) and POSTGRES_<SERVICE>_PASSWORD.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
for name in POSTGRES_INCIDENTS_PASSWORD POSTGRES_APPROVALS_PASSWORD POSTGRES_EXECUTOR_PASSWORD POSTGRES_NOTIFICATIONS_PASSWORD POSTGRES_GATEWAY_PASSWORD; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || { echo "postgres setup: $name is not set" >&2; exit 1; }
done
psql -X -q -v ON_ERROR_STOP=1 -f "$dir/roles.sql"
# Statement statistics for operators and deploy/bench.sh --profile (the server preloads the library).
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\getenv incidents POSTGRES_INCIDENTS_PASSWORD
\getenv approvals POSTGRES_APPROVALS_PASSWORD
\getenv executor POSTGRES_EXECUTOR_PASSWORD
\getenv notifications POSTGRES_NOTIFICATIONS_PASSWORD
\getenv gateway POSTGRES_GATEWAY_PASSWORD
ALTER ROLE mdrmesh_incidents PASSWORD :'incidents';
ALTER ROLE mdrmesh_approvals PASSWORD :'approvals';
ALTER ROLE mdrmesh_executor PASSWORD :'executor';
ALTER ROLE mdrmesh_notifications PASSWORD :'notifications';
ALTER ROLE mdrmesh_gateway PASSWORD :'gateway';
SQL
echo "postgres setup: roles mdrmesh_incidents, mdrmesh_approvals, mdrmesh_executor, mdrmesh_notifications, mdrmesh_gateway ready"
