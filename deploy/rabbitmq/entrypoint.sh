#!/bin/sh
# docker-compose's entry point for the broker: the image's own entry point runs the server, and
# setup.sh, started beside it, creates the services' users once the node is up.
# In the cluster profile every node gets the shared Erlang cookie (MDRMESH_RABBITMQ_COOKIE), and a node with
# MDRMESH_RABBITMQ_JOIN joins that node on its first start (classic peer discovery; later starts rejoin by themselves).
set -e
export MDRMESH_BROKER_READY=/tmp/mdrmesh-broker-ready
rm -f "$MDRMESH_BROKER_READY"
if [ -n "${MDRMESH_RABBITMQ_COOKIE:-}" ]; then
  mkdir -p /var/lib/rabbitmq
  rm -f /var/lib/rabbitmq/.erlang.cookie
  printf '%s' "$MDRMESH_RABBITMQ_COOKIE" >/var/lib/rabbitmq/.erlang.cookie
fi
unset MDRMESH_RABBITMQ_COOKIE
if [ -n "${MDRMESH_RABBITMQ_JOIN:-}" ]; then
  mkdir -p /etc/rabbitmq/conf.d
  {
    echo "cluster_formation.peer_discovery_backend = classic_config"
    echo "cluster_formation.classic_config.nodes.1 = rabbit@$MDRMESH_RABBITMQ_JOIN"
    # The first node refuses a join while it still loads its tables or takes in the other joining node
    # ({error,tables_not_present}); the default of 10 tries 500 ms apart ran out on a busy machine and left a node
    # alone, so the cluster never reached its size. Two minutes of tries, one a second.
    echo "cluster_formation.discovery_retry_limit = 120"
    echo "cluster_formation.discovery_retry_interval = 1000"
  } >/etc/rabbitmq/conf.d/20-mdrmesh-cluster.conf
  # A blank node that finds nobody to join would start a cluster of its own: wait for the first node to listen.
  if [ ! -d /var/lib/rabbitmq/mnesia ]; then
    tries=0
    until bash -c "exec 3<>/dev/tcp/$MDRMESH_RABBITMQ_JOIN/5672" 2>/dev/null; do
      tries=$((tries + 1))
      [ "$tries" -lt 300 ] || { echo "broker: $MDRMESH_RABBITMQ_JOIN did not listen within 10 minutes" >&2; exit 1; }
      sleep 2
    done
  fi
fi
sh /mdrmesh/rabbitmq/setup.sh &
# The server itself has no use for the services' passwords.
unset RABBITMQ_INCIDENTS_PASSWORD RABBITMQ_APPROVALS_PASSWORD RABBITMQ_EXECUTOR_PASSWORD RABBITMQ_NOTIFICATIONS_PASSWORD
exec docker-entrypoint.sh "$@"
