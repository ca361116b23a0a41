#!/bin/sh
# docker-compose's entry point for the broker: the image's own entry point runs the server, and
# setup.sh, started beside it, creates the services' users once the node is up.
set -e
export MDRMESH_BROKER_READY=/tmp/mdrmesh-broker-ready
rm -f "$MDRMESH_BROKER_READY"
sh /mdrmesh/rabbitmq/setup.sh &
# The server itself has no use for the services' passwords.
unset RABBITMQ_INCIDENTS_PASSWORD RABBITMQ_APPROVALS_PASSWORD RABBITMQ_EXECUTOR_PASSWORD
exec docker-entrypoint.sh "$@"
