#!/bin/sh
# Creates or updates the services' broker users and their permissions (permissions.conf in this
# directory) once the node runs. Started by entrypoint.sh beside the server on every start;
# touches $MDRMESH_BROKER_READY (the healthcheck waits for it) when done.
# Passwords come from RABBITMQ_<USER>_PASSWORD and reach rabbitmqctl on stdin, never as arguments.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
vhost=${MDRMESH_RABBITMQ_VHOST:-/}
ready=${MDRMESH_BROKER_READY:-/tmp/mdrmesh-broker-ready}
# As long as the health check waits (start_period and retries in docker-compose.yml): a joining node may spend two
# minutes retrying its join before it starts.
deadline=$(( $(date +%s) + 400 ))
# The image's entry point first copies the node's cookie for root's CLI tools; retry until both are there.
until rabbitmqctl -q await_startup --timeout 10 </dev/null >/dev/null 2>&1; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "broker setup: the node did not start within 400 s" >&2; exit 1; }
  sleep 2
done
# Users are the cluster's, not a node's: a node that joined another leaves them to that one (three nodes adding the
# same users at once would race).
if [ -z "${MDRMESH_RABBITMQ_JOIN:-}" ]; then
  existing=$(rabbitmqctl -s list_users </dev/null | cut -f1)
  # The file is read on descriptor 3: rabbitmqctl reads stdin, and would swallow the rest of it.
  done_users=0
  while read -r user configure write read <&3; do
    case $user in ''|'#'*) continue ;; esac
    variable=RABBITMQ_$(printf '%s' "$user" | tr a-z A-Z)_PASSWORD
    eval "password=\${$variable:-}"
    [ -n "$password" ] || { echo "broker setup: $variable is not set" >&2; exit 1; }
    if printf '%s\n' "$existing" | grep -qx "$user"; then
      printf '%s' "$password" | rabbitmqctl -q change_password "$user" >/dev/null
    else
      printf '%s' "$password" | rabbitmqctl -q add_user "$user" >/dev/null
    fi
    rabbitmqctl -q set_user_tags "$user" </dev/null >/dev/null
    rabbitmqctl -q set_permissions -p "$vhost" "$user" "$configure" "$write" "$read" </dev/null >/dev/null
    echo "broker setup: user $user ready"
    done_users=$((done_users + 1))
  done 3<"$dir/permissions.conf"
  [ "$done_users" -gt 0 ] || { echo "broker setup: no user in $dir/permissions.conf" >&2; exit 1; }
fi
# In a cluster, ready once every node runs: the services declare their quorum queues across all of them.
size=${MDRMESH_RABBITMQ_CLUSTER_SIZE:-1}
if [ "$size" -gt 1 ]; then
  deadline=$(( $(date +%s) + 600 ))
  until [ "$(rabbitmqctl -q eval 'length(rabbit_nodes:all_running()).' </dev/null 2>/dev/null)" = "$size" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "broker setup: $size nodes did not run within 10 minutes" >&2; exit 1; }
    sleep 3
  done
  echo "broker setup: $size nodes running"
fi
touch "$ready"
