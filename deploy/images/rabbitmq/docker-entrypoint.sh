#!/bin/sh
# Entry point compatible with the official rabbitmq image: RABBITMQ_DEFAULT_USER and
# RABBITMQ_DEFAULT_PASS set the first user; logs go to the console so that
# "Server startup complete" is visible to readiness checks.
set -e
if [ "$(id -u)" != 0 ]; then
  exec "$@"
fi
{
  echo "loopback_users = none"
  echo "listeners.tcp.default = 5672"
  echo "management.tcp.port = 15672"
  echo "log.console = true"
  echo "log.console.level = info"
  echo "log.file = false"
  [ -z "${RABBITMQ_DEFAULT_USER:-}" ] || echo "default_user = $RABBITMQ_DEFAULT_USER"
  [ -z "${RABBITMQ_DEFAULT_PASS:-}" ] || echo "default_pass = $RABBITMQ_DEFAULT_PASS"
} >/etc/rabbitmq/rabbitmq.conf
chmod 640 /etc/rabbitmq/rabbitmq.conf
chown rabbitmq:rabbitmq /etc/rabbitmq/rabbitmq.conf
echo "[rabbitmq_management,rabbitmq_prometheus]." >/etc/rabbitmq/enabled_plugins
mkdir -p /var/lib/rabbitmq
cookie=/var/lib/rabbitmq/.erlang.cookie
if [ ! -s "$cookie" ]; then
  tr -dc A-Z </dev/urandom | head -c 32 >"$cookie"
fi
chmod 400 "$cookie"
# rabbitmq-diagnostics run as root (health checks) needs the same cookie as the server.
install -m 400 "$cookie" /root/.erlang.cookie
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
export HOME=/var/lib/rabbitmq
exec runuser -u rabbitmq -- "$@"
